from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "jushi.reporting"
    label = "reporting"
    verbose_name = "企业直报"

    def ready(self):
        from . import jobs, panels  # noqa: F401  (the scheduled reminders and checks; the reports panel)
