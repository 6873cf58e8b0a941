"""The reporting workflow: save, submit, approve, return, correct. Every status change goes through here.

Only an enterprise's own reporter changes its figures; staff approve or return with a reason. Status
changes are conditional updates on `Submission.version`, so two reviewers acting at once cannot both
win: the second is told what happened and nothing of their attempt is applied.
"""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from jushi.accounts.choices import ROLE_ACTIONS, Department
from jushi.core import clock
from jushi.core.notify import notify
from jushi.core.scopes import can, scope_of
from jushi.registry.models import UserScope

from ..checks import Checker, Finding
from ..choices import DONE, EDITABLE, TRANSITIONS, EventKind, Status
from ..models import CheckResult, ReportingPeriod, Submission, SubmissionEvent, Value, ValueChange
from ..signals import announce_approved
from .errors import Conflict, ReportingError
from .history import histories
from .plausibility import refresh_flags

Figures = dict[str, tuple[Decimal | None, Decimal | None]]  # field code → (current, last year)


@dataclass
class Outcome:
    submission: Submission
    findings: list[Finding] = field(default_factory=list)
    missing: list[Finding] = field(default_factory=list)  # warnings still without an explanation
    changed: dict = field(default_factory=dict)  # field code → what changed
    submitted: bool = False
    already: bool = False  # the same figures were already submitted: nothing done

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.blocking]


TEXT_LIMIT = 500  # reasons and notes: the event's and the change log's note
EXPLANATION_LIMIT = 1000  # CheckResult.explanation


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _same(a, b) -> bool:
    return a == b if a is not None and b is not None else a is None and b is None


def _name(actor) -> str:
    return getattr(actor, "username", "") or ""


def _event(submission, kind, *, actor, source, note="", batch="", revision=None, now=None) -> SubmissionEvent:
    return SubmissionEvent.objects.create(
        submission=submission,
        kind=kind,
        time=now or clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_name(actor),
        revision=revision or submission.revision,
        note=note[:500],
        source=source,
        batch=batch,
    )


# A report reopened for correction: approved once, now a new revision being edited (draft, or returned
# again). Its approved figures stay in force, so it is neither owed nor overdue, and nobody reminds it.
UNDER_CORRECTION = Q(revision__gt=1, status__in=EDITABLE)


def under_correction(submission: Submission) -> bool:
    return submission.under_correction


# Staff of these departments may review (the role allows it) but work on projects, not on reports: they
# are told about arriving reports only when a zone has no other reviewer.
PROJECT_DEPARTMENTS = frozenset({Department.INVESTMENT, Department.PROJECTS})


