"""The zone dashboard (经济运行监测): headline indicators with growth, targets, plan, trend and breakdown."""

import json
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from jushi.core import clock, confirm, exportjobs, importjobs, uploads
from jushi.core.choices import ChangeSource
from jushi.core.scopes import can
from jushi.lib import growth, indicator_math, wording
from jushi.lib.periods import Period, PeriodError
from jushi.lib.tabular import TableError, limits, read_table
from jushi.registry.models import Industry, Park, Zone
from jushi.registry.services.importing import RowError

from . import publishing
from .bulletin import bulletin, change_words, clause
from .choices import Scope
from .engine import stored_period
from .exporters import FigureExporter, IndicatorExporter, MonthlyTableExporter
from .forms import FigureForm, FigureImportForm, IndicatorForm, TargetForm
from .models import DeptFigure, Indicator, Plan, Result, Target
from .services import HEADERS, FigureError, add_indicator, import_figures, save_figure, set_target
from .sources import enterprise_pairs

TREND_INDICATOR = "IND_GO"


def editable_zones(user):
    """Zones whose department figures and targets the user may change."""
    if not can(user, "change"):
        return Zone.objects.none()
    return Zone.objects.restrict(user, "change").order_by("name")


def visible_zones(user):
    """Zones whose indicators the user may read. Enterprise reporters see none: a park's or an
    industry's figures add up a handful of enterprises and would give away their neighbours'."""
    if user.can("report") and not user.is_superuser:
        return Zone.objects.none()
    return Zone.objects.restrict(user, "view")


STATUS_WORDS = {"green": "超时序进度", "amber": "略低于时序进度", "red": "明显低于时序进度"}


def _growth_label(result: Result) -> str:
    """What kind of rate it is: 同口径 · 现价, 官方数 · 可比价…"""
    return f"{result.get_growth_method_display()} · {result.get_price_basis_display()}"


def _card(result: Result, target: Target | None, period: Period) -> dict:
    indicator = result.indicator
    card = {
        "result": result,
        "indicator": indicator,
        "clause": clause(result),
        "value_text": None
        if result.value is None
        else wording.amount_text(result.value, "", indicator.decimals),
        "basis": _growth_label(result),
        "growth_pct": _pct(result.growth),
        "provisional": result.provisional,
        "coverage_text": result.coverage_text,
        "alert": indicator.alert_growth_below is not None
        and result.growth is not None
        and result.growth < indicator.alert_growth_below,
    }
    card["change_text"] = change_words(result)
    if target is not None and target.value and result.value is not None:
        done = indicator_math.completion(result.value, target.value)
        gap = indicator_math.progress_gap(done, period)
        card["target"] = {
            "value": target.value,
            "note": target.note,
            "text": wording.progress_text(done, period.time_progress),
            "status": indicator_math.progress_status(gap),
            "pct": _pct(done),
        }
    return card


def _plan_view(plan: Plan, zone: Zone, period: Period) -> dict:
    """Where the doubling plan stands: the required path, the last full year's actual, what is needed now."""
    math_plan = indicator_math.DoublingPlan(plan.base_year, plan.base_value, plan.multiple, plan.end_year)
    path = math_plan.required_path()
    actual = {
        int(code[:4]): value
        for code, value in Result.objects.filter(
            zone=zone, indicator=plan.indicator, scope=Scope.ZONE, period__endswith="-12"
        ).values_list("period", "value")
        if value is not None
    }
    last_full = max((y for y in actual if y < period.year or period.end_month == 12), default=None)
    view = {
        "plan": plan,
        "annual_rate": _pct(math_plan.annual_rate),
        "path": [(year, value.quantize(Decimal("0.01")), actual.get(year)) for year, value in path.items()],
        "target": math_plan.target,
    }
    if last_full is not None and plan.base_year <= last_full <= plan.end_year:
        view["year"] = last_full
        view["on_track"] = math_plan.on_track(last_full, actual[last_full])
        needed = math_plan.needed_rate(last_full, actual[last_full])
        view["needed"] = _pct(needed)
    return view


@login_required
def dashboard(request):
    return _dashboard(request, "indicators/dashboard.html")


