"""The reporting app's scheduled work, one run a day per zone (jushi.core.jobs.schedule), as the system user
and only on the zone the run is for (`job.zone_id`):

- 催报提醒 (09:00): the enterprises that still owe an open period whose deadline is near or past are
  reminded, as 催报 on the board does (send_reminders: reports submitted, approved or under correction are
  not owed); an enterprise already reminded today is not reminded twice.
- 报送日常检查 (02:00): for each open period, the plausibility flags are recomputed from the approved figures
  and the day's state is written down: overdue reports, reports waiting for review (and for how long),
  open plausibility flags. It changes no report.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jushi.core import clock, jobs
from jushi.core.choices import ChangeSource

from .models import PlausibilityFlag, ReportingPeriod, Submission
from .services.plausibility import refresh_flags
from .services.submissions import send_reminders

REMIND_DAYS_BEFORE = 3  # reminders start this many days before the deadline, and go on daily after it
REVIEW_WAIT_DAYS = 3  # a report waiting longer than this for review is named in the daily check

REMIND = "reporting.remind"
DAILY_CHECK = "reporting.daily_check"


def _zone_id(job) -> int:
    if job.zone_id is None:
        raise jobs.JobError("该任务按开发区运行,未指定开发区")
    return job.zone_id


def _open_periods(zone_id: int, now: dt.datetime):
    return (
        ReportingPeriod.objects.filter(zone_id=zone_id)
        .open_at(now)
        .select_related("form")
        .order_by("deadline", "form__code")
    )


@jobs.kind(REMIND, title="催报提醒", action="review")
def remind(job, progress):
    zone_id = _zone_id(job)
    actor = jobs.system_user()
    now = clock.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    due = list(_open_periods(zone_id, now).filter(deadline__lte=now + dt.timedelta(days=REMIND_DAYS_BEFORE)))
    reminded = mails = 0
    parts = []
    for index, period in enumerate(due):
        progress(index, len(due), phase="催报")
        # send_reminders leaves out reports submitted, approved or under correction; here also those
        # reminded today already (by hand on the board, or an earlier run)
        fresh = (
            Submission.objects.filter(period=period)
            .exclude(reminded_at__gte=start_of_day)
            .values_list("enterprise_id", flat=True)
        )
        count, sent = send_reminders(
            actor=actor, period=period, source=ChangeSource.CLI, enterprise_ids=list(fresh)
        )
        if count:
            late = "已过截止时间" if now > period.deadline else "临近截止"
            parts.append(f"{period.label}{period.form.name}({late}){count} 家")
        reminded, mails = reminded + count, mails + sent
    if reminded:
        summary = f"发出提醒 {reminded} 家企业(邮件 {mails} 封):" + ";".join(parts)
    else:
        summary = "未发提醒:" + _why_none(zone_id, now, bool(due))
    return {"summary": summary, "reminded": reminded, "mails": mails}


def _why_none(zone_id: int, now: dt.datetime, any_due: bool) -> str:
    """Why a run reminded no one, in words: the next deadline still owed, or that all have reported."""
    later = _open_periods(zone_id, now).filter(deadline__gt=now + dt.timedelta(days=REMIND_DAYS_BEFORE))
    for period in later:
        owed = Submission.objects.filter(period=period).not_done().count()
        if owed:
            deadline = timezone.localtime(period.deadline)
            return (
                f"{period.label}{period.form.name}尚有 {owed} 家未报,截止时间 {deadline:%Y-%m-%d %H:%M},"
                f"截止前 {REMIND_DAYS_BEFORE} 天起每天提醒"
            )
    if any_due:
        return "临近或已过截止时间的报告期,企业均已报送、审核或今天已提醒"
    return "没有开放中且尚有企业未报的报告期"


@jobs.kind(DAILY_CHECK, title="报送日常检查", action="review")
def daily_check(job, progress):
    zone_id = _zone_id(job)
    now = clock.now()
    periods = list(_open_periods(zone_id, now))
    waited = now - dt.timedelta(days=REVIEW_WAIT_DAYS)
    parts = []
    totals = {"overdue": 0, "waiting": 0, "flags": 0}
    for index, period in enumerate(periods):
        progress(index, len(periods), phase="检查")
        with transaction.atomic():
            refresh_flags(period, source=ChangeSource.CLI)
        submissions = Submission.objects.filter(period=period)
        overdue = submissions.overdue(now).filter(first_submitted_at__isnull=True).count()
        waiting = submissions.awaiting_review()
        waiting_count = waiting.count()
        stale = waiting.filter(submitted_at__lt=waited).count()
        flags = PlausibilityFlag.objects.filter(period=period).open().count()
        totals["overdue"] += overdue
        totals["waiting"] += waiting_count
        totals["flags"] += flags
        if overdue or waiting_count or flags:
            parts.append(
                f"{period.label}{period.form.name}:逾期未报 {overdue} 家,待审核 {waiting_count} 份"
                + (f"(超过 {REVIEW_WAIT_DAYS} 天 {stale} 份)" if stale else "")
                + f",合理性疑点 {flags} 条"
            )
    quiet = len(periods) - len(parts)
    if not periods:
        summary = "没有开放的报告期"
    elif not parts:
        summary = f"开放的报告期 {len(periods)} 个,均无逾期未报、待审核的报表和合理性疑点"
    else:
        summary = ";".join(parts) + (f";其余 {quiet} 个开放的报告期无待办" if quiet else "")
    return {"summary": summary, **totals}


jobs.schedule(
    DAILY_CHECK,
    at="02:00",
    description=(
        "检查每个开放的报告期:按已审核数据重新计算全区合计的合理性疑点,统计逾期未报的企业、"
        f"待审核的报表(超过 {REVIEW_WAIT_DAYS} 天未审的单独列出)和未处理的合理性疑点;不改动任何报表"
    ),
)
jobs.schedule(
    REMIND,
    at="09:00",
    description=(
        f"截止前 {REMIND_DAYS_BEFORE} 天起每天提醒尚未报送的企业(站内通知和邮件;已报送、已审核、"
        "更正中的不提醒,当天已催报过的不重复)"
    ),
)
