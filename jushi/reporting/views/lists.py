"""The reporter's inbox, the staff review queue, and the completeness board."""

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jushi.core import clock
from jushi.core.scopes import can, scope_of
from jushi.registry.models import Zone

from ..choices import DONE, Status
from ..models import PlausibilityFlag, ReportForm, ReportingPeriod, Submission
from ..services.errors import Conflict, ReportingError
from ..services.periods import close_period, open_period, parse_period, reopen_period
from ..services.plausibility import review_flag
from ..services.submissions import send_reminders, under_correction
from .common import SOURCE

MAX_ID = 2**63 - 1  # ids are 64-bit


@login_required
def inbox(request):
    """What is due, by when: the enterprise reporter's start page."""
    if scope_of(request.user).enterprise_id is None:
        if can(request.user, "review"):
            return redirect("reporting:board")
        return redirect("reporting:review_queue")
    now = clock.now()
    rows = (
        Submission.objects.visible_to(request.user)
        .filter(period__opens_at__lte=now)
        .select_related("period__form", "enterprise")
        .order_by("period__deadline")
    )
    groups = OrderedDict(
        [("returned", []), ("correcting", []), ("overdue", []), ("due", []), ("upcoming", []), ("done", [])]
    )
    for s in rows:
        if s.status == Status.RETURNED:
            groups["returned"].append(s)
        elif under_correction(s):  # the approved figures stand meanwhile: not overdue
            groups["correcting"].append(s)
        elif s.status in DONE:
            groups["done"].append(s)
        elif now > s.period.deadline:
            groups["overdue"].append(s)
        else:
            groups["due"].append(s)
    upcoming = (
        Submission.objects.visible_to(request.user)
        .filter(period__opens_at__gt=now)
        .select_related("period__form")
        .order_by("period__opens_at")
    )
    groups["upcoming"] = list(upcoming)
    groups["done"] = sorted(groups["done"], key=lambda s: s.period.deadline, reverse=True)[:24]
    return render(request, "reporting/inbox.html", {"groups": groups, "now": now})


REVIEW_PAGE_SIZE = 100