@login_required
def screen(request):
    """The wall display: the dashboard's figures, large, dark, full screen, refreshed every five minutes."""
    return _dashboard(request, "indicators/screen.html")


def _dashboard(request, template: str):
    zones = list(visible_zones(request.user).order_by("name"))
    if not zones:
        return render(request, template, {"zones": []})
    zone = next((z for z in zones if z.code == request.GET.get("zone")), zones[0])
    periods = publishing.selectable_periods(zone)
    if not periods:
        return render(request, template, {"zones": zones, "zone": zone, "periods": []})
    if request.GET.get("period"):
        try:
            asked = Period.parse(request.GET["period"])
        except PeriodError as exc:
            raise Http404(str(exc)) from None
        period = Period.parse(stored_period(asked))
        shown = asked
    else:  # the zone's current period: latest published, else latest past its reporting deadline
        current = publishing.current_period(zone)
        period = current if current is not None and current in periods else periods[0]
        latest = publishing.latest_publication(zone, period)
        shown = Period.parse(latest.named) if latest is not None else period
    live = request.GET.get("live") == "1"
    if request.GET.get("export") == "monthly":
        return MonthlyTableExporter(zone, period, live=live, actor=request.user).response()
    view = publishing.view_of(zone, period, live=live)
    targets = {t.indicator_id: t for t in Target.objects.filter(zone=zone, year=period.year)}
    cards = [_card(r, targets.get(r.indicator_id), period) for r in view.rows if r.indicator.in_bulletin]
    trend = _trend(zone, period, live)
    parks = {p.code: p.name for p in Park.objects.filter(zone=zone)}
    park_rows = publishing.view_of(zone, period, live=live, scope=Scope.PARK).rows
    breakdown = sorted(
        (
            {"name": parks.get(r.scope_key, r.scope_key), "value": r.value, "growth": r.growth}
            for r in park_rows
            if r.indicator.code == TREND_INDICATOR
        ),
        key=lambda b: -(b["value"] or 0),
    )
    plans = [_plan_view(p, zone, period) for p in Plan.objects.filter(zone=zone).select_related("indicator")]
    drivers = _drivers(zone, period)
    if view.publication is not None:  # the coverage the published figures were computed on
        coverage = [publishing.FormCoverage.from_json(c) for c in view.publication.coverage]
    else:
        coverage = publishing.coverage_of(zone, period)
    context = {
        "zones": zones,
        "zone": zone,
        "periods": periods,
        "period": period,
        "shown": shown,
        "view": view,
        "live": live,
        "revisions": publishing.revisions_against_live(zone, period) if view.latest else [],
        "coverage": coverage,
        "provisional": any(not c.complete for c in coverage),
        "may_publish": _may_publish(request.user, zone),
        "cards": cards,
        "trend": trend,
        "trend_json": json.dumps(trend, ensure_ascii=False),
        "breakdown_json": [
            {
                "name": b["name"],
                "value": _num(b["value"]),
                "growth": None if b["growth"] is None else float(b["growth"]),
            }
            for b in breakdown
        ],
        "plans": plans,
        "drivers": drivers,
        "bulletin": bulletin(zone, shown, live=live),
        "time_progress": _pct(Decimal(period.time_progress.numerator) / period.time_progress.denominator),
    }
    return render(request, template, context)


def _may_publish(user, zone: Zone) -> bool:
    return can(user, "publish") and editable_zones(user).filter(pk=zone.pk).exists()


def _trend(zone: Zone, period: Period, live: bool = False) -> dict:
    """This year's cumulative path of the trend indicator month by month, beside last year's: published
    figures where a month is published (unless live), and the months whose coverage was incomplete
    marked, so a provisional month is never read as a final one."""
    rows: dict[str, object] = {}
    for year in (period.year - 1, period.year):
        for r in Result.objects.filter(
            zone=zone, indicator__code=TREND_INDICATOR, scope=Scope.ZONE, period__startswith=f"{year}-"
        ):
            rows[r.period] = r
        if not live:
            published = publishing.latest_published(
                publication__zone=zone,
                publication__period__startswith=f"{year}-",
                indicator__code=TREND_INDICATOR,
                scope=Scope.ZONE,
            )
            rows.update({period: f for (_, period), f in published.items()})
    months = list(range(2, 13))

    def value(code):
        row = rows.get(code)
        return None if row is None else _num(row.value)

    this_codes = [f"{period.year}-{m:02d}" for m in months]
    return {
        "months": [f"1-{m}月" for m in months],
        "this": [
            value(c) if m <= period.end_month else None for c, m in zip(this_codes, months, strict=True)
        ],
        "last": [value(f"{period.year - 1}-{m:02d}") for m in months],
        "provisional": [
            bool(rows.get(c) is not None and rows[c].provisional and m <= period.end_month)
            for c, m in zip(this_codes, months, strict=True)
        ],
        "coverage": [rows[c].coverage_text if c in rows else "" for c in this_codes],
        "this_year": period.year,
    }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


