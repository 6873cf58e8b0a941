"""Every change to an enterprise goes through these functions, whichever door it came in by."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jushi.core import changelog
from jushi.core.choices import ChangeAction

from ..models import Enterprise, SizeMembership, Zone


def enterprise_snapshot(enterprise: Enterprise, size_years: list[int] | None = None) -> dict:
    years = enterprise.size_years() if size_years is None else sorted(size_years)
    return changelog.snapshot(enterprise, {"size_years": ",".join(str(y) for y in years)})


def _require(actor, action: str, zone: Zone) -> None:
    if not Zone.objects.restrict(actor, action).filter(pk=zone.pk).exists():
        raise PermissionDenied(
            f"无权在开发区“{zone}”中{ {'add': '新建', 'change': '修改', 'delete': '删除'}[action] }企业"
        )


def _set_size_years(enterprise: Enterprise, years: list[int]) -> None:
    current = set(enterprise.size_memberships.values_list("year", flat=True))
    wanted = set(years)
    enterprise.size_memberships.filter(year__in=current - wanted).delete()
    SizeMembership.objects.bulk_create(
        [SizeMembership(enterprise=enterprise, year=y) for y in sorted(wanted - current)]
    )


@dataclass
class Saved:
    enterprise: Enterprise
    changed: bool


@transaction.atomic
def create_enterprise(
    *,
    actor,
    enterprise: Enterprise,
    size_years: list[int] | None = None,
    source: str,
    reason: str = "",
    batch: str = "",
) -> Saved:
    """Save a new, validated (full_clean) enterprise and log it."""
    _require(actor, "add", enterprise.zone)
    enterprise.save()
    _set_size_years(enterprise, size_years or [])
    changelog.record(
        actor=actor,
        action=ChangeAction.CREATE,
        obj=enterprise,
        before=None,
        after=enterprise_snapshot(enterprise),
        source=source,
        reason=reason,
        zone_id=enterprise.zone_id,
        batch=batch,
    )
    return Saved(enterprise, True)


@transaction.atomic
def update_enterprise(
    *,
    actor,
    enterprise: Enterprise,
    before: dict,
    size_years: list[int] | None = None,
    source: str,
    reason: str = "",
    batch: str = "",
) -> Saved:
    """Save validated changes to an enterprise; `before` is its snapshot as loaded. No change, no write."""
    original_zone = Zone.objects.get(
        pk=Enterprise.objects.values_list("zone_id", flat=True).get(pk=enterprise.pk)
    )
    _require(actor, "change", original_zone)
    _require(actor, "change", enterprise.zone)
    years = enterprise.size_years() if size_years is None else size_years
    after = enterprise_snapshot(enterprise, years)
    if after == before:
        return Saved(enterprise, False)
    enterprise.save()
    _set_size_years(enterprise, years)
    changelog.record(
        actor=actor,
        action=ChangeAction.UPDATE,
        obj=enterprise,
        before=before,
        after=after,
        source=source,
        reason=reason,
        zone_id=enterprise.zone_id,
        batch=batch,
    )
    return Saved(enterprise, True)


@transaction.atomic
def delete_enterprise(*, actor, enterprise: Enterprise, source: str, reason: str) -> None:
    _require(actor, "delete", enterprise.zone)
    reporters = enterprise.reporters.count()
    if reporters:
        raise ValidationError(f"该企业仍有 {reporters} 个企业填报账号,请先停用或改派这些账号后再删除")
    before = enterprise_snapshot(enterprise)
    pk = enterprise.pk
    changelog.record(
        actor=actor,
        action=ChangeAction.DELETE,
        obj=enterprise,
        before=before,
        after=None,
        source=source,
        reason=reason,
        zone_id=enterprise.zone_id,
    )
    enterprise.delete()
    enterprise.pk = pk
