from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "jushi.reporting"
    label = "reporting"
    verbose_name = "企业直报"
