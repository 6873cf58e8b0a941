"""Signing events (签约活动), the key-project schedule (重点项目调度), the problem board (问题清单) and
pipeline analytics (招商分析), DOMAIN.md §6.

Every page starts from `restrict(request.user, "view")`; enterprise reporters are refused. Figures come
from grouped database queries (counts and sums by stage, by grade, by day count), never from loading the
ledger's rows: the analytics page stays fast on a province-sized ledger. The arithmetic on those sums is
in `projects/analytics.py`.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from jushi.core import clock
from jushi.core.choices import ChangeSource
from jushi.core.scopes import can
from jushi.indicators.models import Target
from jushi.lib import growth, indicator_math, wording
from jushi.lib.periods import Period
from jushi.registry.models import Park, Zone

from .. import analytics as calc
from .. import services
from ..choices import (
    BIG_PROJECT,
    COUNTED,
    DUE_SOON_DAYS,
    EVIDENCE_GRADE,
    EVIDENCED,
    DuplicateStatus,
    Evidence,
    Light,
    ProblemStatus,
    StageCode,
)
from ..models import Event, FundsRecord, Milestone, MonthlyInvestment, Problem, Project, Stage, StageChange

EVENT_PAGE = 50
SCHEDULE_PAGE = 50
PROBLEM_PAGE = 100
RESOLVED_SHOWN = 50
FIRST_YEAR = 2000
SIGN_TARGET, FUNDS_TARGET = "INV_SIGN_AMT", "INV_FUND"
UNCOUNTED = (DuplicateStatus.FLAGGED, DuplicateStatus.MERGED)
LIGHT_WORDS = {Light.RED: "红", Light.AMBER: "黄", Light.GREEN: "绿"}


# ---- shared helpers ----------------------------------------------------------------------------------


def _zones(request) -> list[Zone]:
    """Zones whose ledger the user may read. Enterprise reporters have no business in the ledger."""
    if getattr(request.user, "is_reporter", False):
        raise PermissionDenied("企业填报账号无权查看招商项目")
    return list(Zone.objects.restrict(request.user, "view").order_by("name"))


def _zone(request, zones: list[Zone], notices: list[str], *, required: bool) -> Zone | None:
    """The zone asked for by `?zone=` among those in scope; the first one when required and none asked."""
    code = request.GET.get("zone", "").strip()
    found = next((z for z in zones if z.code == code), None)
    if code and found is None:
        notices.append(
            f"开发区“{code[:30]}”不存在或不在您的权限范围内,已显示{'其他开发区' if required else '全部'}"
        )
    if found is None and required and zones:
        found = zones[0]
    return found


def _as_year(raw: str) -> int | None:
    """A year typed in a query string; None unless four ASCII digits (isdigit() alone lets "²" through
    to int(), which refuses it)."""
    return int(raw) if len(raw) == 4 and raw.isascii() and raw.isdigit() else None


def _year(request, default: int, first: int, last: int, notices: list[str]) -> int:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return default
    year = _as_year(raw)
    if year is None or not first <= year <= last:
        notices.append(f"年度“{raw[:10]}”无效:应为 {first}–{last} 之间的年份,已显示 {default} 年")
        return default
    return year


def _yi(wan: Decimal | None) -> Decimal | None:
    return wording.yi_from_ten_thousand_yuan(wan)


def _pct(rate: Decimal | None) -> Decimal | None:
    return growth.percent(rate)


def _num(value: Decimal | None, places: str = "0.01") -> float | None:
    return None if value is None else float(Decimal(value).quantize(Decimal(places)))


def _query(request) -> str:
    """The page's query string without the page number, for pager links that keep the filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _stages() -> dict[str, Stage]:
    return {s.code: s for s in Stage.objects.all()}


# ---- signing events ----------------------------------------------------------------------------------


