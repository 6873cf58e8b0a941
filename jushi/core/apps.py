from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jushi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from . import audit, jobs  # noqa: F401 - jobs registers core's own kinds and schedule

        audit.connect_signals()
