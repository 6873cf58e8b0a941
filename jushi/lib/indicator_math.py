"""The indicator engine's arithmetic, as pure functions on Decimals (DOMAIN.md sections 3 and 4).

- Aggregation: ``total`` sums a column, ``same_caliber_totals`` gives the two sums behind same-caliber
  growth (this year's set against the same units a year earlier, as ``growth.same_caliber``), and
  ``ratio_of_sums`` gives ratio indicators (产销率, R&D share) as Σnum / Σden, never an average of ratios.
- Changes: ``pp_change`` for the difference of two rates (百分点), ``count_change`` for counts (增加3家
  and %), ``two_year_average`` for the geometric two-year average growth sqrt(1+g) − 1.
- Decomposition: ``contributions`` splits a growth by park, industry or enterprise into each part's
  share of the increase (贡献率) and its pull on the total rate (拉动); the pulls add up to the rate.
- Targets: ``completion`` against the annual target, ``progress_gap`` against time progress (时序进度
  m/12), ``progress_status`` as a traffic light, and ``DoublingPlan`` for a multi-year doubling plan
  (required path, annual rate, growth still needed from an actual value).

Rates are fractions (0.36 is +36%; a pull of 0.16 is 16 percentage points); rounding for display is
``growth.percent``'s job. Roots and fractional powers use a fixed 28-digit context so that they do not
depend on the caller's decimal context.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from jushi.lib.growth import ratio_growth
from jushi.lib.periods import Period

_ROOT_CONTEXT = Context(prec=28)


@dataclass(frozen=True)
class Pair:
    """One unit's value this period and in the same period last year, as reported now."""

    current: Decimal | None
    last_year: Decimal | None


def total(values: Iterable[Decimal | None]) -> Decimal | None:
    """Sum of the values that are present; None when none is."""
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


def same_caliber_totals(pairs: Iterable[Pair]) -> tuple[Decimal, Decimal] | None:
    """(Σ current, Σ last year) over the units with both figures: a blank on either side leaves the unit
    out of both sums (blank is not zero). The same set and rule as ``growth.same_caliber``; None when no
    unit has both."""
    current = base = Decimal(0)
    seen = False
    for pair in pairs:
        if pair.current is None or pair.last_year is None:
            continue
        seen = True
        current += pair.current
        base += pair.last_year or 0
    return (current, base) if seen else None


def ratio_of_sums(
    numerators: Iterable[Decimal | None], denominators: Iterable[Decimal | None]
) -> Decimal | None:
    """Σ numerators / Σ denominators; None when either sum is missing or the denominator sum is 0."""
    num, den = total(numerators), total(denominators)
    if num is None or den is None or den == 0:
        return None
    return num / den


def pp_change(rate_now: Decimal | None, rate_before: Decimal | None) -> Decimal | None:
    """Difference of two rates in percentage points, as a fraction (0.523 − 0.500 = 0.023)."""
    if rate_now is None or rate_before is None:
        return None
    return rate_now - rate_before


def count_change(
    now: int | Decimal | None, before: int | Decimal | None
) -> tuple[Decimal, Decimal | None] | None:
    """(change in units, growth rate) of a count; the rate is None when before ≤ 0."""
    if now is None or before is None:
        return None
    now, before = Decimal(now), Decimal(before)
    return now - before, ratio_growth(now, before)


def two_year_average(growth_over_two_years: Decimal | None) -> Decimal | None:
    """Geometric average annual growth over two years, sqrt(1 + g) − 1; None when 1 + g ≤ 0."""
    if growth_over_two_years is None:
        return None
    with localcontext(_ROOT_CONTEXT):
        factor = 1 + growth_over_two_years
        return factor.sqrt() - 1 if factor > 0 else None


@dataclass(frozen=True)
class Contribution:
    """One part's increase (delta), its share of the total increase and its pull on the total rate."""

    key: object
    delta: Decimal
    share: Decimal | None
    pull: Decimal | None


