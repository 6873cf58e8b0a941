from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jushi.accounts"
    label = "accounts"
    verbose_name = "用户与角色"
