from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jushi.registry"
    label = "registry"
    verbose_name = "基础名录"

    def ready(self):
        from jushi.core import scopes

        from .services.scopes import scope_for_user

        scopes.register_provider(scope_for_user)