@login_required
def review_queue(request):
    if not can(request.user, "review"):
        raise PermissionDenied("无权审核报表")
    queue = (
        Submission.objects.restrict(request.user, "review")
        .awaiting_review()
        .select_related("period__form", "period__zone", "enterprise__park", "submitted_by")
        .annotate(
            n_warnings=Count("check_results", filter=Q(check_results__severity="warning"), distinct=True)
        )
        .order_by("submitted_at")
    )
    recent = (
        Submission.objects.restrict(request.user, "review")
        .filter(status__in=[Status.APPROVED, Status.RETURNED], reviewed_at__isnull=False)
        .select_related("period__form", "enterprise", "reviewed_by")
        .order_by("-reviewed_at")[:15]
    )
    # A page at a time: at a deadline hundreds wait, oldest first, and a reviewer works from the top.
    page = Paginator(queue, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reporting/review_queue.html", {"queue": page, "page": page, "recent": recent})


def _board_choice(request):
    forms = list(ReportForm.objects.filter(is_active=True))
    zones = list(Zone.objects.restrict(request.user, "view"))
    zone = next((z for z in zones if z.code == request.GET.get("zone")), zones[0] if zones else None)
    # By default the form whose period opened last in the zone: what enterprises are filling in now.
    latest = (
        ReportingPeriod.objects.filter(zone=zone, form__in=forms, opens_at__lte=clock.now())
        .order_by("-opens_at", "form__code")
        .values_list("form_id", flat=True)
        .first()
        if zone
        else None
    )
    default = next((f for f in forms if f.pk == latest), forms[0] if forms else None)
    form = next((f for f in forms if f.code == request.GET.get("form")), default)
    periods = (
        list(ReportingPeriod.objects.visible_to(request.user).filter(form=form, zone=zone).order_by("-code"))
        if form and zone
        else []
    )
    # By default the newest period already open for filling (by the application clock), never one
    # that opens in the future; the newest of all only when none is open yet.
    now = clock.now()
    started = next((p for p in periods if p.opens_at <= now), periods[0] if periods else None)
    period = next((p for p in periods if p.code == request.GET.get("period")), started)
    return forms, zones, form, zone, periods, period


@login_required
def board(request):
    """应报/已报/未报/逾期 for one period of one form in one zone, by park, with the lists."""
    if not (
        can(request.user, "review")
        or request.user.role in ("leader", "regional")
        or request.user.is_superuser
    ):
        raise PermissionDenied("无权查看报送情况")
    forms, zones, form, zone, periods, period = _board_choice(request)
    context = {
        "forms": forms,
        "zones": zones,
        "form": form,
        "zone": zone,
        "periods": periods,
        "period": period,
    }
    context["can_review"] = can(request.user, "review")
    if period is not None:
        now = clock.now()
        subs = list(
            Submission.objects.visible_to(request.user)
            .filter(period=period)
            .select_related("enterprise__park", "submitted_by")
            .order_by("enterprise__park__name", "enterprise__name")
        )
        by_park: OrderedDict[str, dict] = OrderedDict()
        totals = {
            "due": 0,
            "done": 0,
            "owed": 0,
            "late": 0,
            "approved": 0,
            "returned": 0,
            "submitted": 0,
            "correcting": 0,
        }
        for s in subs:
            park = s.enterprise.park.name if s.enterprise.park else "未分园区"
            row = by_park.setdefault(park, {k: 0 for k in totals})
            # A report reopened for correction was reported and approved; its approved figures stand
            # until the new revision is approved. It is counted on its own: not owed, not overdue now.
            s.correcting = under_correction(s)
            if s.correcting:
                late = s.first_submitted_at is not None and s.first_submitted_at > period.deadline
            else:
                late = s.is_overdue(now)
            for target in (row, totals):
                target["due"] += 1
                target["done"] += s.is_done
                target["correcting"] += s.correcting
                target["owed"] += not s.is_done and not s.correcting
                target["late"] += late
                target["approved"] += s.status == Status.APPROVED
                target["returned"] += s.status == Status.RETURNED and not s.correcting
                target["submitted"] += s.status == Status.SUBMITTED
            s.late = late
        flags = list(
            PlausibilityFlag.objects.visible_to(request.user)
            .filter(period=period)
            .select_related("field", "dominant", "reviewed_by")
        )
        context.update(
            flags=flags,
            open_flags=sum(f.is_open for f in flags),
            subs=subs,
            by_park=by_park,
            totals=totals,
            owed=[s for s in subs if not s.is_done and not s.correcting],
            correcting=[s for s in subs if s.correcting],
            late_done=[s for s in subs if (s.is_done or s.correcting) and s.late],
            # Reported = submitted or approved, and the approved reports being corrected.
            rate=(
                round((totals["done"] + totals["correcting"]) * 100 / totals["due"], 1)
                if totals["due"]
                else None
            ),
            now=now,
            can_review_flags=ReportingPeriod.objects.restrict(request.user, "review")
            .filter(pk=period.pk)
            .exists(),
        )
    return render(request, "reporting/board.html", context)


@login_required
@require_POST
def board_remind(request, pk: int):
    period = ReportingPeriod.objects.restrict(request.user, "review").filter(pk=pk).first()
    if period is None:
        raise PermissionDenied("无权催报")
    chosen = request.POST.getlist("enterprise")
    ids = [int(x) for x in chosen if x.isascii() and x.isdigit() and 0 < int(x) <= MAX_ID] if chosen else None
    if chosen and len(ids) != len(chosen):  # a bad id must not widen the reminder to every enterprise
        messages.error(request, "企业: 编号无效,未催报任何企业")
        return redirect(_board_url(period))
    count, mails = send_reminders(actor=request.user, period=period, source=SOURCE, enterprise_ids=ids)
    messages.success(
        request, f"已催报 {count} 家企业(站内通知;邮件 {mails} 封)" if count else "没有需要催报的企业"
    )
    return redirect(_board_url(period))


def _board_url(period: ReportingPeriod) -> str:
    return (
        reverse("reporting:board") + f"?form={period.form.code}&zone={period.zone.code}&period={period.code}"
    )


@login_required
@require_POST
def period_open(request):
    form = ReportForm.objects.filter(code=request.POST.get("form", "")).first()
    zone = Zone.objects.restrict(request.user, "review").filter(code=request.POST.get("zone", "")).first()
    if form is None or zone is None:
        messages.error(request, "表式或开发区: 请选择")
        return redirect("reporting:board")
    try:
        period = parse_period(form, request.POST.get("period", ""))
        row, added = open_period(actor=request.user, form=form, zone=zone, period=period)
    except ReportingError as exc:
        messages.error(request, f"报告期: {exc}")
        return redirect(reverse("reporting:board") + f"?form={form.code}&zone={zone.code}")
    messages.success(request, f"已开放 {zone} {row.label}“{form.name}”,新增应报企业 {added} 家")
    return redirect(_board_url(row))


@login_required
@require_POST
def period_close(request, pk: int):
    period = ReportingPeriod.objects.restrict(request.user, "review").filter(pk=pk).first()
    if period is None:
        raise PermissionDenied("无权管理报告期")
    if request.POST.get("reopen"):
        reopen_period(actor=request.user, period=period)
        messages.success(request, f"已重新开放 {period.label}")
    else:
        close_period(actor=request.user, period=period)
        messages.success(request, f"已关闭 {period.label}:企业不能再填报或更正")
    return redirect(_board_url(period))


@login_required
@require_POST
def flag_review(request, pk: int):
    """Mark a plausibility flag reviewed, with the reviewer's note (required)."""
    flag = (
        PlausibilityFlag.objects.restrict(request.user, "review")
        .select_related("period")
        .filter(pk=pk)
        .first()
    )
    if flag is None:
        raise PermissionDenied("无权核实该开发区的数据")
    try:
        review_flag(actor=request.user, flag=flag, note=request.POST.get("note", ""), source=SOURCE)
    except (ReportingError, Conflict) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已核实:{flag.field.label}")
    return redirect(_board_url(flag.period) + "#flags")
