from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jushi.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the deploy checks and the login receiver)
