"""Opening and closing reporting periods, and who must report (the obligation frame)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from jushi.core import clock
from jushi.core.scopes import can
from jushi.lib.periods import Period, PeriodError
from jushi.registry.models import Enterprise, Zone

from ..choices import Obligation
from ..models import Assignment, ReportForm, ReportingPeriod, Submission
from .errors import ReportingError

LOCAL = ZoneInfo(settings.TIME_ZONE)


def check_period_fits(form: ReportForm, period: Period) -> None:
    if period.kind != form.period_type:
        raise ReportingError(
            f"报告期“{period.code}”与表式“{form.name}”的报告期类型({form.get_period_type_display()})不符"
        )
    if form.period_type == "M" and form.combine_jan_feb and period.index == 1:
        raise ReportingError(f"“{form.name}”1-2月合并报送,没有单独的 1 月报告期;请用 {period.year}-02")


def window(form: ReportForm, period: Period) -> tuple[dt.datetime, dt.datetime]:
    """When filling in opens and when it is due: days of the month after the period ends, Beijing time."""
    year, month = (period.year + 1, 1) if period.end_month == 12 else (period.year, period.end_month + 1)
    opens = dt.datetime(year, month, form.opens_day, tzinfo=LOCAL)
    deadline = dt.datetime(year, month, form.deadline_day, form.deadline_hour, tzinfo=LOCAL)
    return opens, deadline


def section_filter(sections: list[str]) -> Q:
    q = Q()
    for letter in sections:
        q |= (
            Q(industry__code=letter)
            | Q(industry__parent__code=letter)
            | Q(industry__parent__parent__code=letter)
            | Q(industry__parent__parent__parent__code=letter)
        )
    return q


def obligated(form: ReportForm, zone: Zone, period: Period):
    """The enterprises of `zone` that must report `form` for `period`, from the registry."""
    enterprises = Enterprise.objects.filter(zone=zone)
    if form.obligation == Obligation.SIZE_SET:
        enterprises = enterprises.filter(size_memberships__year=period.year)
        if form.section_list():
            enterprises = enterprises.filter(section_filter(form.section_list()))
    else:
        assigned = Assignment.objects.filter(form=form).filter(
            Q(since__isnull=True) | Q(since__lte=period.end),
            Q(until__isnull=True) | Q(until__gte=period.start),
        )
        enterprises = enterprises.filter(pk__in=assigned.values("enterprise"))
    return enterprises.distinct()


def _ensure_reviewer_of_zone(actor, zone: Zone) -> None:
    if not can(actor, "review") or not Zone.objects.restrict(actor, "review").filter(pk=zone.pk).exists():
        raise PermissionDenied(f"无权管理开发区“{zone}”的报告期")


def parse_period(form: ReportForm, code: str) -> Period:
    try:
        period = Period.parse(code)
    except PeriodError as exc:
        raise ReportingError(str(exc)) from exc
    check_period_fits(form, period)
    return period


@transaction.atomic
def open_period(*, actor, form: ReportForm, zone: Zone, period: Period) -> tuple[ReportingPeriod, int]:
    """Open `period` of `form` for `zone` (idempotent): create it with its window, then one submission
    for every enterprise that must report and has none yet. Returns the period and how many were added."""
    _ensure_reviewer_of_zone(actor, zone)
    check_period_fits(form, period)
    if not form.is_active:
        raise ReportingError(f"表式“{form.name}”已停用")
    opens_at, deadline = window(form, period)
    row, _ = ReportingPeriod.objects.get_or_create(
        form=form,
        zone=zone,
        code=period.code,
        defaults={"opens_at": opens_at, "deadline": deadline, "opened_by": actor if actor.pk else None},
    )
    if row.closed_at is not None:
        raise ReportingError(f"{zone} {period.label}“{form.name}”已关闭;如需补报,请先重新开放")
    have = set(row.submissions.values_list("enterprise_id", flat=True))
    missing = [e for e in obligated(form, zone, period).values_list("pk", flat=True) if e not in have]
    Submission.objects.bulk_create(Submission(period=row, enterprise_id=e) for e in missing)
    return row, len(missing)


def close_period(*, actor, period: ReportingPeriod) -> None:
    _ensure_reviewer_of_zone(actor, period.zone)
    if period.closed_at is None:
        ReportingPeriod.objects.filter(pk=period.pk).update(closed_at=clock.now())
        period.refresh_from_db()


def reopen_period(*, actor, period: ReportingPeriod) -> None:
    _ensure_reviewer_of_zone(actor, period.zone)
    if period.closed_at is not None:
        ReportingPeriod.objects.filter(pk=period.pk).update(closed_at=None)
        period.refresh_from_db()