def contributions(parts: Mapping[object, Pair]) -> list[Contribution]:
    """Decompose a growth by parts, largest increase first (ties by str(key)).

    A missing value counts as 0 on its side, so pass same-caliber pairs (units with a current value)
    for a same-caliber decomposition: then the pulls add up to ``growth.same_caliber`` of the pairs.
    share (贡献率) = delta / Σ delta, None when Σ delta is 0; pull (拉动) = delta / Σ last year, None
    when Σ last year ≤ 0."""
    deltas = {key: Decimal(pair.current or 0) - Decimal(pair.last_year or 0) for key, pair in parts.items()}
    delta_sum = sum(deltas.values(), Decimal(0))
    base_sum = sum((pair.last_year or 0 for pair in parts.values()), Decimal(0))
    rows = [
        Contribution(
            key=key,
            delta=delta,
            share=delta / delta_sum if delta_sum != 0 else None,
            pull=delta / base_sum if base_sum > 0 else None,
        )
        for key, delta in deltas.items()
    ]
    return sorted(rows, key=lambda row: (-row.delta, str(row.key)))


def completion(value: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Completion of the annual target, value / target; None when either is missing or target ≤ 0."""
    if value is None or target is None or target <= 0:
        return None
    return value / target


def progress_gap(completion: Decimal | None, period: Period) -> Decimal | None:
    """Completion minus time progress (时序进度): 0.523 at 2024H1 is 0.023 ahead."""
    if completion is None:
        return None
    progress = period.time_progress
    return completion - Decimal(progress.numerator) / Decimal(progress.denominator)


def progress_status(gap: Decimal | None, amber: Decimal = Decimal("-0.05")) -> str | None:
    """Traffic light for a progress gap: green at or ahead, amber down to `amber`, red below."""
    if gap is None:
        return None
    if gap >= 0:
        return "green"
    return "amber" if gap >= amber else "red"


@dataclass(frozen=True)
class DoublingPlan:
    """Reach base_value × multiple by the end of end_year, growing at a constant rate from base_year."""

    base_year: int
    base_value: Decimal
    multiple: Decimal
    end_year: int

    def __post_init__(self) -> None:
        if self.end_year <= self.base_year:
            raise ValueError(f"end year {self.end_year} must be after base year {self.base_year}")
        if self.multiple <= 0:
            raise ValueError(f"multiple must be positive, got {self.multiple}")
        if self.base_value <= 0:
            raise ValueError(f"base value must be positive, got {self.base_value}")

    @property
    def target(self) -> Decimal:
        """The value the plan needs at the end of end_year."""
        return self.base_value * self.multiple

    @property
    def annual_rate(self) -> Decimal:
        """Constant annual growth that reaches the target: multiple^(1/years) − 1 (×2 in 3 years ≈ 0.26)."""
        with localcontext(_ROOT_CONTEXT) as ctx:
            return ctx.power(self.multiple, Decimal(1) / (self.end_year - self.base_year)) - 1

    def _required_value(self, year: int) -> Decimal:
        """The value the plan needs at the end of `year` (base_year … end_year)."""
        if not self.base_year <= year <= self.end_year:
            raise ValueError(f"year {year} is outside the plan {self.base_year}-{self.end_year}")
        if year == self.end_year:
            return self.target
        with localcontext(_ROOT_CONTEXT) as ctx:
            exponent = Decimal(year - self.base_year) / (self.end_year - self.base_year)
            return self.base_value * ctx.power(self.multiple, exponent)

    def required_path(self) -> dict[int, Decimal]:
        """Year → value needed at year end, from base_year to end_year; the last is exactly the target."""
        return {year: self._required_value(year) for year in range(self.base_year, self.end_year + 1)}

    def needed_rate(self, year: int, actual_value: Decimal) -> Decimal | None:
        """Annual growth still needed from `year`'s actual value to reach the target by end_year.

        None when no year is left (year ≥ end_year) or the actual value is not positive."""
        if year >= self.end_year or actual_value <= 0:
            return None
        with localcontext(_ROOT_CONTEXT) as ctx:
            return ctx.power(self.target / actual_value, Decimal(1) / (self.end_year - year)) - 1

    def on_track(self, year: int, actual_value: Decimal) -> bool:
        """Whether the actual value at the end of `year` is at least what the plan needs then."""
        return actual_value >= self._required_value(year)
