import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jushi.core import idempotency
from jushi.core.scopes import can, scope_of

from ..checks import Checker
from ..choices import Status
from ..models import Submission
from ..services.errors import Conflict, ReportingError
from ..services.history import histories
from ..services.submissions import (
    approve_submission,
    ensure_reporter,
    return_submission,
    save_draft,
    start_correction,
    stored_figures,
    submit_report,
)
from .common import (
    SOURCE,
    attach_messages,
    explanations_from_post,
    field_rows,
    figures_from_post,
    resolve_explanations,
    visible_submission,
)


def _is_own_reporter(user, submission) -> bool:
    return can(user, "report") and scope_of(user).enterprise_id == submission.enterprise_id


def _prefill_last_year(current_ly: dict, history) -> dict:
    """An empty 上年同期 starts as what was approved for last year, as the direct-reporting system does."""
    return {
        code: value if value is not None else history.stored_last_year.get(code)
        for code, value in current_ly.items()
    }


def _context(request, submission: Submission, *, checker: Checker | None = None, **extra):
    form = submission.period.form
    checker = checker or Checker.for_form(form, submission.period.zone_id)
    history = histories(form, submission.period, [submission.enterprise_id])[submission.enterprise_id]
    is_reporter = _is_own_reporter(request.user, submission)
    can_review = can(request.user, "review") and not is_reporter
    raw = extra.pop("raw", None)
    if raw is None:
        current, last_year = stored_figures(submission)
        current = {f.code: current.get(f.code) for f in checker.fields}
        last_year = {f.code: last_year.get(f.code) for f in checker.fields}
        if is_reporter and submission.is_editable:
            last_year = _prefill_last_year(last_year, history)
        errors = {}
        findings = extra.pop("findings", None)
        checked = findings is not None or submission.values.exists()
        if findings is None:
            findings = checker.run(current, last_year, history) if checked else []
    else:
        current, last_year, errors = extra.pop("current"), extra.pop("last_year"), extra.pop("errors")
        findings = extra.pop("findings", [])
        checked = True
    approved = {}
    if submission.revision > 1:
        approved = dict(submission.values.values_list("field__code", "approved_current"))
    rows = field_rows(
        submission,
        checker,
        current,
        last_year,
        raw=raw,
        errors=errors,
        findings=findings,
        history=history,
        approved=approved,
    )
    explanations = extra.pop("explanations", None)
    if explanations is None:
        explanations = {
            c.key: c.explanation for c in submission.check_results.filter(revision=submission.revision)
        }
    general, homes = attach_messages(rows, findings, explanations=explanations, post=extra.pop("post", None))
    stored_checks = list(submission.check_results.filter(revision=submission.revision))
    others = (
        Submission.objects.visible_to(request.user)
        .filter(enterprise=submission.enterprise, period__form=form)
        .exclude(pk=submission.pk)
        .select_related("period")
        .order_by("-period__code")[:12]
    )
    return {
        "s": submission,
        "form": form,
        "period": submission.period,
        "rows": rows,
        "findings": findings,
        "blocking": [f for f in findings if f.blocking],
        "warnings": [f for f in findings if not f.blocking],
        "general": general,
        "homes": homes,
        "errors": errors,
        "checked": checked,
        "explanations": explanations,
        "stored_checks": stored_checks,
        "editable": is_reporter and submission.is_editable and submission.period.is_open(),
        "is_reporter": is_reporter,
        "can_review": can_review and submission.status == Status.SUBMITTED,
        "can_correct": is_reporter and submission.status == Status.APPROVED and submission.period.is_open(),
        "events": submission.events.select_related("actor").order_by("-time", "-id"),
        "changes": submission.value_changes.order_by("-time", "-id"),
        "labels": {f.code: f.label for f in checker.fields},
        "others": others,
        "next_review": _next_review(request.user, submission) if can_review else None,
        # Each form's own idempotency key, fresh with every rendering (jushi.core.idempotency).
        "idempotency": {name: uuid.uuid4() for name in ("submit", "approve", "return")},
        **extra,
    }