def zone_reviewers(zone_id: int) -> list:
    """Who is told that a report arrived: active users whose role may review and whose scope covers the
    zone, the statistics side first (everyone who may review when the zone has no one else)."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if "review" in actions]
    users = list(
        get_user_model()
        .objects.filter(is_active=True, role__in=roles)
        .filter(Q(scope__all_zones=True) | Q(scope__zones=zone_id), scope__enterprise__isnull=True)
        .distinct()
        .order_by("pk")
    )
    statistics = [u for u in users if u.department not in PROJECT_DEPARTMENTS]
    return statistics or users


def _tell_reviewers(submission: Submission, *, resubmit: bool, findings: list) -> None:
    period, enterprise = submission.period, submission.enterprise
    what = f"{period.label}“{period.form.name}”"
    if resubmit:
        title = f"{enterprise}修改后重新报送{what},请审核"
    elif submission.revision > 1:
        title = f"{enterprise}更正后重新报送{what},请审核"
    else:
        title = f"{enterprise}报送了{what},请审核"
    lines = [
        f"企业:{enterprise}",
        f"报表:{period.form}",
        f"报告期:{period.label}",
        f"报送人:{submission.submitted_by or '—'}({timezone.localtime(submission.submitted_at):%Y-%m-%d %H:%M})",
    ]
    if resubmit:
        lines.append("这是退回后修改重新报送的报表")
    if submission.revision > 1:
        lines.append(f"第 {submission.revision} 版(更正原因:{submission.correction_reason or '—'})")
    warnings = [f for f in findings if not f.blocking]
    if warnings:
        lines.append(f"{len(warnings)} 条提示性问题已由企业说明,请逐条核对")
    notify(
        zone_reviewers(period.zone_id),
        title=title,
        body=";\n".join(lines) + "。",  # one line each in the mail; read as one sentence on the page
        link=submission.get_absolute_url(),
    )


def ensure_reporter(actor, submission: Submission) -> None:
    if not can(actor, "report") or scope_of(actor).enterprise_id != submission.enterprise_id:
        raise PermissionDenied("只有本企业的填报员可以填报本企业的报表")


def ensure_reviewer(actor, submission: Submission) -> None:
    if (
        not can(actor, "review")
        or not Submission.objects.restrict(actor, "review").filter(pk=submission.pk).exists()
    ):
        raise PermissionDenied("无权审核该报表")


def ensure_open(period: ReportingPeriod, now=None) -> None:
    now = now or clock.now()
    if period.closed_at is not None:
        raise ReportingError(f"{period.label}的报告期已关闭,不能再填报;如需补报或更正,请联系开发区统计人员")
    if now < period.opens_at:
        local = timezone.localtime(period.opens_at)
        raise ReportingError(f"{period.label}的报表 {local:%Y-%m-%d %H:%M} 起开始填报,现在还不能填报")


def _state_message(submission: Submission) -> str:
    who = submission.reviewed_by or submission.submitted_by
    when = submission.reviewed_at or submission.submitted_at
    tail = f"(由 {who} 于 {timezone.localtime(when):%Y-%m-%d %H:%M})" if who and when else ""
    return f"该报表当前状态为“{submission.get_status_display()}”{tail}"


def _check_transition(submission: Submission, action: str) -> str:
    allowed, target = TRANSITIONS[action]
    if submission.status not in allowed:
        raise ReportingError(f"{_state_message(submission)},不能{ACTION_WORDS[action]}")
    return target or submission.status


ACTION_WORDS = {
    "save": "修改",
    "submit": "报送",
    "approve": "审核通过",
    "return": "退回",
    "correct": "申请更正",
    "import": "导入",
}


def checker_for(submission: Submission) -> Checker:
    return Checker.for_form(submission.period.form, submission.period.zone_id)


def run_checks(submission: Submission, current: dict, last_year: dict, checker: Checker | None = None):
    checker = checker or checker_for(submission)
    history = histories(submission.period.form, submission.period, [submission.enterprise_id])
    return checker.run(current, last_year, history[submission.enterprise_id])


def stored_figures(submission: Submission) -> tuple[dict, dict]:
    current, last_year = {}, {}
    for code, cur, ly in submission.values.values_list("field__code", "current", "last_year"):
        current[code], last_year[code] = cur, ly
    return current, last_year


def apply_figures(
    submission: Submission,
    figures: Figures,
    *,
    actor,
    source: str,
    reason: str = "",
    batch: str = "",
    now=None,
) -> dict:
    """Write the given fields' figures (others keep theirs) and one ValueChange with what changed."""
    fields = list(submission.period.form.fields.all())
    existing = {v.field_id: v for v in submission.values.all()}
    changes, create, update = {}, [], []
    for f in fields:
        if f.code not in figures:
            continue
        current, last_year = figures[f.code]
        value = existing.get(f.id)
        old_current, old_last_year = (value.current, value.last_year) if value else (None, None)
        diff = {}
        if not _same(old_current, current):
            diff["current"] = [_text(old_current), _text(current)]
        if not _same(old_last_year, last_year):
            diff["last_year"] = [_text(old_last_year), _text(last_year)]
        if not diff:
            continue
        changes[f.code] = diff
        if value is None:
            create.append(
                Value(
                    submission=submission,
                    field=f,
                    current=current,
                    last_year=last_year,
                    revision=submission.revision,
                )
            )
        else:
            value.current, value.last_year, value.revision = current, last_year, submission.revision
            update.append(value)
    Value.objects.bulk_create(create)
    Value.objects.bulk_update(update, ["current", "last_year", "revision"])
    if changes:
        ValueChange.objects.create(
            submission=submission,
            revision=submission.revision,
            changes=changes,
            user=actor if getattr(actor, "pk", None) else None,
            user_name=_name(actor),
            time=now or clock.now(),
            source=source,
            reason=(reason or submission.correction_reason)[:500],
            batch=batch,
        )
    return changes


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update()
        .select_related("period__form", "period__zone", "enterprise")
        .get(pk=submission.pk)
    )


