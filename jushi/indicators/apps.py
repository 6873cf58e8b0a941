from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "jushi.indicators"
    label = "indicators"
    verbose_name = "经济运行指标"

    def ready(self):
        from jushi.reporting.signals import approved_figures_changed

        from . import receivers

        approved_figures_changed.connect(receivers.refresh_after_approval, dispatch_uid="indicators-refresh")