@login_required
def event_list(request):
    """Signing events with the projects signed at each, counted once, and their agreed investment."""
    zones = _zones(request)
    notices: list[str] = []
    zone = _zone(request, zones, notices, required=False)
    visible = Project.objects.restrict(request.user, "view").values("pk")
    signed = Q(projects__in=visible, projects__signed_on__isnull=False)
    counted = signed & Q(projects__duplicate_status__in=COUNTED)
    events = Event.objects.restrict(request.user, "view").filter(zone__in=zones)
    if zone is not None:
        events = events.filter(zone=zone)
    years = sorted({d.year for d in events.dates("held_on", "year")}, reverse=True)
    year = None
    raw = request.GET.get("year", "").strip()
    if raw:
        if _as_year(raw) in years:
            year = _as_year(raw)
            events = events.filter(held_on__year=year)
        else:
            notices.append(f"年度“{raw[:10]}”没有签约活动,已显示全部年度")
    events = (
        events.select_related("zone")
        .annotate(
            signed_n=Count("projects", filter=counted),
            signed_amount=Sum("projects__agreed_investment", filter=counted),
            doubtful_n=Count("projects", filter=signed & Q(projects__duplicate_status__in=UNCOUNTED)),
        )
        .order_by("-held_on", "name")
    )
    page = Paginator(events, EVENT_PAGE).get_page(request.GET.get("page"))
    for event in page:
        event.signed_yi = _yi(event.signed_amount)
    context = {
        "zones": zones,
        "zone": zone,
        "years": years,
        "year": year,
        "page": page,
        "query": _query(request),
        "notices": notices,
        "can_add": _event_zones(request.user).exists(),
    }
    return render(request, "projects/event_list.html", context)


@login_required
def event_detail(request, pk: int):
    """One event's projects (name, investor, amount, stage, signed date) with totals counted once: a
    suspected or merged duplicate is listed and marked but left out of the totals."""
    _zones(request)
    event = get_object_or_404(Event.objects.restrict(request.user, "view").select_related("zone"), pk=pk)
    rows = list(
        Project.objects.restrict(request.user, "view")
        .filter(event=event)
        .select_related("investor", "stage", "duplicate_of")
        .order_by("signed_on", "code")
    )
    # A row's original, when it is a duplicate, by code only if the user may see the original.
    originals = {p.duplicate_of_id for p in rows if p.duplicate_of_id}
    seen = set(Project.objects.visible_to(request.user).filter(pk__in=originals).values_list("pk", flat=True))
    for p in rows:
        p.duplicate_code = p.duplicate_of.code if p.duplicate_of_id in seen else ""
    counted = [p for p in rows if p.is_counted() and p.signed_on is not None]
    total = sum((p.agreed_investment or 0 for p in counted), Decimal(0))
    context = {
        "event": event,
        "rows": rows,
        "counted_n": len(counted),
        "total_yi": _yi(total),
        "left_out": [p for p in rows if not p.is_counted()],
        "unsigned_n": sum(1 for p in rows if p.signed_on is None),
    }
    return render(request, "projects/event_detail.html", context)


def _event_zones(user):
    """Zones the user may register events in."""
    if not can(user, "add") or getattr(user, "is_reporter", False):
        return Zone.objects.none()
    return Zone.objects.restrict(user, "add").order_by("name")


class EventForm(forms.Form):
    zone = forms.ModelChoiceField(label="开发区", queryset=Zone.objects.none(), empty_label=None)
    name = forms.CharField(label="活动名称", max_length=100, help_text="如 第八届中国—亚欧博览会")
    held_on = forms.DateField(label="举办日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="地点", max_length=100, required=False)
    note = forms.CharField(
        label="说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, zones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = zones


@login_required
def event_create(request):
    """Register a signing event (staff of the zone); projects are linked to it from their own pages."""
    zones = _event_zones(request.user)
    if not zones.exists():
        raise PermissionDenied("无权登记签约活动")
    form = EventForm(request.POST or None, zones=zones)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.create_event(
                actor=request.user, zone=data["zone"], data=data, source=ChangeSource.WEB
            )
        except services.ProjectError as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, f"已登记签约活动:{event.name}")
            return redirect("projects:event_detail", pk=event.pk)
    return render(request, "projects/event_form.html", {"form": form})


# ---- key-project schedule ----------------------------------------------------------------------------


def key_projects(user, zone: Zone, stages: dict[str, Stage]):
    """重点项目: signed and not yet at full capacity (签约…投产), agreed investment of 1 亿元 or more,
    counted once."""
    low, high = stages[StageCode.SIGNED].order, stages[StageCode.PRODUCING].order
    under_way = [s.pk for s in stages.values() if low <= s.order <= high]
    return (
        Project.objects.restrict(user, "view")
        .counted()
        .filter(zone=zone, stage__in=under_way, agreed_investment__gte=BIG_PROJECT)
    )


def _sub_total(model, field: str, **filters):
    """A per-project total from `model` as a correlated subquery (no row multiplication across joins)."""
    rows = (
        model.objects.filter(project=OuterRef("pk"), **filters)
        .order_by()
        .values("project")
        .annotate(total=Sum(field) if field != "id" else Count("id"))
        .values("total")[:1]
    )
    if field == "id":
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)
    return Subquery(rows)


