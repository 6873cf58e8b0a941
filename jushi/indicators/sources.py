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

from django.db.models import Q

from jushi.core.bulk import raw_values, to_decimal
from jushi.lib.indicator_math import Pair
from jushi.lib.periods import Period
from jushi.registry.models import Zone

from .choices import Aggregation, Scope, Source
from .models import DeptFigure, Indicator


@dataclass
class Coverage:
    """Who an enterprise-sourced figure covers (DOMAIN §3a): the frame (应报), the approved reports among
    them (已审核), those left out of the growth for a blank last-year value, and the approved reports'
    share of the frame's last-year value (None when no last-year value of the frame is known)."""

    frame: int
    approved: int
    blank_base: int = 0
    share: Decimal | None = None


@dataclass
class Figures:
    value: Decimal | None
    last_year: Decimal | None
    official_growth: Decimal | None = None
    units: int | None = None
    parts: dict[tuple[str, str], Pair] = field(default_factory=dict)  # (scope, key) → totals
    # Same caliber: Σ this year over the units that have a last-year value, when it differs from `value`
    # (a blank base leaves a unit out of both sides of the growth, never counted as 0).
    base_current: Decimal | None = None
    coverage: Coverage | None = None
    # The period's own month (or span) on the same caliber; None where the source cannot say.
    month: "Month | None" = None
    part_base_current: dict[tuple[str, str], Decimal] = field(default_factory=dict)


@dataclass
class Month:
    value: Decimal | None
    last_year: Decimal | None
    base_current: Decimal | None = None  # Σ this month over the units whose last-year month is known


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


@dataclass
class Reported:
    """One zone's period of one form, read once per computation: the enterprises owing the report (the
    frame) and, per field, each approved enterprise's (cumulative, last year as reported now)."""

    frame: frozenset[int]
    approved: frozenset[int]
    values: dict[str, dict[int, tuple[Decimal, Decimal | None]]]


def _reported(form_code: str, zone: Zone, code: str, cache: dict) -> Reported:
    key = ("ent", form_code, zone.pk, code)
    if key not in cache:
        from jushi.reporting.models import Submission, Value  # reporting sits below indicators

        wanted = Indicator.objects.filter(source=Source.ENT, form_code=form_code).values_list("field_code")
        frame = frozenset(
            Submission.objects.filter(
                period__form__code=form_code, period__zone=zone, period__code=code
            ).values_list("enterprise_id", flat=True)
        )
        rows = Value.objects.filter(
            submission__period__form__code=form_code,
            submission__period__zone=zone,
            submission__period__code=code,
            field__code__in=wanted,
            approved_current__isnull=False,  # the last approved figures, also while a correction is open
        ).values_list("submission__enterprise_id", "field__code", "approved_current", "approved_last_year")
        values: dict[str, dict[int, tuple]] = defaultdict(dict)
        for enterprise, field_code, now, before in raw_values(rows):
            values[field_code][enterprise] = (to_decimal(now), to_decimal(before))
        approved = frozenset(e for by_enterprise in values.values() for e in by_enterprise)
        cache[key] = Reported(frame, approved, dict(values))
    return cache[key]


def _places(zone: Zone, cache: dict) -> dict[int, tuple[str | None, str | None]]:
    """Enterprise id → (park code, industry code) for a zone's enterprises, read once per computation."""
    from jushi.registry.models import Enterprise

    key = ("places", zone.pk)
    if key not in cache:
        cache[key] = {
            pk: (park, industry)
            for pk, park, industry in Enterprise.objects.filter(zone=zone).values_list(
                "pk", "park__code", "industry__code"
            )
        }
    return cache[key]


def _coverage(reported: Reported, figures: dict, earlier: dict | None) -> Coverage:
    """The approved reports' share of the frame's last-year value: an approved enterprise's last year as it
    reports it now, anyone else's as last year's approved report gave it (unknown ones left out)."""
    covered = whole = Decimal(0)
    known = False
    for enterprise in reported.frame:
        pair = figures.get(enterprise)
        before = pair[1] if pair is not None else None
        if before is None and earlier is not None and enterprise in earlier:
            before = earlier[enterprise][0]
        if before is None:
            continue
        known = True
        whole += abs(before)  # a share of size: a loss-making enterprise weighs as much as its loss
        if pair is not None:
            covered += abs(before)
    blank = sum(1 for now, before in figures.values() if before is None)
    share = min(covered / whole, Decimal(1)) if known and whole > 0 else None
    return Coverage(len(reported.frame), len(reported.approved), blank, share)


