from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "jushi.indicators"
    label = "indicators"
    verbose_name = "经济运行指标"