@login_required
def schedule(request):
    """重点项目调度: each key project's plan and actual investment in the year (by default the latest
    year with a monthly plan), milestones late, open problems and a light; filter by park and
    responsible official."""
    zones = _zones(request)
    notices: list[str] = []
    zone = _zone(request, zones, notices, required=True)
    if zone is None:
        return render(request, "projects/schedule.html", {"zones": zones, "notices": notices})
    today = clock.today()
    stages = _stages()
    rows = key_projects(request.user, zone, stages)
    latest = MonthlyInvestment.objects.filter(
        project__in=rows.values("pk"), month__lte=f"{today.year}-12"
    ).aggregate(last=Max("month"))["last"]
    year = _year(request, int(latest[:4]) if latest else today.year, FIRST_YEAR, today.year, notices)
    months = calc.months_elapsed(year, today)
    last_month = f"{year}-{months:02d}"
    officials = list(
        rows.exclude(official="").values_list("official", flat=True).distinct().order_by("official")
    )
    parks = list(Park.objects.filter(zone=zone).order_by("name"))
    park_code = request.GET.get("park", "").strip()
    park = next((p for p in parks if p.code == park_code), None)
    if park_code and park is None:
        notices.append(f"功能区“{park_code[:30]}”不属于{zone.name},已显示全部功能区")
    if park is not None:
        rows = rows.filter(park=park)
    official = request.GET.get("official", "").strip()
    if official:
        if official in officials:
            rows = rows.filter(official=official)
        else:
            notices.append(f"责任领导“{official[:30]}”没有重点项目,已显示全部")
            official = ""
    in_year = {"month__gte": f"{year}-01", "month__lte": f"{year}-12"}
    summary = rows.aggregate(n=Count("id"), amount=Sum("agreed_investment"))
    monthly = MonthlyInvestment.objects.filter(project__in=rows.values("pk"), **in_year).aggregate(
        plan_year=Sum("planned"),
        plan=Sum("planned", filter=Q(month__lte=last_month)),
        actual=Sum("actual", filter=Q(month__lte=last_month)),
    )
    # The page's projects first, then their figures: the per-project subqueries run for 50 rows, not
    # for every key project the sort has to look at.
    paginator = Paginator(
        rows.order_by("-agreed_investment", "code").values_list("pk", flat=True), SCHEDULE_PAGE
    )
    paginator.count = summary["n"]  # already counted above
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    found = {
        p.pk: p
        for p in Project.objects.filter(pk__in=ids)
        .select_related("stage", "park", "investor")
        .annotate(
            plan_year=_sub_total(MonthlyInvestment, "planned", **in_year),
            plan_to_date=_sub_total(
                MonthlyInvestment, "planned", month__gte=f"{year}-01", month__lte=last_month
            ),
            actual_to_date=_sub_total(
                MonthlyInvestment, "actual", month__gte=f"{year}-01", month__lte=last_month
            ),
            late_milestones=_sub_total(Milestone, "id", actual_on__isnull=True, planned_on__lt=today),
            open_problems=_sub_total(Problem, "id", status=ProblemStatus.OPEN),
            overdue_problems=_sub_total(Problem, "id", status=ProblemStatus.OPEN, due_on__lt=today),
        )
    }
    page.object_list = [found[pk] for pk in ids]
    for p in page.object_list:
        p.completion_pct = _pct(calc.rate(p.actual_to_date or 0, p.plan_to_date))
        p.schedule_light = calc.schedule_light(
            p.light(today),
            late_milestones=p.late_milestones,
            overdue_problems=p.overdue_problems,
            open_problems=p.open_problems,
            planned_to_date=p.plan_to_date,
            actual_to_date=p.actual_to_date,
        )
    context = {
        "zones": zones,
        "zone": zone,
        "year": year,
        "years": sorted({*range(today.year, today.year - 6, -1), year}, reverse=True),
        "months": months,
        "parks": parks,
        "park": park,
        "officials": officials,
        "official": official,
        "page": page,
        "query": _query(request),
        "notices": notices,
        "summary": {
            "n": summary["n"],
            "amount_yi": _yi(summary["amount"]),
            "plan_year_yi": _yi(monthly["plan_year"]),
            "plan_yi": _yi(monthly["plan"]),
            "actual_yi": _yi(monthly["actual"]),
            "completion_pct": _pct(calc.rate(monthly["actual"] or 0, monthly["plan"])),
        },
    }
    return render(request, "projects/schedule.html", context)