SESSION_KEY = "indicator_figure_imports"


IMPORTER = "indicators.figures"


def _finish(result, info: dict) -> dict:
    return {
        "summary": f"导入完成:新增 {result.count('create')} 条,更新 {result.count('update')} 条,"
        f"未变化 {result.count('unchanged')} 条部门数据;相关指标已重算",
        "link": reverse("indicators:figures"),
        "link_text": "查看部门数据",
    }


@importjobs.importer(IMPORTER, title="导入部门数据", page="indicators:figures", finish=_finish)
def _import(actor, data: bytes, info: dict, *, dry_run: bool, progress=None):
    try:
        table = read_table(data, info["filename"], max_bytes=settings.JUSHI_IMPORT_MAX_BYTES)
    except TableError as exc:
        return None, [RowError(0, "文件", str(exc))]
    result = import_figures(
        actor=actor, table=table, source=ChangeSource.IMPORT, dry_run=dry_run, progress=progress
    )
    return result, result.errors


def _figure_import(request, data: bytes, filename: str, *, dry_run: bool):
    return _import(request.user, data, {"filename": filename}, dry_run=dry_run)


@login_required
def figures(request):
    """Department figures: the list for the zones in scope, one-by-one entry, and spreadsheet import."""
    zones = visible_zones(request.user).order_by("name")
    if request.method == "GET" and request.GET.get("export"):
        return _figures_export(request, zones)
    editable = editable_zones(request.user)
    context = {"may_import": can(request.user, "import") and editable.exists(), "import_limits": limits()}
    if request.method == "GET" and request.GET.get("job"):  # a large import running as a job
        answer = importjobs.show(request, IMPORTER, request.GET["job"], context)
        if answer is not None:
            return answer
    entry = FigureForm(request.POST if request.POST.get("form") == "entry" else None, zones=editable)
    upload = FigureImportForm(
        request.POST if request.POST.get("form") == "import" else None,
        request.FILES if request.POST.get("form") == "import" else None,
    )
    if request.method == "POST":
        if not editable.exists():
            raise PermissionDenied("无权录入部门数据")
        if request.POST.get("job"):
            return importjobs.confirm(request, IMPORTER)
        if request.POST.get("token"):
            stashed = uploads.unstash(request, SESSION_KEY, request.POST["token"])
            if stashed is None:
                messages.error(request, "导入文件已失效,请重新上传")
                return redirect("indicators:figures")
            data, info = stashed
            result, errors = _figure_import(request, data, info["filename"], dry_run=False)
            if not errors:
                uploads.drop(request, SESSION_KEY, request.POST["token"])
                messages.success(
                    request,
                    f"导入完成:新增 {result.count('create')} 条,更新 {result.count('update')} 条,"
                    f"未变化 {result.count('unchanged')} 条部门数据;相关指标已重算",
                )
                return redirect("indicators:figures")
            context.update(result=result, errors=errors)
        elif request.POST.get("form") == "entry" and entry.is_valid():
            data = entry.cleaned_data
            try:
                save_figure(
                    actor=request.user,
                    zone=data["zone"],
                    indicator=data["indicator"],
                    period=data["period"],
                    value=data["value"],
                    last_year=data["last_year"],
                    official_growth_pct=data["official_growth"],
                    caliber=data["caliber"],
                    note=data["note"],
                    explanation=data["explanation"],
                    source=ChangeSource.WEB,
                )
            except FigureError as exc:
                for key, message in exc.errors.items():
                    entry.add_error("official_growth" if key == "official_growth" else key, message)
            else:
                messages.success(request, f"已保存:{data['zone']} {data['indicator'].name} {data['period']}")
                return redirect("indicators:figures")
        elif request.POST.get("form") == "import" and upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                data = uploads.read_upload(file)
            except TableError as exc:
                upload.add_error("file", str(exc))
            else:
                queued = importjobs.dry_run_if_large(
                    request,
                    IMPORTER,
                    session_key=SESSION_KEY,
                    data=data,
                    filename=file.name,
                    options={},
                    zone_id=importjobs.default_zone_id(request.user),
                )
                if queued:
                    return queued
                result, errors = _figure_import(request, data, file.name, dry_run=True)
                context.update(result=result, errors=errors, filename=file.name)
                if result is not None and not errors:
                    context["token"] = uploads.stash(request, SESSION_KEY, data, file.name, {})
                    context["plan"] = result.groups()
    rows = (
        DeptFigure.objects.filter(zone__in=zones)
        .select_related("zone", "indicator")
        .order_by("zone__name", "-period", "indicator__order")
    )
    context.update(
        entry=entry,
        upload=upload,
        rows=rows[:500],
        headers=list(HEADERS.values()),
        editable=editable.exists(),
        may_export=can(request.user, "export") and zones.exists(),
    )
    return render(request, "indicators/figures.html", context)


