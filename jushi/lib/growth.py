"""Growth rates by the statistical rules (DOMAIN.md section 3), as pure functions on numbers.

Same-caliber growth (同口径) compares this year's set of enterprises with the same enterprises' values a
year earlier, as each reports them this year: g = Σ X_i(this year) / Σ X_i(last year, reported now) − 1.
Naive growth divides this year's published total by last year's published total; the two differ when
enterprises enter or leave the above-size set.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal


def ratio_growth(current: Decimal | None, base: Decimal | None) -> Decimal | None:
    """current / base − 1; None when the base is missing or not positive (wording then takes over)."""
    if current is None or base is None or base <= 0:
        return None
    return current / base - 1


def same_caliber(pairs: Iterable[tuple[Decimal | None, Decimal | None]]) -> Decimal | None:
    """Growth over this year's set: each pair is (this year's value, last year's value as reported now).

    Blank is not zero (DOMAIN §3): an enterprise without this year's figure, or with a blank last-year
    figure, is left out of both sums; a new plant reports last year as 0, which counts."""
    current = base = Decimal(0)
    seen = False
    for now, before in pairs:
        if now is None or before is None:
            continue
        seen = True
        current += now
        base += before or 0
    return ratio_growth(current, base) if seen else None


def naive(current_total: Decimal | None, previous_total: Decimal | None) -> Decimal | None:
    """This year's published total over last year's published total, minus one."""
    return ratio_growth(current_total, previous_total)


def percent(rate: Decimal | None, places: int = 1) -> Decimal | None:
    """A rate as a percentage rounded half-up, the way bulletins print it: 0.3058 → 30.6.

    The one rounding a figure gets (DOMAIN §3a): pass the exact rate, never one already rounded."""
    if rate is None:
        return None
    return (rate * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
