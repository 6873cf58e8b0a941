from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "jushi.reporting"
    label = "reporting"
    verbose_name = "企业直报"

    def ready(self):
        from . import panels  # noqa: F401  (registers the enterprise page's reports panel)