def _bump(submission: Submission, **changes) -> None:
    """Conditional update on the version the caller saw: a concurrent change makes this a Conflict."""
    done = Submission.objects.filter(pk=submission.pk, version=submission.version).update(
        version=F("version") + 1, updated=clock.now(), **changes
    )
    if not done:
        current = Submission.objects.select_related("reviewed_by", "submitted_by").get(pk=submission.pk)
        raise Conflict(f"报表刚被其他人处理,本次操作未生效。{_state_message(current)}。请刷新页面后再操作")
    submission.refresh_from_db()


@transaction.atomic
def save_draft(
    *, actor, submission: Submission, figures: Figures, source: str, now=None, checker: Checker | None = None
) -> Outcome:
    """Keep what the reporter typed, whatever the checks say; a draft is never lost. `checker`: the form's
    checks when the caller has built them already (a page builds them once a request)."""
    now = now or clock.now()
    locked = _lock(submission)
    ensure_reporter(actor, locked)
    ensure_open(locked.period, now)
    _check_transition(locked, "save")
    changes = apply_figures(locked, figures, actor=actor, source=source, now=now)
    if changes:
        status = Status.DRAFT if locked.status == Status.PENDING else locked.status
        _bump(locked, status=status)
        _event(locked, EventKind.SAVED, actor=actor, source=source, note=f"修改 {len(changes)} 项", now=now)
    current, last_year = stored_figures(locked)
    return Outcome(locked, findings=run_checks(locked, current, last_year, checker), changed=changes)


