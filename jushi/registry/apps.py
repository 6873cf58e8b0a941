from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jushi.registry"
    label = "registry"
    verbose_name = "基础名录"

    def ready(self):
        from jushi.core import jobs, scopes

        from .services.scopes import scope_for_user

        scopes.register_provider(scope_for_user)
        jobs.register_zones(zones_for_jobs)


def zones_for_jobs() -> list[tuple[int, str]]:
    """Every zone, for the workers' per-zone scheduled runs (reminders, escalation, daily checks)."""
    from .models import Zone

    return [
        (z.pk, z.short_name or z.name) for z in Zone.objects.order_by("code").only("pk", "name", "short_name")
    ]