def _figures_export(request, zones):
    """The department figures the page lists (every row, not only the first 500), as XLSX or CSV in the
    import's layout."""
    fmt = request.GET["export"]
    if fmt not in ("xlsx", "csv"):
        raise Http404("导出格式应为 xlsx 或 csv")
    if not can(request.user, "export"):
        raise PermissionDenied("无权导出部门数据")
    return exportjobs.respond(request, "indicators.figures")


@exportjobs.exporter("indicators.figures", title="部门数据", link="indicators:figures")
def figures_exporter(actor, query):
    """The department figures of the zones `actor` may see and export, as the 部门数据 page lists them."""
    if not can(actor, "export"):
        raise PermissionDenied("无权导出部门数据")
    zones = visible_zones(actor).order_by("name")
    zones = list(zones.filter(pk__in=Zone.objects.restrict(actor, "export")))
    rows = DeptFigure.objects.filter(zone__in=zones)
    return FigureExporter(query.get("export", "xlsx"), rows, actor=actor, zones=zones)


def _pct(rate: Decimal | None) -> Decimal | None:
    return growth.percent(rate)  # half up, one decimal: the figure a bulletin prints


@login_required
def indicator_detail(request, code: str):
    """One indicator: every period of one zone (its value, last year's, growth and basis), the parks' and
    industries' figures for a period, and the same as a spreadsheet."""
    indicator = get_object_or_404(Indicator.objects.visible_to(request.user), code=code)
    zones = list(visible_zones(request.user).order_by("name"))
    zone = next((z for z in zones if z.code == request.GET.get("zone")), zones[0] if zones else None)
    rows, parts, period = [], [], None
    live = request.GET.get("live") == "1"
    if zone is not None:
        results = list(
            Result.objects.filter(zone=zone, indicator=indicator, scope=Scope.ZONE).order_by("-period")
        )
        frozen = {}  # period → the latest revision's figure: what was published, unless live
        if not live:
            published = publishing.latest_published(
                publication__zone=zone, indicator=indicator, scope=Scope.ZONE
            )
            frozen = {period: f for (_, period), f in published.items()}
        rows = []
        for r in results:
            shown = frozen.get(r.period, r)
            rows.append(
                {
                    "period": Period.parse(r.period),
                    "r": shown,
                    "pct": _pct(shown.growth),
                    "published": shown.publication.revision if shown is not r else None,
                    "revised": shown is not r and (shown.value, shown.growth) != (r.value, r.growth),
                }
            )
        if results:
            period = (
                results[0].period if not request.GET.get("period") else _stored_or_404(request.GET["period"])
            )
            parks = {p.code: p.name for p in Park.objects.filter(zone=zone)}
            industries = dict(
                Industry.objects.filter(code__in=_divisions(zone, indicator, period)).values_list(
                    "code", "name"
                )
            )
            parts = [
                {
                    "scope": r.get_scope_display(),
                    "name": parks.get(r.scope_key)
                    if r.scope == Scope.PARK
                    else industries.get(r.scope_key, r.scope_key),
                    "r": r,
                    "pct": _pct(r.growth),
                }
                for r in sorted(
                    (
                        r
                        for r in publishing.view_of(zone, period, live=live, scope=None).rows
                        if r.indicator_id == indicator.pk and r.scope != Scope.ZONE
                    ),
                    key=lambda r: (r.scope, -(r.value or 0)),
                )
            ]
    if request.GET.get("export") == "xlsx" and zone is not None:
        exporter = IndicatorExporter(indicator, zone, rows, actor=request.user, live=live)
        return exporter.response()
    context = {
        "indicator": indicator,
        "zones": zones,
        "zone": zone,
        "rows": rows,
        "parts": parts,
        "live": live,
    }
    context["period"] = Period.parse(period) if period else None
    return render(request, "indicators/indicator.html", context)


