"""Check rules: national ones (no zone) kept by national admins, a zone's own kept by that zone, and a
zone's switch for a national rule (RuleOverride). Every change is logged with the zone it affects;
a national rule's change is logged without a zone, which only national admins read."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction
from jushi.core.scopes import can
from jushi.registry.models import Zone

from ..models import Rule, RuleOverride
from .errors import ReportingError

REASON_LIMIT = 500  # the change log's reason
NATIONAL_ONLY = "全国审核规则只能由全国管理员修改;可在本开发区停用"


def review_zones(actor):
    """The zones whose own rules and overrides the actor keeps."""
    if not can(actor, "review"):
        return Zone.objects.none()
    return Zone.objects.restrict(actor, "review")


def ensure_may_change(actor, rule: Rule) -> None:
    """National rules: superusers only. A zone's own rule: reviewers of that zone."""
    if not can(actor, "review"):
        raise PermissionDenied("无权维护审核规则")
    if rule.zone_id is None:
        if not actor.is_superuser:
            raise PermissionDenied(NATIONAL_ONLY)
    elif not review_zones(actor).filter(pk=rule.zone_id).exists():
        raise PermissionDenied("无权维护该开发区的审核规则")


@transaction.atomic
def add_rule(*, actor, rule: Rule, source: str) -> Rule:
    ensure_may_change(actor, rule)
    rule.full_clean()
    rule.created_by = actor if actor.pk else None
    rule.is_builtin = False
    rule.save()
    record(
        actor=actor,
        action=ChangeAction.CREATE,
        obj=rule,
        before=None,
        after=snapshot(rule),
        source=source,
        zone_id=rule.zone_id,
    )
    return rule


@transaction.atomic
def set_rule_active(*, actor, rule: Rule, active: bool, source: str, reason: str = "") -> Rule:
    """Switch a rule on or off for every zone it governs (all of them for a national rule)."""
    ensure_may_change(actor, rule)
    if len(reason) > REASON_LIMIT:
        raise ReportingError(f"原因:最多 {REASON_LIMIT} 个字,现有 {len(reason)} 个字")
    before = snapshot(rule)
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated"])
    record(
        actor=actor,
        action=ChangeAction.UPDATE,
        obj=rule,
        before=before,
        after=snapshot(rule),
        source=source,
        reason=reason,
        zone_id=rule.zone_id,
    )
    return rule


@transaction.atomic
def set_rule_override(
    *, actor, rule: Rule, zone: Zone, enabled: bool, reason: str = "", source: str
) -> RuleOverride:
    """Switch a national rule off (or back on) for one zone; the other zones keep it."""
    if rule.zone_id is not None:
        raise ReportingError("本开发区自己的规则直接启用或停用,不需要本开发区设置")
    if not review_zones(actor).filter(pk=zone.pk).exists():
        raise PermissionDenied("无权维护该开发区的审核规则")
    reason = reason.strip()
    limit = RuleOverride._meta.get_field("reason").max_length
    if not enabled and not reason:
        raise ReportingError("原因:在本开发区停用全国规则须说明原因")
    if len(reason) > limit:
        raise ReportingError(f"原因:最多 {limit} 个字,现有 {len(reason)} 个字")
    override = RuleOverride.objects.select_for_update().filter(zone=zone, rule=rule).first()
    before = snapshot(override) if override else None
    if override is None:
        override = RuleOverride(zone=zone, rule=rule)
    override.enabled, override.reason = enabled, reason
    override.changed_by, override.changed_at = (actor if actor.pk else None), timezone.now()
    override.save()
    record(
        actor=actor,
        action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
        obj=override,
        before=before,
        after=snapshot(override),
        source=source,
        reason=reason,
        zone_id=zone.pk,
    )
    return override