@transaction.atomic
def submit_report(
    *,
    actor,
    submission: Submission,
    figures: Figures | None = None,
    explanations: dict[str, str] | None = None,
    source: str,
    now=None,
    checker: Checker | None = None,
) -> Outcome:
    """Save the figures, run every check, and submit if no blocking error is left and every warning is
    explained. A failed submit keeps the draft and returns the findings; submitting the same figures
    again is a no-op."""
    now = now or clock.now()
    explanations = {k: v.strip() for k, v in (explanations or {}).items() if v and v.strip()}
    for key, text in explanations.items():  # refused, never cut: the reviewer reads all of it
        if len(text) > EXPLANATION_LIMIT:
            raise ReportingError(f"情况说明({key}): 不能超过 {EXPLANATION_LIMIT} 字,现有 {len(text)} 字")
    locked = _lock(submission)
    ensure_reporter(actor, locked)
    if locked.status in DONE:
        current, last_year = stored_figures(locked)
        if figures is None or all(
            _same(current.get(code), cur) and _same(last_year.get(code), ly)
            for code, (cur, ly) in figures.items()
        ):
            return Outcome(locked, submitted=locked.status == Status.SUBMITTED, already=True)
        if locked.status == Status.APPROVED:
            raise ReportingError("本期报表已审核通过并锁定;如需更正,请先申请更正并写明原因")
        raise ReportingError("本期报表已报送,正在等待审核;如需修改,请联系统计人员退回")
    ensure_open(locked.period, now)
    _check_transition(locked, "submit")
    changes = apply_figures(locked, figures or {}, actor=actor, source=source, now=now) if figures else {}
    if changes and locked.status == Status.PENDING:
        _bump(locked, status=Status.DRAFT)
    current, last_year = stored_figures(locked)
    checker = checker or checker_for(locked)
    findings = run_checks(locked, current, last_year, checker)
    missing = [f for f in findings if not f.blocking and f.key not in explanations]
    outcome = Outcome(locked, findings=findings, missing=missing, changed=changes)
    if outcome.blocking or missing:
        if changes:
            _event(
                locked, EventKind.SAVED, actor=actor, source=source, note="报送未通过审核,已存为草稿", now=now
            )
        return outcome
    resubmit = locked.status == Status.RETURNED
    _bump(
        locked,
        status=Status.SUBMITTED,
        submitted_at=now,
        submitted_by=actor,
        first_submitted_at=Coalesce(F("first_submitted_at"), now),
    )
    CheckResult.objects.filter(submission=locked, revision=locked.revision).delete()
    CheckResult.objects.bulk_create(
        CheckResult(
            submission=locked,
            revision=locked.revision,
            rule_id=f.rule_id,
            key=f.key,
            field_code=f.field_code,
            severity=f.severity,
            message=f.message[:500],
            explanation=explanations.get(f.key, ""),
        )
        for f in findings
    )
    note = f"{len(findings)} 条提示已说明" if findings else ""
    _event(
        locked,
        EventKind.RESUBMITTED if resubmit else EventKind.SUBMITTED,
        actor=actor,
        source=source,
        note=note,
        now=now,
    )
    _tell_reviewers(locked, resubmit=resubmit, findings=findings)
    outcome.submitted = True
    return outcome


def _review_step(actor, submission: Submission, version: int | None, action: str, **changes) -> Submission:
    """Move a submitted report on, if it is still exactly what the reviewer saw (same version)."""
    ensure_reviewer(actor, submission)
    seen = Submission.objects.select_related("reviewed_by", "submitted_by").get(pk=submission.pk)
    expected = seen.version if version is None else version
    if version is None and seen.status != Status.SUBMITTED:
        raise ReportingError(f"{_state_message(seen)},不能{ACTION_WORDS[action]}")
    target = TRANSITIONS[action][1]
    done = Submission.objects.filter(pk=seen.pk, version=expected, status=Status.SUBMITTED).update(
        status=target, version=F("version") + 1, updated=clock.now(), **changes
    )
    if not done:
        seen.refresh_from_db()
        raise Conflict(f"报表刚被其他人处理,本次操作未生效。{_state_message(seen)}。请刷新页面后再操作")
    seen.refresh_from_db()
    return seen


@transaction.atomic
def approve_submission(
    *, actor, submission: Submission, source: str, version: int | None = None, note: str = ""
):
    """Approve and lock: the working figures become the approved ones that indicators read."""
    note = (note or "").strip()
    if len(note) > TEXT_LIMIT:
        raise ReportingError(f"审核意见: 不能超过 {TEXT_LIMIT} 字,现有 {len(note)} 字")
    now = clock.now()
    seen = _review_step(
        actor, submission, version, "approve", reviewed_at=now, reviewed_by=actor, return_reason=""
    )
    Value.objects.filter(submission=seen).update(
        approved_current=F("current"), approved_last_year=F("last_year")
    )
    _event(seen, EventKind.APPROVED, actor=actor, source=source, note=note, now=now)
    submission.refresh_from_db()
    period = submission.period
    refresh_flags(period, source=source)  # the zone totals the approval moved, checked in this transaction
    announce_approved(zone_id=period.zone_id, form_code=period.form.code, period_code=period.code)
    return submission