def _stored_or_404(code: str) -> str:
    try:
        return stored_period(code)
    except PeriodError as exc:
        raise Http404(str(exc)) from None


def _divisions(zone, indicator, period) -> list[str]:
    return list(
        Result.objects.filter(
            zone=zone, indicator=indicator, period=period, scope=Scope.INDUSTRY
        ).values_list("scope_key", flat=True)
    )


@login_required
def ranking(request):
    """Every zone in scope on one indicator and period, ranked by growth (or by value when there is none)."""
    indicators = Indicator.objects.visible_to(request.user).filter(is_active=True)
    indicator = indicators.filter(code=request.GET.get("indicator", "IND_GO")).first() or indicators.first()
    zones = visible_zones(request.user)
    results = Result.objects.filter(zone__in=zones, indicator=indicator, scope=Scope.ZONE).select_related(
        "zone"
    )
    today = clock.today()
    periods = sorted(
        (p for p in map(Period.parse, set(results.values_list("period", flat=True))) if p.end < today),
        reverse=True,
    )
    current = publishing.current_periods(zones.values_list("pk", flat=True)).values()
    default = max(current) if current else (periods[0] if periods else None)
    period = (
        _stored_or_404(request.GET["period"])
        if request.GET.get("period")
        else (default.code if default else None)
    )
    live = request.GET.get("live") == "1"
    rows = list(results.filter(period=period))
    if not live:  # a zone's published figure where it has published the period
        frozen = {
            zone_id: f
            for (zone_id, _), f in publishing.latest_published(
                publication__zone__in=zones, publication__period=period, indicator=indicator, scope=Scope.ZONE
            ).items()
        }
        for index, row in enumerate(rows):
            if row.zone_id in frozen:
                figure = frozen[row.zone_id]
                figure.zone = figure.publication.zone
                rows[index] = figure
    ranked = sorted(
        rows,
        key=lambda r: (r.growth is None, -(r.growth if r.growth is not None else 0), -(r.value or 0)),
    )
    present = {r.zone.pk for r in ranked}
    context = {
        "indicators": indicators,
        "indicator": indicator,
        "periods": periods,
        "period": Period.parse(period) if period else None,
        "rows": [{"rank": i, "r": r, "pct": _pct(r.growth)} for i, r in enumerate(ranked, start=1)],
        "missing": [z for z in zones.order_by("name") if z.pk not in present],  # no figure is news too
        "zone_count": zones.count(),
        "live": live,
    }
    return render(request, "indicators/ranking.html", context)


@login_required
def targets(request):
    """Annual targets and multi-year plans of the zones in scope; staff set targets here."""
    zones = visible_zones(request.user).order_by("name")
    editable = editable_zones(request.user)
    form = TargetForm(request.POST or None, zones=editable)
    if request.method == "POST":
        if not editable.exists():
            raise PermissionDenied("无权设置年度目标")
        if form.is_valid():
            data = form.cleaned_data
            try:
                set_target(
                    actor=request.user,
                    zone=data["zone"],
                    indicator=data["indicator"],
                    year=data["year"],
                    value=data["value"],
                    growth_pct=data["growth"],
                    note=data["note"],
                    source=ChangeSource.WEB,
                )
            except FigureError as exc:
                for key, message in exc.errors.items():
                    form.add_error(key, message)
            else:
                messages.success(
                    request, f"已保存 {data['zone']} {data['year']} 年{data['indicator'].name}目标"
                )
                return redirect("indicators:targets")
    context = {
        "form": form,
        "editable": editable.exists(),
        "targets": Target.objects.filter(zone__in=zones).select_related("zone", "indicator"),
        "plans": Plan.objects.filter(zone__in=zones).select_related("zone", "indicator"),
    }
    return render(request, "indicators/targets.html", context)


