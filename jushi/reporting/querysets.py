from django.db.models import F, Q

from jushi.core import clock
from jushi.core.querysets import RestrictedQuerySet
from jushi.core.scopes import NOBODY, scope_of
from jushi.registry.models import Enterprise

from .choices import DONE, EDITABLE, Status


class ReportFormQuerySet(RestrictedQuerySet):
    zone_path = None  # forms are national: every signed-in user may read them


class RuleQuerySet(RestrictedQuerySet):
    """National rules (no zone) for everyone signed in; a zone's own rules within that zone's scope."""

    zone_path = "zone"

    def visible_to(self, user):
        scope = scope_of(user)
        if scope == NOBODY:
            return self.none()
        if scope.all_zones:
            return self
        zone_ids = set(scope.zone_ids)
        if scope.enterprise_id is not None:  # a reporter sees the rules their reports are checked by
            zone_ids = set(
                Enterprise.objects.filter(pk=scope.enterprise_id).values_list("zone_id", flat=True)
            )
        return self.filter(Q(zone__isnull=True) | Q(zone_id__in=zone_ids))

    def for_zone(self, zone_id):
        """National rules and the zone's own (a zone's view of a form's rules)."""
        return self.filter(Q(zone__isnull=True) | Q(zone_id=zone_id))

    def in_force(self, zone_id):
        """The active rules that check a zone's submissions: national ones the zone has not switched
        off for itself, and the zone's own."""
        overrides = self.model._meta.get_field("overrides").related_model.objects
        off = overrides.filter(zone_id=zone_id, enabled=False).values("rule_id")
        return self.for_zone(zone_id).filter(is_active=True).exclude(pk__in=off)


class AssignmentQuerySet(RestrictedQuerySet):
    zone_path = "enterprise__zone"
    enterprise_path = "enterprise"


class PeriodQuerySet(RestrictedQuerySet):
    zone_path = "zone"

    def open_at(self, now=None):
        now = now or clock.now()
        return self.filter(closed_at__isnull=True, opens_at__lte=now)


class SubmissionQuerySet(RestrictedQuerySet):
    zone_path = "enterprise__zone"
    enterprise_path = "enterprise"

    def done(self):
        return self.filter(status__in=DONE)

    def not_done(self):
        return self.exclude(status__in=DONE)

    def under_correction(self):
        """Approved once, now a new revision being edited (Submission.under_correction)."""
        return self.filter(revision__gt=1, status__in=EDITABLE)

    def overdue(self, now=None):
        """Still owed after the deadline (a report under correction is not owed), or first sent after it."""
        now = now or clock.now()
        return self.filter(
            Q(first_submitted_at__isnull=True, period__deadline__lt=now)
            & ~Q(status__in=DONE)
            & ~Q(revision__gt=1, status__in=EDITABLE)
            | Q(first_submitted_at__gt=F("period__deadline"))
        )

    def awaiting_review(self):
        return self.filter(status=Status.SUBMITTED)


class ValueQuerySet(RestrictedQuerySet):
    zone_path = "submission__enterprise__zone"
    enterprise_path = "submission__enterprise"


class FlagQuerySet(RestrictedQuerySet):
    """Zone totals name other enterprises: enterprise reporters see none of them."""

    zone_path = "period__zone"

    def visible_to(self, user):
        if scope_of(user).enterprise_id is not None:
            return self.none()
        return super().visible_to(user)

    def open(self):
        return self.filter(status="open")
