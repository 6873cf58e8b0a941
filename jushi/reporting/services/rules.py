"""Adding check rules and switching them on or off, with the change log."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction
from jushi.core.scopes import can

from ..models import Rule


@transaction.atomic
def add_rule(*, actor, rule: Rule, source: str) -> Rule:
    if not can(actor, "review"):
        raise PermissionDenied("无权维护审核规则")
    rule.full_clean()
    rule.created_by = actor if actor.pk else None
    rule.is_builtin = False
    rule.save()
    record(
        actor=actor, action=ChangeAction.CREATE, obj=rule, before=None, after=snapshot(rule), source=source
    )
    return rule


@transaction.atomic
def set_rule_active(*, actor, rule: Rule, active: bool, source: str, reason: str = "") -> Rule:
    if not can(actor, "review"):
        raise PermissionDenied("无权维护审核规则")
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
    )
    return rule
