"""Where indicator figures come from: one adapter per source, behind one interface.

The engine asks a source for an indicator's figures in a zone and period and gets `Figures` back: the
zone total this year and last year, the official growth where one is published, how many units were
summed, and the same pairs per park and per industry for the breakdowns. ENT (approved enterprise
reports) and DEPT (department figures) are here; the project ledger (`jushi.projects.ledger`) registers
the LEDGER source with `register_source`, and the periods it has data for with
`register_period_source`, without touching the engine.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce

from jushi.lib.indicator_math import Pair
from jushi.lib.periods import Period
from jushi.registry.models import Zone

from .choices import Aggregation, Scope, Source
from .models import DeptFigure, Indicator


@dataclass
class Figures:
    value: Decimal | None
    last_year: Decimal | None
    official_growth: Decimal | None = None
    units: int | None = None
    parts: dict[tuple[str, str], Pair] = field(default_factory=dict)  # (scope, key) → totals


SourceFunction = Callable[..., Figures | None]  # (indicator, zone, period, cache) → Figures or None
_SOURCES: dict[str, SourceFunction] = {}


def register_source(source: str, function: SourceFunction) -> None:
    """Plug a source in (the project ledger registers LEDGER from its AppConfig.ready). The function
    takes (indicator, zone, period, cache=dict) and returns Figures, or None when it has no figure."""
    _SOURCES[source] = function


PeriodFunction = Callable[[Zone], set[str]]  # zone → period codes the source has data for
_PERIOD_SOURCES: dict[str, PeriodFunction] = {}


def register_period_source(name: str, function: PeriodFunction) -> None:
    """Tell the engine which periods a plugged-in source has data for, so a rebuild computes them."""
    _PERIOD_SOURCES[name] = function


def periods_from_sources(zone: Zone) -> set[str]:
    codes: set[str] = set()
    for function in _PERIOD_SOURCES.values():
        codes |= function(zone)
    return codes


def figures_for(
    indicator: Indicator, zone: Zone, period: Period, cache: dict | None = None
) -> Figures | None:
    """`cache` lives for one computation, so a source reads what several indicators share only once."""
    function = _SOURCES.get(indicator.source)
    return function(indicator, zone, period, cache=cache) if function is not None else None


def division_of(industry_code: str | None) -> str:
    """The 2-digit division (大类) of a GB/T 4754 class code, the level breakdowns are shown at."""
    if not industry_code:
        return ""
    return industry_code[:2] if industry_code[:2].isdigit() else industry_code


def _reported(form_code: str, zone: Zone, code: str, cache: dict) -> dict[str, list[tuple]]:
    """Sums of the last approved figures of a form's fields in a zone and period, grouped by field, park
    and industry class, read once per computation (the database adds up the enterprises):
    field code → [(Σ current, Σ last year, enterprises, park code, industry code)]."""
    key = ("ent", form_code, zone.pk, code)
    if key not in cache:
        from jushi.reporting.models import Value  # reporting sits below indicators

        wanted = Indicator.objects.filter(source=Source.ENT, form_code=form_code).values_list("field_code")
        groups = (
            Value.objects.filter(
                submission__period__form__code=form_code,
                submission__period__zone=zone,
                submission__period__code=code,
                field__code__in=wanted,
                approved_current__isnull=False,  # the last approved figures, also while a correction is open
            )
            .values(
                "field__code", "submission__enterprise__park__code", "submission__enterprise__industry__code"
            )
            .annotate(
                now=Sum("approved_current"),
                before=Sum(Coalesce("approved_last_year", Decimal(0), output_field=DecimalField())),
                n=Count("id"),
            )
            .order_by()
        )
        by_field: dict[str, list[tuple]] = defaultdict(list)
        for g in groups:
            by_field[g["field__code"]].append(
                (
                    g["now"],
                    g["before"],
                    g["n"],
                    g["submission__enterprise__park__code"],
                    g["submission__enterprise__industry__code"],
                )
            )
        cache[key] = by_field
    return cache[key]


def enterprise_figures(
    indicator: Indicator, zone: Zone, period: Period, cache: dict | None = None
) -> Figures | None:
    """Approved reports of the zone for the period, summed over this year's set (same caliber: every
    enterprise with a current figure, a blank last-year figure counting 0), with park and industry parts."""
    from jushi.reporting.models import Submission

    code = period.as_month().code  # cumulative periods are read from the monthly report ending with them
    groups = _reported(indicator.form_code, zone, code, {} if cache is None else cache).get(
        indicator.field_code
    )
    if not groups:
        return None
    if indicator.aggregation == Aggregation.COUNT:  # the set itself: every enterprise that must report
        now, before = (
            Submission.objects.filter(
                period__form__code=indicator.form_code, period__zone=zone, period__code=c
            ).count()
            for c in (code, period.last_year().as_month().code)
        )
        return Figures(Decimal(now), Decimal(before) if before else None, units=now)
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    units = 0
    for now, before, n, park, industry in groups:
        units += n
        keys = [(Scope.ZONE, "")]
        if park:
            keys.append((Scope.PARK, park))
        if industry:
            keys.append((Scope.INDUSTRY, division_of(industry)))
        for key in keys:
            sums[key][0] += now
            sums[key][1] += before
    scale = indicator.scale
    total = sums.pop((Scope.ZONE, ""))
    parts = {key: Pair(now * scale, before * scale) for key, (now, before) in sums.items()}
    return Figures(total[0] * scale, total[1] * scale, units=units, parts=parts)


def department_figures(
    indicator: Indicator, zone: Zone, period: Period, cache: dict | None = None
) -> Figures | None:
    """What the department published for the period (entered under any code that ends with it)."""
    key = ("dept", zone.pk, period.year)
    cache = {} if cache is None else cache
    if key not in cache:  # every figure of the zone for this year and last, read once per computation
        years = Q(period__startswith=str(period.year)) | Q(period__startswith=str(period.year - 1))
        cache[key] = {
            (f.indicator_id, Period.parse(f.period).as_month().code): f
            for f in DeptFigure.objects.filter(years, zone=zone)
        }
    by_code = cache[key]
    now = by_code.get((indicator.pk, period.as_month().code))
    if now is None:
        return None
    last_year = now.last_year
    if last_year is None:
        earlier = by_code.get((indicator.pk, period.last_year().as_month().code))
        last_year = earlier.value if earlier is not None else None
    return Figures(now.value, last_year, official_growth=now.official_growth)


register_source(Source.ENT, enterprise_figures)
register_source(Source.DEPT, department_figures)


def enterprise_pairs(indicator: Indicator, zone: Zone, period: Period) -> dict[str, Pair]:
    """Each reporting enterprise's (this year, last year as reported now) in display units, by name:
    what the dashboard decomposes to say which enterprises drove the growth."""
    from jushi.reporting.models import Value

    if indicator.source != Source.ENT or indicator.aggregation != Aggregation.SUM:
        return {}
    rows = Value.objects.filter(
        submission__period__form__code=indicator.form_code,
        submission__period__zone=zone,
        submission__period__code=period.as_month().code,
        field__code=indicator.field_code,
        approved_current__isnull=False,
    ).values_list("submission__enterprise__name", "approved_current", "approved_last_year")
    scale = indicator.scale
    return {name: Pair(now * scale, (before or Decimal(0)) * scale) for name, now, before in rows}