def _drivers(zone: Zone, period: Period, top: int = 5) -> dict | None:
    """Which enterprises, parks and industries drove the trend indicator's growth: 贡献率 and 拉动."""
    indicator = Indicator.objects.filter(code=TREND_INDICATOR).first()
    if indicator is None:
        return None
    pairs = enterprise_pairs(indicator, zone, period)
    if not pairs:
        return None

    def rows(parts):
        return [
            {"name": c.key, "delta": c.delta, "share": _pct(c.share), "pull": _pct(c.pull)}
            for c in indicator_math.contributions(parts)
        ]

    enterprises = rows(pairs)
    parks = {p.code: p.name for p in Park.objects.filter(zone=zone)}
    scoped = Result.objects.filter(zone=zone, indicator=indicator, period=period.code)
    by_park = {
        parks.get(r.scope_key, r.scope_key): indicator_math.Pair(r.value, r.last_year)
        for r in scoped.filter(scope=Scope.PARK)
    }
    industries = dict(Industry.objects.values_list("code", "name"))
    by_industry = {
        industries.get(r.scope_key, r.scope_key): indicator_math.Pair(r.value, r.last_year)
        for r in scoped.filter(scope=Scope.INDUSTRY)
    }
    return {
        "indicator": indicator,
        "top": enterprises[:top],
        "bottom": [e for e in enterprises[-top:] if e["delta"] < 0][::-1],
        "parks": rows(by_park),
        "industries": rows(by_industry),
    }


@login_required
def catalog(request):
    """The indicator catalog; staff add their own department or formula indicators."""
    zones = editable_zones(request.user)
    national = request.user.is_superuser
    may_add = can(request.user, "change") and can(request.user, "import") and (national or zones.exists())
    form = IndicatorForm(request.POST or None, zones=zones, national=national)
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied("无权修改指标目录")
        if form.is_valid():
            try:
                indicator = add_indicator(actor=request.user, data=form.cleaned_data, source=ChangeSource.WEB)
            except FigureError as exc:
                for key, message in exc.errors.items():
                    form.add_error(key if key in form.fields else None, message)
            else:
                messages.success(request, f"已添加指标 {indicator.code} {indicator.name}")
                return redirect("indicators:catalog")
    indicators = Indicator.objects.visible_to(request.user).select_related("zone")
    context = {"indicators": indicators, "form": form, "may_add": may_add, "national": national}
    return render(request, "indicators/catalog.html", context)