@login_required
def schedule_project(request, pk: int):
    """One project's schedule: monthly planned vs actual investment with cumulative lines, the milestone
    timeline (late ones red) and its open problems."""
    _zones(request)
    project = get_object_or_404(
        Project.objects.restrict(request.user, "view").select_related("zone", "stage", "investor", "park"),
        pk=pk,
    )
    today = clock.today()
    notices: list[str] = []
    monthly = {m.month: m for m in MonthlyInvestment.objects.filter(project=project)}
    with_data = {int(month[:4]) for month in monthly}
    years = sorted(with_data | {today.year}, reverse=True)
    # this year when it has figures, else the latest year that has (a plan for next year is not "now")
    default = max((y for y in with_data if y <= today.year), default=today.year)
    year = _year(request, default, min(years), max(years), notices)
    planned = [getattr(monthly.get(f"{year}-{m:02d}"), "planned", None) for m in range(1, 13)]
    actual = [getattr(monthly.get(f"{year}-{m:02d}"), "actual", None) for m in range(1, 13)]
    months = calc.months_elapsed(year, today)
    plan_to_date = sum((v or 0 for v in planned[:months]), Decimal(0))
    actual_to_date = sum((v or 0 for v in actual[:months]), Decimal(0))
    chart = {
        "months": [f"{m}月" for m in range(1, 13)],
        "planned": [_num(v) for v in planned],
        "actual": [_num(v) for v in actual],
        "planned_cum": [_num(v) for v in calc.cumulative(planned)],
        "actual_cum": [_num(v) for v in calc.cumulative(actual)],
    }
    milestones = list(Milestone.objects.filter(project=project).order_by("planned_on", "id"))
    for m in milestones:
        m.state = m.light(today)
        m.late_days = m.days_late(today)
    problems = list(Problem.objects.filter(project=project).open().order_by("due_on", "id"))
    for p in problems:
        p.state = p.light(today)
        p.overdue_days = p.days_overdue(today)
    context = {
        "project": project,
        "light": project.light(today),
        "year": year,
        "years": years,
        "notices": notices,
        "chart": chart,
        "has_monthly": any(v is not None for v in planned + actual),
        "plan_year": sum((v or 0 for v in planned), Decimal(0)),
        "months_elapsed": months,
        "plan_to_date": plan_to_date,
        "actual_to_date": actual_to_date,
        "completion_pct": _pct(calc.rate(actual_to_date, plan_to_date)),
        "milestones": milestones,
        "late_n": sum(1 for m in milestones if m.state == Light.RED),
        "problems": problems,
        "resolved_n": Problem.objects.filter(project=project, status=ProblemStatus.RESOLVED).count(),
    }
    return render(request, "projects/schedule_project.html", context)


# ---- problem board -----------------------------------------------------------------------------------