def _sum(pairs) -> tuple[Decimal, Decimal, Decimal]:
    """(Σ now over all, Σ now over units with a base, Σ base) of (now, base) pairs."""
    total = with_base = base = Decimal(0)
    for now, before in pairs:
        total += now
        if before is not None:
            with_base += now
            base += before
    return total, with_base, base


def _month(figures: dict, previous: dict | None) -> Month:
    """The month on the same caliber: Σ over the enterprises approved in both periods of each one's
    difference of cumulatives (a late report or a new entrant never makes a month negative); last year's
    month likewise over those with both last-year figures."""
    if previous is None:  # the first period of the year: its cumulative is its own span
        total, with_base, base = _sum(figures.values())
        return Month(total, base, with_base)
    now_sum = with_base = base = Decimal(0)
    overlap = False
    for enterprise, (now, before) in figures.items():
        earlier = previous.get(enterprise)
        if earlier is None:
            continue
        overlap = True
        now_sum += now - earlier[0]
        if before is not None and earlier[1] is not None:
            with_base += now - earlier[0]
            base += before - earlier[1]
    if not overlap:  # no enterprise approved in both months: the month is unknown, not 0
        return Month(None, None, None)
    return Month(now_sum, base, with_base)


def enterprise_figures(
    indicator: Indicator, zone: Zone, period: Period, cache: dict | None = None
) -> Figures | None:
    """Approved reports of the zone for the period on the same caliber (DOMAIN §3): the value sums every
    approved report; the growth compares this year's set with the same enterprises a year earlier as they
    report it now, leaving out of both sides an enterprise whose last-year value is blank. With the
    coverage of the frame, the month on the same caliber, and park and industry parts."""
    cache = {} if cache is None else cache
    month = period.as_month()
    reported = _reported(indicator.form_code, zone, month.code, cache)
    if indicator.aggregation == Aggregation.COUNT:  # the set itself: every enterprise that must report
        if not reported.frame:
            return None
        before = len(_reported(indicator.form_code, zone, month.last_year().code, cache).frame)
        now = Decimal(len(reported.frame))
        return Figures(now, Decimal(before) if before else None, units=len(reported.frame))
    figures = reported.values.get(indicator.field_code)
    if not figures:
        return None
    earlier = _reported(indicator.form_code, zone, month.last_year().code, cache).values.get(
        indicator.field_code
    )
    coverage = _coverage(reported, figures, earlier)
    places = _places(zone, cache)
    by_part: dict[tuple[str, str], list] = defaultdict(list)
    for enterprise, pair in figures.items():
        park, industry = places.get(enterprise, (None, None))
        if park:
            by_part[(Scope.PARK, park)].append(pair)
        if industry:
            by_part[(Scope.INDUSTRY, division_of(industry))].append(pair)
    scale = indicator.scale
    total, with_base, base = _sum(figures.values())
    parts, part_base_current = {}, {}
    for key, pairs in by_part.items():
        part_total, part_with_base, part_base = _sum(pairs)
        parts[key] = Pair(part_total * scale, part_base * scale if part_with_base or part_base else None)
        part_base_current[key] = part_with_base * scale
    if indicator.aggregation == Aggregation.STOCK:  # a stock is its period-end value, never differenced
        own = Month(total * scale, base * scale, with_base * scale)
    else:
        previous_period = month.previous()
        previous = (
            None
            if previous_period is None
            else _reported(indicator.form_code, zone, previous_period.code, cache).values.get(
                indicator.field_code, {}
            )
        )
        raw = _month(figures, previous)
        own = Month(*(None if v is None else v * scale for v in (raw.value, raw.last_year, raw.base_current)))
    has_base = any(before is not None for _, before in figures.values())
    return Figures(
        total * scale,
        base * scale if has_base else None,
        units=coverage.approved,  # approved reports (a blank optional field is no report missing)
        parts=parts,
        base_current=with_base * scale,
        coverage=coverage,
        month=own,
        part_base_current=part_base_current,
    )


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
    return {
        name: Pair(now * scale, before * scale)
        for name, now, before in rows
        if before is not None  # blank is not zero: left out of the decomposition as of the growth
    }