@login_required
def publish_period(request):
    """The dashboard's 发布 button: publish (or revise) a zone's period through `publishing.publish`,
    after a page that says what will be published (revision, coverage, how many figures are frozen and
    what changed since the previous revision); only the POST with confirmed=1 publishes."""
    if request.method != "POST":
        return redirect("indicators:dashboard")
    code = request.POST.get("zone", "").strip()
    if not code:
        messages.error(request, "开发区: 请选择要发布的开发区")
        return redirect("indicators:dashboard")
    zone = visible_zones(request.user).filter(code=code).first()
    if zone is None:
        raise Http404("没有这个开发区,或您无权查看")
    period = request.POST.get("period", "")
    back = f"{reverse('indicators:dashboard')}?{urlencode({'zone': zone.code, 'period': period})}"
    if not confirm.confirmed(request):
        if not _may_publish(request.user, zone):
            raise PermissionDenied(f"无权发布{zone.name}的数据")
        try:
            named = Period.parse(period)
        except PeriodError as exc:
            messages.error(request, f"报告期:{exc}")
            return redirect(back)
        previous = publishing.latest_publication(zone, named)
        refusal = None  # what publishing would refuse anyway is said now, not after confirming
        if named.end >= clock.today():
            refusal = f"{named.label}尚未结束,不能发布"
        elif previous is not None and not request.POST.get("reason", "").strip():
            refusal = f"{named.label}已发布第{previous.revision}版;修订须写明原因"
        changes = None if refusal else _publish_changes(zone, named, request.POST)
        if changes is None:
            messages.error(request, refusal or f"{zone.name}{named.label}没有可发布的指标数据")
            return redirect(back)
        return confirm.ask(
            request,
            title=f"发布{zone.name}{named.label}"
            + (f"修订版(第{previous.revision + 1}版)" if previous else "数据(第1版)"),
            changes=changes,
            cancel=back,
            button="确认发布",
            warning="发布后数字即冻结,不能撤回;以后只能发布修订版并写明原因。",
        )
    try:
        publication = publishing.publish(
            actor=request.user,
            zone=zone,
            period=period,
            allow_incomplete=request.POST.get("allow_incomplete") == "1",
            reason=request.POST.get("reason", ""),
            source=ChangeSource.WEB,
        )
    except PermissionDenied:
        raise
    except publishing.PublishError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"已发布 {zone.name}{publication.label} 第{publication.revision}版")
    return redirect(back)


def _publish_changes(zone: Zone, period: Period, post) -> list[str] | None:
    """What publishing the period will do, in sentences for the confirmation page; None: nothing to
    publish."""
    code = stored_period(period)
    results = Result.objects.filter(zone=zone, period=code)
    total = results.count()
    if not total:
        return None
    by_scope = dict(results.order_by().values_list("scope").annotate(n=Count("id")))
    parts = "、".join(
        f"{label} {by_scope[value]} 个" for value, label in Scope.choices if by_scope.get(value)
    )
    previous = publishing.latest_publication(zone, period)
    revision = previous.revision + 1 if previous else 1
    coverage = publishing.coverage_of(zone, period)
    lines = [
        f"发布期别:{zone.name}{period.label},第{revision}版"
        + (f"(修订第{previous.revision}版)" if previous else "(首次发布)"),
        f"覆盖:{publishing.coverage_words(coverage)}"
        + ("(未全部审核,数字为初步数,简报将注明)" if any(not c.complete for c in coverage) else ""),
        f"冻结 {total} 个指标数值({parts}),仪表盘、排名和导出默认显示这一版",
    ]
    if previous is not None:
        moved = publishing.revisions_against_live(zone, period)
        if moved:
            lines.append(
                f"与第{previous.revision}版相比有 {len(moved)} 个指标变化:"
                + ";".join(f"{r['indicator'].name} {r['published']} → {r['live']}" for r in moved[:20])
                + ("等" if len(moved) > 20 else "")
            )
        else:
            lines.append(f"开发区合计数与第{previous.revision}版相同")
    reason = post.get("reason", "").strip()
    if reason:
        lines.append(f"原因:{reason}")
    if post.get("allow_incomplete") == "1":
        lines.append("未全部审核也发布")
    return lines


@login_required
def publications(request):
    """Every publication of the zones in scope, newest first; one period's revisions side by side with
    their figures, coverage, text, who and when: each revision stays readable."""
    zones = list(visible_zones(request.user).order_by("name"))
    zone = next((z for z in zones if z.code == request.GET.get("zone")), zones[0] if zones else None)
    rows, revisions, period = [], [], None
    if zone is not None:
        rows = list(publishing.Publication.objects.filter(zone=zone).order_by("-period", "-revision"))
        if request.GET.get("period"):
            period = Period.parse(_stored_or_404(request.GET["period"]))
            revisions = list(publishing.publications(zone, period).prefetch_related("figures__indicator"))
            for publication in revisions:
                publication.zone_rows = sorted(
                    (f for f in publication.figures.all() if f.scope == Scope.ZONE),
                    key=lambda f: (f.indicator.order, f.indicator.code),
                )
                for f in publication.zone_rows:
                    f.pct = _pct(f.growth)
    context = {"zones": zones, "zone": zone, "rows": rows, "revisions": revisions, "period": period}
    return render(request, "indicators/publications.html", context)