def _light_filters(today: dt.date) -> dict[str, Q]:
    """The problem light as a database filter, the same rule as `Problem.light`."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    return {
        Light.RED: Q(due_on__lt=today),
        Light.AMBER: Q(due_on__gte=today, due_on__lte=soon),
        Light.GREEN: Q(due_on__gt=soon),
    }


@login_required
def problem_board(request):
    """问题清单: open problems of the visible projects, overdue (red) first, then due soon, then the rest,
    with escalation, owner and unit; resolved ones in a secondary list."""
    zones = _zones(request)
    notices: list[str] = []
    zone = _zone(request, zones, notices, required=False)
    today = clock.today()
    base = Problem.objects.restrict(request.user, "view")
    if zone is not None:
        base = base.filter(project__zone=zone)
    units = list(
        base.open()
        .exclude(owner_unit="")
        .values_list("owner_unit", flat=True)
        .distinct()
        .order_by("owner_unit")
    )
    unit = request.GET.get("unit", "").strip()
    if unit:
        if unit not in units:
            notices.append(f"责任单位“{unit[:30]}”没有未解决的问题")
        base = base.filter(owner_unit=unit)
    lights = _light_filters(today)
    open_rows = base.open()
    counts = open_rows.aggregate(**{str(k): Count("id", filter=q) for k, q in lights.items()})
    light = request.GET.get("light", "").strip()
    if light and light not in lights:
        notices.append(f"灯色“{light[:10]}”无效:应为 red(红)、amber(黄)、green(绿),已显示全部")
        light = ""
    if light:
        open_rows = open_rows.filter(lights[light])
    page = Paginator(
        open_rows.select_related("project", "project__zone").order_by("due_on", "id"), PROBLEM_PAGE
    ).get_page(request.GET.get("page"))
    for p in page:
        p.state = p.light(today)
        p.overdue_days = p.days_overdue(today)
    resolved = base.filter(status=ProblemStatus.RESOLVED)
    context = {
        "zones": zones,
        "zone": zone,
        "units": units,
        "unit": unit,
        "light": light,
        "light_words": LIGHT_WORDS,
        "counts": counts,
        "open_n": sum(counts.values()),
        "page": page,
        "query": _query(request),
        "resolved": resolved.select_related("project", "project__zone").order_by("-resolved_on", "-id")[
            :RESOLVED_SHOWN
        ],
        "resolved_n": resolved.count(),
        "notices": notices,
        "due_soon_days": DUE_SOON_DAYS,
    }
    if request.headers.get("HX-Request"):
        return render(request, "projects/_analytics_problems.html", context)
    return render(request, "projects/problem_board.html", context)


# ---- pipeline analytics ------------------------------------------------------------------------------


@login_required
def analytics(request):
    """招商分析 for a zone and year: the funnel, conversion of the year's signings, funds-in-place rate,
    time in stage, funds by evidence grade, and the signing forecast and funds against the year's targets."""
    zones = _zones(request)
    notices: list[str] = []
    zone = _zone(request, zones, notices, required=True)
    if zone is None:
        return render(request, "projects/analytics.html", {"zones": zones, "notices": notices})
    today = clock.today()
    # Totals count every project of the zone, confidential ones too (as the indicators do); the pages
    # that list projects by name leave those out for users who may not see them.
    counted = Project.objects.filter(zone=zone).counted()
    signings = counted.filter(signed_on__isnull=False).values_list("signed_on", flat=True)
    last, first = signings.order_by("-signed_on").first(), signings.order_by("signed_on").first()
    default = last.year if last else today.year
    first_year = first.year if first else default
    year = _year(request, default, first_year, today.year, notices)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    stages = list(Stage.objects.all())
    months = calc.months_elapsed(year, today)
    period = Period.month(year, months)
    funnel = _funnel(counted, stages, today, start, end)
    cohort = _cohort(counted, funnel, start, end)
    cohort_funds = FundsRecord.objects.filter(
        project__in=counted.filter(signed_on__gte=start, signed_on__lte=end).values("pk"),
        evidence__in=EVIDENCED,
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    funds = FundsRecord.objects.filter(zone=zone)
    grades = _grades(funds, start, end)
    funds_ytd = sum((g["amount"] for g in grades if g["counted"]), Decimal(0))
    open_pipeline = (
        [
            (row["amount"], row["stage"].probability)
            for row in funnel
            if row["stage"].code in (StageCode.LEAD, StageCode.TALKS)
        ]
        if year == today.year
        else []
    )
    forecast = calc.weighted_forecast(cohort["signed_amount"], open_pipeline)
    targets = {
        t.indicator.code: t
        for t in Target.objects.filter(
            zone=zone, year=year, indicator__code__in=(SIGN_TARGET, FUNDS_TARGET), value__isnull=False
        ).select_related("indicator")
    }
    context = {
        "zones": zones,
        "zone": zone,
        "year": year,
        "years": range(today.year, first_year - 1, -1),
        "notices": notices,
        "funnel": funnel,
        "funnel_json": [
            {
                "name": row["stage"].name,
                "value": row["reached"],
                "now": row["n"],
                "amount": _num(_yi(row["amount"])),
            }
            for row in funnel
        ],
        "cohort": cohort,
        "rates": {
            "start": _pct(calc.rate(cohort["started"], cohort["signed"])),
            "produce": _pct(calc.rate(cohort["producing"], cohort["signed"])),
            "sign": _pct(calc.rate(cohort["leads_signed"], cohort["leads"])),
            "funds": _pct(calc.rate(cohort_funds, cohort["signed_amount"])),
        },
        "signed_yi": _yi(cohort["signed_amount"]),
        "cohort_funds_yi": _yi(cohort_funds),
        "stay": _time_in_stage(counted, stages, funnel, start, end),
        "grades": grades,
        "funds_ytd_yi": _yi(funds_ytd),
        "funds_all_yi": _yi(sum((g["amount"] for g in grades), Decimal(0))),
        "period": period,
        "time_progress": _pct(Decimal(period.time_progress.numerator) / period.time_progress.denominator),
        "is_current": year == today.year,
        "pipeline_yi": _yi(forecast - cohort["signed_amount"]),
        "forecast_yi": _yi(forecast),
        "sign_target": _target(targets.get(SIGN_TARGET), _yi(cohort["signed_amount"]), period, _yi(forecast)),
        "funds_target": _target(targets.get(FUNDS_TARGET), _yi(funds_ytd), period),
    }
    return render(request, "projects/analytics.html", context)


def _funnel(counted, stages: list[Stage], today: dt.date, start: dt.date, end: dt.date) -> list[dict]:
    """By current stage: count, agreed investment, how many are over the stage's time limit, and how
    many of the year's leads are there (signed or not); with how many have reached each stage and the
    share of those reaching the stage before that went on to it. One grouped query: the only pass over all the
    zone's projects."""
    over = Q(pk__in=[])
    for stage in stages:
        if stage.time_limit_days:
            over |= Q(stage=stage, stage_entered_on__lt=today - dt.timedelta(days=stage.time_limit_days))
    leads = Q(lead_on__gte=start, lead_on__lte=end)
    grouped = {
        row["stage"]: row
        for row in counted.values("stage")
        .annotate(
            n=Count("id"),
            amount=Sum("agreed_investment"),
            over=Count("id", filter=over),
            leads=Count("id", filter=leads),
            leads_signed=Count("id", filter=leads & Q(signed_on__isnull=False)),
        )
        .order_by()
    }
    widths = calc.reached([grouped.get(stage.pk, {}).get("n", 0) for stage in stages])
    out = []
    for i, stage in enumerate(stages):
        row = grouped.get(stage.pk, {})
        amount = row.get("amount") or Decimal(0)
        out.append(
            {
                "stage": stage,
                "n": row.get("n", 0),
                "reached": widths[i],
                "step": None if i == 0 else _pct(calc.rate(widths[i], widths[i - 1])),
                "amount": amount,
                "amount_yi": _yi(amount),
                "over": row.get("over", 0),
                "leads": row.get("leads", 0),
                "leads_signed": row.get("leads_signed", 0),
            }
        )
    return out


def _cohort(counted, funnel: list[dict], start: dt.date, end: dt.date) -> dict:
    """The year's signings and how far they have come (one aggregate over the signing-date index), and
    the year's leads and how many signed (from the funnel's query)."""
    # The year's signed amount and 亿元 projects as the ledger's INV_SIGN_AMT / INV_BIG_N count them: with
    # the agreed investment as it stood at the year's end (a later contract change does not move them).
    row = (
        counted.filter(signed_on__gte=start, signed_on__lte=end)
        .with_agreed_as_of(end)
        .aggregate(
            signed=Count("id"),
            signed_amount=Sum("agreed_then"),
            big=Count("id", filter=Q(agreed_then__gte=BIG_PROJECT)),
            started=Count("id", filter=Q(started_on__isnull=False)),
            producing=Count("id", filter=Q(produced_on__isnull=False)),
        )
    )
    row["signed_amount"] = row["signed_amount"] or Decimal(0)
    row["leads"] = sum(r["leads"] for r in funnel)
    row["leads_signed"] = sum(r["leads_signed"] for r in funnel)
    return row


def _grades(funds, start: dt.date, end: dt.date) -> list[dict]:
    """Funds in place dated in the year by evidence grade A–D; only A–C count in INV_FUND."""
    sums = dict(
        funds.filter(on__gte=start, on__lte=end)
        .values("evidence")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("evidence", "total")
    )
    whole = sum(sums.values(), Decimal(0))
    return [
        {
            "grade": EVIDENCE_GRADE[kind],
            "label": kind.label,
            "amount": sums.get(kind.value, Decimal(0)),
            "amount_yi": _yi(sums.get(kind.value, Decimal(0))),
            "share": _pct(calc.rate(sums.get(kind.value, Decimal(0)), whole)),
            "counted": kind in EVIDENCED,
        }
        for kind in Evidence
    ]


def _time_in_stage(
    counted, stages: list[Stage], funnel: list[dict], start: dt.date, end: dt.date
) -> list[dict]:
    """Average and median days of the stays in each stage that began in the year and are over (the
    project has moved on), of the projects counted once; and how many projects are in the stage now and
    over its time limit. One query groups the stays by stage and day count, so the median is exact
    without loading the stays."""
    histograms: dict[int, dict[int, int]] = {}
    for stage_id, days, n in (
        StageChange.objects.filter(
            project__in=counted.values("pk"), on__gte=start, on__lte=end, days__isnull=False
        )
        .values("to_stage", "days")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("to_stage", "days", "n")
    ):
        histograms.setdefault(stage_id, {})[days] = n
    now = {row["stage"].pk: row for row in funnel}
    out = []
    for stage in stages:
        counts = histograms.get(stage.pk, {})
        mean = calc.histogram_mean(counts)
        median = calc.histogram_median(counts)
        out.append(
            {
                "stage": stage,
                "stays": sum(counts.values()),
                "mean": None if mean is None else mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
                "median": median,
                "now": now[stage.pk]["n"],
                "over": now[stage.pk]["over"],
            }
        )
    return out


def _target(
    target: Target | None, value: Decimal, period: Period, forecast: Decimal | None = None
) -> dict | None:
    """Completion of a 亿元 target against time progress, and of the forecast when there is one."""
    if target is None:
        return None
    done = indicator_math.completion(value, target.value)
    view = {
        "value": target.value,
        "note": target.note,
        "pct": _pct(done),
        "text": wording.progress_text(done, period.time_progress),
        "status": indicator_math.progress_status(indicator_math.progress_gap(done, period)),
    }
    if forecast is not None:
        view["forecast_pct"] = _pct(indicator_math.completion(forecast, target.value))
        view["gap_yi"] = max(target.value - forecast, Decimal(0))
    return view


urlpatterns = [
    path("events/", event_list, name="event_list"),
    path("events/new/", event_create, name="event_create"),
    path("events/<int:pk>/", event_detail, name="event_detail"),
    path("schedule/", schedule, name="schedule"),
    path("schedule/<int:pk>/", schedule_project, name="schedule_project"),
    path("problems/", problem_board, name="problem_board"),
    path("analytics/", analytics, name="analytics"),
]
