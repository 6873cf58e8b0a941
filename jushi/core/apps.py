from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jushi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # core's own job kinds and schedule: cleanup (jobs), the audit chain's nightly check (dailychecks),
        # large imports and exports (importjobs, exportjobs), registered here so a worker that loads no page
        # knows them
        from . import audit, dailychecks, exportjobs, importjobs, jobs  # noqa: F401

        audit.connect_signals()
