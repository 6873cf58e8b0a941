from django.db.models import F, Q

from jushi.core import clock
from jushi.core.querysets import RestrictedQuerySet
from jushi.core.scopes import scope_of

from .choices import DONE, Status


class ReportFormQuerySet(RestrictedQuerySet):
    zone_path = None  # forms are national: every signed-in user may read them


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

    def overdue(self, now=None):
        """Still owed after the deadline, or first sent after it."""
        now = now or clock.now()
        return self.filter(
            Q(first_submitted_at__isnull=True, period__deadline__lt=now) & ~Q(status__in=DONE)
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