@transaction.atomic
def return_submission(*, actor, submission: Submission, reason: str, source: str, version: int | None = None):
    """Send back to the enterprise with a reason it will see; staff never change the figures themselves."""
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError("退回原因: 必填,企业会看到这段说明")
    if len(reason) > 500:
        raise ReportingError("退回原因: 不能超过 500 字")
    now = clock.now()
    seen = _review_step(
        actor, submission, version, "return", reviewed_at=now, reviewed_by=actor, return_reason=reason
    )
    _event(seen, EventKind.RETURNED, actor=actor, source=source, note=reason, now=now)
    reporters = [
        s.user for s in UserScope.objects.filter(enterprise_id=seen.enterprise_id).select_related("user")
    ]
    notify(
        reporters,
        title=f"{seen.period.label}{seen.period.form.name}被退回",
        body=f"退回原因:{reason}",
        link=seen.get_absolute_url(),
    )
    submission.refresh_from_db()
    return submission


@transaction.atomic
def start_correction(*, actor, submission: Submission, reason: str, source: str):
    """Reopen an approved report as a new revision; the approved figures stay in force until re-approval."""
    locked = _lock(submission)
    ensure_reporter(actor, locked)
    ensure_open(locked.period)
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError("更正原因: 必填")
    if len(reason) > TEXT_LIMIT:
        raise ReportingError(f"更正原因: 不能超过 {TEXT_LIMIT} 字,现有 {len(reason)} 字")
    _check_transition(locked, "correct")
    _bump(locked, status=Status.DRAFT, revision=F("revision") + 1, correction_reason=reason)
    _event(locked, EventKind.CORRECTION, actor=actor, source=source, note=reason)
    submission.refresh_from_db()
    return submission


def send_reminders(*, actor, period: ReportingPeriod, source: str, enterprise_ids=None) -> tuple[int, int]:
    """Remind every enterprise that still owes `period` (or the chosen ones): in-app and by mail. Reports
    submitted or approved are not owed, nor those under correction (their approved figures stand).

    Returns (enterprises reminded, emails sent)."""
    if not can(actor, "review"):
        raise PermissionDenied("无权催报")
    owed = (
        Submission.objects.restrict(actor, "review")
        .filter(period=period)
        .not_done()
        .exclude(UNDER_CORRECTION)
    )
    if enterprise_ids is not None:
        owed = owed.filter(enterprise_id__in=enterprise_ids)
    owed = list(owed.select_related("enterprise"))
    if not owed:
        return 0, 0
    now = clock.now()
    deadline = timezone.localtime(period.deadline)
    by_enterprise: dict[int, list] = {}
    for scope in UserScope.objects.filter(enterprise_id__in=[s.enterprise_id for s in owed]).select_related(
        "user"
    ):
        by_enterprise.setdefault(scope.enterprise_id, []).append(scope.user)
    sent = 0
    batch = str(uuid.uuid4())
    with transaction.atomic():
        for submission in owed:
            late = now > period.deadline
            sent += notify(
                by_enterprise.get(submission.enterprise_id, []),
                title=f"请{'尽快补报' if late else '按时报送'}{period.label}{period.form.name}",
                body=(
                    f"{submission.enterprise}:{period.label}{period.form.name}"
                    f"{'已过' if late else '的'}截止时间 {deadline:%Y-%m-%d %H:%M}"
                    f"{',请尽快补报' if late else ',请按时报送'}。"
                ),
                link=submission.get_absolute_url(),
            )
        Submission.objects.filter(pk__in=[s.pk for s in owed]).update(
            reminded_at=now, reminder_count=F("reminder_count") + 1
        )
        SubmissionEvent.objects.bulk_create(
            SubmissionEvent(
                submission=s,
                kind=EventKind.REMINDED,
                time=now,
                actor=actor if actor.pk else None,
                actor_name=_name(actor),
                revision=s.revision,
                note=f"提醒 {len(by_enterprise.get(s.enterprise_id, []))} 位填报员",
                source=source,
                batch=batch,
            )
            for s in owed
        )
    return len(owed), sent
