"""Keeping results current: a period's approved figures changed, so that zone and period are recomputed."""

from jushi.registry.models import Zone

from . import engine


def refresh_after_approval(sender, *, zone_id: int, form_code: str, period_code: str, **kwargs) -> None:
    zone = Zone.objects.filter(pk=zone_id).first()
    if zone is not None:
        engine.refresh(zone, period_code)