def _next_review(user, submission: Submission) -> dict | None:
    """After a decision, what waits next in the reviewer's queue (None while this one is undecided)."""
    if submission.status == Status.SUBMITTED:
        return None
    waiting = Submission.objects.restrict(user, "review").awaiting_review().exclude(pk=submission.pk)
    return {"count": waiting.count()}


def _findings_for(submission: Submission, checker: Checker, current: dict, last_year: dict):
    history = histories(submission.period.form, submission.period, [submission.enterprise_id])[
        submission.enterprise_id
    ]
    return checker.run(current, last_year, history), history


@login_required
def submission_detail(request, pk: int):
    submission = visible_submission(request, pk)
    if request.method != "POST":
        return render(request, "reporting/submission.html", _context(request, submission))
    ensure_reporter(request.user, submission)
    checker = Checker.for_form(submission.period.form, submission.period.zone_id)
    raw, current, last_year, errors = figures_from_post(request.POST, checker)
    codes = [f.code for f in checker.fields]
    explanations = resolve_explanations(
        request.POST, _findings_for(submission, checker, current, last_year)[0], codes
    )
    figures = {
        f.code: (current[f.code], last_year[f.code])
        for f in checker.fields
        if f.code not in errors and f"{f.code}__ly" not in errors
    }
    action = request.POST.get("action", "save")
    try:
        if action == "submit" and not errors:
            # The form's idempotency key: a submit sent twice (a retry, a restart mid-request) acts once.
            with idempotency.once(request, action="reporting.submit", target=submission.pk) as guard:
                if guard.replay:
                    messages.info(request, REPLAYED["reporting.submit"])
                    return redirect(guard.replay.location)
                outcome = submit_report(
                    actor=request.user,
                    submission=submission,
                    figures=figures,
                    explanations=explanations,
                    source=SOURCE,
                    checker=checker,
                )
                if outcome.submitted:
                    guard.record(status=302, location=submission.get_absolute_url())
                    messages.success(
                        request,
                        "本期报表已报送过,内容未变" if outcome.already else "已报送,等待开发区统计人员审核",
                    )
                    return redirect(submission.get_absolute_url())
            findings = outcome.findings
            if outcome.blocking:
                messages.error(
                    request, f"有 {len(outcome.blocking)} 条强制性错误需要修改,已存为草稿,尚未报送"
                )
            else:
                messages.error(request, f"有 {len(outcome.missing)} 条提示需要填写说明后才能报送;已存为草稿")
        else:
            outcome = save_draft(
                actor=request.user, submission=submission, figures=figures, source=SOURCE, checker=checker
            )
            findings = outcome.findings
            if errors:
                messages.error(
                    request,
                    f"有 {len(errors)} 个数值格式不对,其余已存为草稿;请按红字修改"
                    + (",修改后才能报送" if action == "submit" else ""),
                )
            else:
                messages.success(request, "草稿已保存" if outcome.changed else "没有改动")
    except (ReportingError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        findings = []
    except idempotency.IdempotencyError as exc:
        return _refused(request, exc, submission)
    submission.refresh_from_db()
    context = _context(
        request,
        submission,
        checker=checker,
        raw=raw,
        current=current,
        last_year=last_year,
        errors=errors,
        findings=findings,
        explanations={**explanations_from_post(request.POST), **explanations},
        post=request.POST,
    )
    return render(request, "reporting/submission.html", context, status=200 if not errors else 400)


@login_required
@require_POST
def submission_check(request, pk: int):
    """Live checks while typing (HTMX): evaluate what is in the form and save nothing. The answer is the
    summary (#checks) plus, out of band, each field's derived 本月/同比 cells, mark and messages."""
    submission = visible_submission(request, pk)
    if not _is_own_reporter(request.user, submission):
        raise PermissionDenied("只有本企业的填报员可以填报")
    checker = Checker.for_form(submission.period.form, submission.period.zone_id)
    raw, current, last_year, errors = figures_from_post(request.POST, checker)
    findings, history = _findings_for(submission, checker, current, last_year)
    rows = field_rows(
        submission, checker, current, last_year, raw=raw, errors=errors, findings=findings, history=history
    )
    codes = [f.code for f in checker.fields]
    explanations = {
        **explanations_from_post(request.POST),
        **resolve_explanations(request.POST, findings, codes),
    }
    general, homes = attach_messages(rows, findings, explanations=explanations, post=request.POST)
    return render(
        request,
        "reporting/_live_checks.html",
        {
            "s": submission,
            "rows": rows,
            "errors": errors,
            "blocking": [f for f in findings if f.blocking],
            "warnings": [f for f in findings if not f.blocking],
            "general": general,
            "homes": homes,
            "explanations": explanations,
            "editable": True,
            "checked": True,
            "labels": {f.code: f.label for f in checker.fields},
            "oob": True,
        },
    )


# What a repeated request (same idempotency key) is told: the first one's redirect and this message.
REPLAYED = {
    "reporting.submit": "该报表已报送(重复提交已忽略)",
    "reporting.approve": "该报表已审核通过(重复提交已忽略)",
    "reporting.return": "该报表已退回(重复提交已忽略)",
}


def _refused(request, exc: idempotency.IdempotencyError, submission: Submission):
    """A key that cannot be used (reused for another report or action, malformed): said, nothing done."""
    return render(
        request,
        "409.html",
        {
            "title": f"{exc.status} 本次操作未执行",
            "message": str(exc),
            "error_link": submission.get_absolute_url(),
            "error_link_text": "返回报表",
        },
        status=exc.status,
    )


def _review(request, pk: int, step, *, action: str):
    submission = visible_submission(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        with idempotency.once(request, action=action, target=submission.pk) as guard:
            if guard.replay:
                messages.info(request, REPLAYED[action])
                return redirect(guard.replay.location)
            try:
                step(submission, version)
            except Conflict as exc:
                messages.error(request, str(exc))
            except (ReportingError, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                if request.POST.get("then") == "next":  # 通过并审核下一份
                    location = reverse("reporting:submission_next")
                else:
                    location = submission.get_absolute_url()
                guard.record(status=302, location=location)
                return redirect(location)
    except idempotency.IdempotencyError as exc:
        return _refused(request, exc, submission)
    return redirect(submission.get_absolute_url())


@login_required
@require_POST
def submission_approve(request, pk: int):
    def step(submission, version):
        approve_submission(
            actor=request.user,
            submission=submission,
            version=version,
            source=SOURCE,
            note=request.POST.get("note", ""),
        )
        messages.success(request, f"已审核通过:{submission.enterprise}")

    return _review(request, pk, step, action="reporting.approve")


@login_required
@require_POST
def submission_return(request, pk: int):
    def step(submission, version):
        return_submission(
            actor=request.user,
            submission=submission,
            reason=request.POST.get("reason", ""),
            version=version,
            source=SOURCE,
        )
        messages.success(request, f"已退回:{submission.enterprise},企业将看到退回原因")

    return _review(request, pk, step, action="reporting.return")


@login_required
@require_POST
def submission_correct(request, pk: int):
    submission = visible_submission(request, pk)
    try:
        start_correction(
            actor=request.user, submission=submission, reason=request.POST.get("reason", ""), source=SOURCE
        )
        messages.success(request, "已开始更正(新修订版);修改后请重新报送,审核通过前仍以原审核数为准")
    except (ReportingError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    return redirect(submission.get_absolute_url())


@login_required
def submission_next(request):
    """After a review, the next report waiting in the queue."""
    nxt = (
        Submission.objects.restrict(request.user, "review").awaiting_review().order_by("submitted_at").first()
    )
    return redirect(nxt.get_absolute_url() if nxt else "reporting:review_queue")
