"""The indicator engine: figures from the sources → growth by each indicator's method → Result rows.

`refresh(zone, period)` recomputes one zone and period (what an approval or a department figure
changes) and `rebuild()` every zone and period that has data. Results are keyed by the cumulative
month code (2024H1 is stored as 2024-06, the year as 2024-12), so a figure entered for 2024H1 and a
report for 2024-06 meet in one row. The arithmetic is in `jushi.lib.indicator_math` and
`jushi.lib.growth`; this module only fetches, applies and stores.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jushi.core.bulk import insert_rows
from jushi.lib import expr, growth
from jushi.lib.indicator_math import count_change, pp_change
from jushi.lib.periods import Period
from jushi.registry.models import Zone

from .choices import Aggregation, GrowthMethod, Scope, Source
from .models import DeptFigure, Indicator, Result
from .sources import Figures, Month, figures_for, periods_from_sources


def stored_period(period: Period | str) -> str:
    """The code results are stored under: the monthly code of the period's end month."""
    period = Period.parse(period) if isinstance(period, str) else period
    return period.as_month().code


def _growth(indicator: Indicator, figures: Figures) -> tuple[Decimal | None, Decimal | None]:
    """(growth rate, change in units or points) by the indicator's method, from exact sums: the one
    rounding is the display's (DOMAIN §3a)."""
    method = indicator.growth_method
    if method == GrowthMethod.OFFICIAL or (
        figures.official_growth is not None and method == GrowthMethod.NATURAL
    ):
        # A department's published growth is the figure of record when it gives one.
        return figures.official_growth, None
    if method == GrowthMethod.POINTS:
        return None, pp_change(figures.value, figures.last_year)
    if method == GrowthMethod.UNITS:
        counted = count_change(figures.value, figures.last_year)
        return (counted[1], counted[0]) if counted else (None, None)
    current = figures.base_current if figures.base_current is not None else figures.value
    return growth.ratio_growth(current, figures.last_year), None


def _month_row(indicator: Indicator, figures: Figures, previous: Figures | None, first: bool) -> Month | None:
    """The period's own month by the indicator's aggregation type (DOMAIN §3, as DHIS2 types them): a
    stock or a count of units is its period-end value; a cumulative flow or a count of events is the
    difference of cumulatives (the enterprise source does it per enterprise, on the same caliber)."""
    if figures.month is not None:
        return figures.month
    aggregation = indicator.aggregation
    if aggregation in (Aggregation.STOCK, Aggregation.COUNT):
        return Month(figures.value, figures.last_year)
    if aggregation not in (Aggregation.SUM, Aggregation.EVENTS) or indicator.source in (
        Source.DEPT,
        Source.CALC,
    ):
        return None  # ratios, department figures and formulas: the cumulative only
    if first:
        return Month(figures.value, figures.last_year)
    if previous is None or figures.value is None or previous.value is None:
        return None
    before = (
        None
        if figures.last_year is None or previous.last_year is None
        else figures.last_year - previous.last_year
    )
    return Month(figures.value - previous.value, before)


def _row(
    zone, indicator, period_code, figures: Figures, scope=Scope.ZONE, key="", month: Month | None = None
) -> Result:
    rate, change = _growth(indicator, figures)
    coverage = figures.coverage if scope == Scope.ZONE else None
    month_rate = None
    if month is not None and indicator.growth_method not in (GrowthMethod.OFFICIAL, GrowthMethod.POINTS):
        base_current = month.base_current if month.base_current is not None else month.value
        month_rate = growth.ratio_growth(base_current, month.last_year) if base_current is not None else None
    return Result(
        zone=zone,
        scope=scope,
        scope_key=key,
        indicator=indicator,
        period=period_code,
        value=figures.value,
        last_year=figures.last_year,
        growth=rate,
        change=change,
        growth_method=indicator.growth_method,
        price_basis=indicator.price_basis,
        units=figures.units,
        frame_units=coverage.frame if coverage else None,
        blank_base_units=coverage.blank_base if coverage else None,
        coverage=coverage.share if coverage else None,
        month_value=month.value if month else None,
        month_last_year=month.last_year if month else None,
        month_growth=month_rate,
    )


