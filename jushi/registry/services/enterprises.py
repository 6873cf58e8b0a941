"""Every change to an enterprise goes through these functions, whichever door it came in by."""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

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
    years = sorted(set(size_years or []))  # a new enterprise has none yet: no query to compare with
    SizeMembership.objects.bulk_create([SizeMembership(enterprise=enterprise, year=y) for y in years])
    changelog.record(
        actor=actor,
        action=ChangeAction.CREATE,
        obj=enterprise,
        before=None,
        after=enterprise_snapshot(enterprise, years),
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


class EnterpriseInUse(ValidationError):
    """Records elsewhere (reports) hold on to the enterprise; deleting it would lose them."""


def delete_blocker(enterprise: Enterprise) -> str:
    """Why the enterprise cannot be deleted (reporter accounts, records that protect it), or "" if it can.

    The upper floors (reporting) protect their rows with on_delete=PROTECT; asking the deletion collector
    finds them without the registry knowing those models, and before anything is written.
    """
    reporters = enterprise.reporters.count()
    if reporters:
        return f"该企业仍有 {reporters} 个企业填报账号,请先停用或改派这些账号后再删除"
    collector = Collector(using=router.db_for_write(Enterprise, instance=enterprise))
    try:
        collector.collect([enterprise])
    except ProtectedError as exc:
        held = exc.protected_objects
    except RestrictedError as exc:
        held = exc.restricted_objects
    else:
        return ""
    counts = Counter(str(obj._meta.verbose_name) for obj in held)
    what = "、".join(f"{name} {n} 条" for name, n in sorted(counts.items()))
    return f"该企业已有{what},删除会丢失这些数据,不能删除;如企业已停止经营,请把状态改为“注销”或“迁出”"


@transaction.atomic
def delete_enterprise(*, actor, enterprise: Enterprise, source: str, reason: str) -> None:
    """Delete an enterprise nothing else holds on to; EnterpriseInUse (a ValidationError) if something does."""
    _require(actor, "delete", enterprise.zone)
    blocker = delete_blocker(enterprise)
    if blocker:
        raise EnterpriseInUse(blocker, code="in_use")
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
