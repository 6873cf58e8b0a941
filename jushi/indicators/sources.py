"""Where indicator figures come from: one adapter per source, behind one interface.

The engine asks a source for an indicator's figures in a zone and period and gets `Figures` back: the
zone total this year and last year, the official growth where one is published, how many units were
summed, and the same pairs per park and per industry for the breakdowns. ENT (approved enterprise
reports) and DEPT (department figures) are here; the project ledger registers a LEDGER source with
`register_source` without touching the engine.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from jushi.lib.indicator_math import Pair, same_caliber_totals
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


SourceFunction = Callable[[Indicator, Zone, Period], Figures | None]
_SOURCES: dict[str, SourceFunction] = {}


def register_source(source: str, function: SourceFunction) -> None:
    """Plug a source in (the project ledger registers LEDGER from its AppConfig.ready)."""
    _SOURCES[source] = function


def figures_for(indicator: Indicator, zone: Zone, period: Period) -> Figures | None:
    function = _SOURCES.get(indicator.source)
    return function(indicator, zone, period) if function is not None else None


def division_of(industry_code: str | None) -> str:
    """The 2-digit division (大类) of a GB/T 4754 class code, the level breakdowns are shown at."""
    if not industry_code:
        return ""
    return industry_code[:2] if industry_code[:2].isdigit() else industry_code


def enterprise_figures(indicator: Indicator, zone: Zone, period: Period) -> Figures | None:
    """Approved reports of the zone for the period, summed over this year's set (same caliber)."""
    from jushi.reporting.models import Submission, Value  # reporting sits below indicators

    code = period.as_month().code  # cumulative periods are read from the monthly report ending with them
    rows = list(
        Value.objects.filter(
            submission__period__form__code=indicator.form_code,
            submission__period__zone=zone,
            submission__period__code=code,
            field__code=indicator.field_code,
            approved_current__isnull=False,  # the last approved figures, also while a correction is open
        ).values_list(
            "approved_current",
            "approved_last_year",
            "submission__enterprise__park__code",
            "submission__enterprise__industry__code",
        )
    )
    if not rows:
        return None
    scale = indicator.scale
    if indicator.aggregation == Aggregation.COUNT:  # the set itself: every enterprise that must report
        now, before = (
            Submission.objects.filter(
                period__form__code=indicator.form_code, period__zone=zone, period__code=c
            ).count()
            for c in (code, period.last_year().as_month().code)
        )
        return Figures(Decimal(now), Decimal(before) if before else None, units=now)
    groups: dict[tuple[str, str], list[Pair]] = defaultdict(list)
    pairs = []
    for current, last_year, park, industry in rows:
        pair = Pair(current * scale, (last_year or Decimal(0)) * scale)
        pairs.append(pair)
        if park:
            groups[(Scope.PARK, park)].append(pair)
        if industry:
            groups[(Scope.INDUSTRY, division_of(industry))].append(pair)
    totals = same_caliber_totals(pairs)
    parts = {key: Pair(*same_caliber_totals(group)) for key, group in groups.items()}
    return Figures(totals[0], totals[1], units=len(rows), parts=parts)


def department_figures(indicator: Indicator, zone: Zone, period: Period) -> Figures | None:
    """What the department published for the period (entered under any code that ends with it)."""
    years = Q(period__startswith=str(period.year)) | Q(period__startswith=str(period.year - 1))
    by_code = {
        Period.parse(f.period).as_month().code: f
        for f in DeptFigure.objects.filter(years, zone=zone, indicator=indicator)
    }
    now = by_code.get(period.as_month().code)
    if now is None:
        return None
    last_year = now.last_year
    if last_year is None:
        earlier = by_code.get(period.last_year().as_month().code)
        last_year = earlier.value if earlier is not None else None
    return Figures(now.value, last_year, official_growth=now.official_growth)


register_source(Source.ENT, enterprise_figures)
register_source(Source.DEPT, department_figures)
# Until the project ledger registers its own LEDGER source, the investment bureau's reported totals
# are entered like department figures and read the same way.
register_source(Source.LEDGER, department_figures)


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