class _Values:
    """Env for CALC formulas: other indicators' values in the same zone and period (this year or last)."""

    def __init__(self, values: dict[str, Decimal | None]):
        self.values = values

    def name(self, name):
        return self.values.get(name)

    def ref(self, func, names):
        raise expr.ExprError(f"未知的函数“{func}”")

    def call(self, func, args):
        raise expr.ExprError(f"未知的函数“{func}”")


def _calculated(indicator: Indicator, codes: frozenset, now: dict, before: dict) -> Figures | None:
    parsed = expr.parse(indicator.formula, expr.Signature(names=codes, ref_functions=frozenset()))
    try:
        value = parsed.evaluate(_Values(now))
        last_year = parsed.evaluate(_Values(before))
    except expr.ExprError:
        return None
    if not isinstance(value, Decimal):
        return None
    return Figures(value, last_year if isinstance(last_year, Decimal) else None)


def compute(zone: Zone, period: Period, *, indicators=None, cache: dict | None = None) -> list[Result]:
    """Every active indicator's results for one zone and period, not saved. A rebuild passes the
    catalog and one `cache` for all of a zone's periods, so the sources read shared data once."""
    code = stored_period(period)
    month_period = Period.parse(code)
    previous_period = month_period.previous()
    if indicators is None:
        indicators = list(Indicator.objects.filter(is_active=True))
    # The national catalog and this zone's own indicators: another zone's own are none of its business.
    indicators = [i for i in indicators if i.zone_id is None or i.zone_id == zone.pk]
    results: list[Result] = []
    now: dict[str, Decimal | None] = {}
    before: dict[str, Decimal | None] = {}
    cache = {} if cache is None else cache  # what the sources read once for all indicators
    for indicator in indicators:
        if indicator.source == Source.CALC:
            continue
        figures = figures_for(indicator, zone, period, cache)
        if figures is None or (figures.value is None and figures.official_growth is None):
            continue
        now[indicator.code], before[indicator.code] = figures.value, figures.last_year
        previous = None
        if figures.month is None and previous_period is not None and indicator.source == Source.LEDGER:
            previous = figures_for(indicator, zone, previous_period, cache)
        month = _month_row(indicator, figures, previous, previous_period is None)
        results.append(_row(zone, indicator, code, figures, month=month))
        for (scope, key), pair in sorted(figures.parts.items()):
            part = Figures(
                pair.current, pair.last_year, base_current=figures.part_base_current.get((scope, key))
            )
            results.append(_row(zone, indicator, code, part, scope, key))
    codes = frozenset(i.code for i in indicators)
    for indicator in calculation_order([i for i in indicators if i.source == Source.CALC], codes):
        figures = _calculated(indicator, codes, now, before)
        if figures is not None:  # a formula over other formulas sees their values: they came first
            now[indicator.code], before[indicator.code] = figures.value, figures.last_year
            results.append(_row(zone, indicator, code, figures))
    return results


def formula_names(formula: str, codes: frozenset) -> frozenset:
    return expr.parse(formula, expr.Signature(names=codes, ref_functions=frozenset())).names


def calculation_order(calculated: list[Indicator], codes: frozenset) -> list[Indicator]:
    """CALC indicators with every formula after the formulas it uses; raises ValueError on a cycle."""
    by_code = {i.code: i for i in calculated}
    needs = {i.code: formula_names(i.formula, codes) & by_code.keys() for i in calculated}
    ordered: list[Indicator] = []
    done: set[str] = set()
    while len(done) < len(by_code):
        ready = sorted(c for c in by_code if c not in done and needs[c] <= done)
        if not ready:
            stuck = sorted(c for c in by_code if c not in done)
            raise ValueError(f"计算公式循环引用:{'、'.join(stuck)}")
        for c in ready:
            ordered.append(by_code[c])
            done.add(c)
    return ordered


