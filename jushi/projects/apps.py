from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "jushi.projects"
    label = "projects"
    verbose_name = "招商项目与重点项目"

    def ready(self):
        from jushi.indicators.choices import Source
        from jushi.indicators.sources import register_period_source, register_source

        from . import ledger

        # The zone's funds in place, signings and big projects now come from this ledger.
        register_source(Source.LEDGER, ledger.ledger_figures)
        register_period_source("projects", ledger.periods_with_activity)
        from . import jobs, panels  # noqa: F401  (the daily 问题督办; the enterprise page's projects panel)
