from django.apps import AppConfig


class ChainsConfig(AppConfig):
    name = "jushi.chains"
    label = "chains"
    verbose_name = "产业链"

    def ready(self):
        from jushi.indicators.bulletin import register_sentence

        from .figures import bulletin_sentence

        register_sentence("chains", bulletin_sentence)
        from . import panels  # noqa: F401  (registers the enterprise page's chain-nodes panel)