def refresh(
    zone: Zone, period: Period | str, *, indicators=None, cache: dict | None = None, following: bool = True
) -> int:
    """Recompute and replace one zone's results for one period; returns how many rows it holds now.

    The next month's own value is a difference with this period's cumulative, so unless the caller
    recomputes every period in order (a rebuild), the following month is recomputed too when it has
    results."""
    period = Period.parse(period) if isinstance(period, str) else period
    cache = {} if cache is None else cache
    with transaction.atomic():
        # One refresh of a zone at a time, computing from what is committed once it has its turn: two
        # approvals at the same moment would otherwise both delete and insert the same rows (PostgreSQL:
        # a unique violation, a 500 after the approval committed) or store figures read before the other
        # approval (a stale overwrite). The zone's row is the lock; SQLite's IMMEDIATE transaction is one.
        list(Zone.objects.select_for_update().filter(pk=zone.pk).values_list("pk", flat=True))
        results = compute(zone, period, indicators=indicators, cache=cache)
        Result.objects.filter(zone=zone, period=stored_period(period)).delete()
        _store(results)
        month = Period.parse(stored_period(period))
        after = month.next()
        if (
            following
            and after.year == month.year
            and Result.objects.filter(zone=zone, period=after.code).exists()
        ):
            refresh(zone, after, indicators=indicators, cache=cache, following=False)
    return len(results)


_STORED = [
    "zone", "scope", "scope_key", "indicator", "period", "value", "last_year", "growth", "change",
    "growth_method", "price_basis", "units", "frame_units", "blank_base_units", "coverage",
    "month_value", "month_last_year", "month_growth", "computed",
]  # fmt: skip
_RATE_LIMIT = Decimal("1e11")  # a growth beyond ±10^13 % says nothing (a base of almost nothing): no rate


def _rate(value: Decimal | None) -> Decimal | None:
    return None if value is None or abs(value) >= _RATE_LIMIT else value


def _store(results: list[Result]) -> None:
    """Insert the rows as plain tuples (core.bulk): a rebuild writes 150,000 of them."""
    moment = timezone.now()
    insert_rows(
        Result,
        _STORED,
        (
            (
                r.zone_id,
                r.scope,
                r.scope_key,
                r.indicator_id,
                r.period,
                r.value,
                r.last_year,
                _rate(r.growth),
                r.change,
                r.growth_method,
                r.price_basis,
                r.units,
                r.frame_units,
                r.blank_base_units,
                r.coverage,
                r.month_value,
                r.month_last_year,
                _rate(r.month_growth),
                moment,
            )  # fmt: skip
            for r in results
        ),
    )


def periods_with_data(zone: Zone) -> list[Period]:
    """Every period a zone has opened reports or entered department figures for, or a plugged-in
    source (the project ledger) has data for."""
    from jushi.reporting.models import ReportingPeriod

    codes = set(ReportingPeriod.objects.filter(zone=zone).values_list("code", flat=True))
    codes |= set(DeptFigure.objects.filter(zone=zone).values_list("period", flat=True))
    codes |= periods_from_sources(zone)
    return sorted({Period.parse(stored_period(c)) for c in codes})


def rebuild(zone: Zone | None = None) -> tuple[int, int]:
    """Recompute every period of one zone or of all zones; returns (periods, result rows)."""
    zones = [zone] if zone is not None else list(Zone.objects.all())
    indicators = list(Indicator.objects.filter(is_active=True))
    periods = rows = 0
    for z in zones:
        cache: dict = {}  # one zone's department figures serve all its periods
        with transaction.atomic():  # one commit a zone
            for period in periods_with_data(z):
                rows += refresh(z, period, indicators=indicators, cache=cache, following=False)
                periods += 1
    return periods, rows
