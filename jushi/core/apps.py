from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jushi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # jobs, dailychecks, exportjobs: core's own job kinds and schedule (cleanup, the audit chain's
        # nightly check, large exports)
        from . import audit, dailychecks, exportjobs, jobs  # noqa: F401

        audit.connect_signals()
