"""Bulletin wording by the National Bureau of Statistics conventions (DOMAIN.md section 3, "Wording").

Rates come in as fractions (0.143 is 14.3%) and are printed with one decimal, rounded half-up (away from
zero), the decimal always shown: "增长7.0%", "下降18.2%". A rate that rounds to 0.0% is "持平". Growth
of 100% or more is written in 倍 (a decline never is), where 增长X倍 means +X×100%: +110% is "增长1.1倍".
The switch to 倍 is decided on the rounded figure, so no bulletin ever prints "增长100.0%".

Profit-type figures can have a base at or below zero, where a rate means nothing; the wording then
names the change instead (由亏转盈, 由盈转亏, 扭亏, 亏损增加, 减亏). Differences of two rates are
"个百分点". Amounts are already in the display unit (亿元 by default), at most two decimals, trailing
zeros dropped as the sources print them ("54.4亿元", "80亿元"), no thousands separators.

Punctuation inside the produced phrases follows the seed bulletins, which use ASCII commas.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .growth import percent

_TENTH = Decimal("0.1")


def _size(rate: Decimal) -> str | None:
    """|rate| as bulletins print it: "14.3%", or "1.1倍" for growth of 100% and more; None when it rounds to 0.

    Only growth goes to 倍: a decline of 100% (a figure that fell to zero) stays "下降100.0%"."""
    pct = percent(abs(rate))
    if pct == 0:
        return None
    if pct >= 100 and rate > 0:
        return f"{rate.quantize(_TENTH, rounding=ROUND_HALF_UP)}倍"
    return f"{pct}%"


def _plain(value: int | Decimal) -> str:
    """A number without exponent, trailing zeros or a minus sign on zero: Decimal("80.00") → "80"."""
    value = Decimal(value)
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def rate_text(rate: Decimal | None) -> str | None:
    """A growth rate as "增长14.3%", "下降18.2%", "增长1.1倍" or "持平"."""
    if rate is None:
        return None
    size = _size(rate)
    if size is None:
        return "持平"
    return ("增长" if rate > 0 else "下降") + size


def profit_change_text(current: Decimal | None, last_year: Decimal | None) -> str | None:
    """The change of a profit-type figure, named in words when the base is not positive.

    None when either value is missing or last year was exactly zero (there is nothing to compare)."""
    if current is None or last_year is None or last_year == 0:
        return None
    if last_year > 0:
        return "由盈转亏" if current < 0 else rate_text(current / last_year - 1)
    if current > 0:
        return "由亏转盈"
    if current == 0:
        return "扭亏"
    change = current / last_year - 1  # both are losses: the growth of the loss itself
    size = _size(change)
    if size is None:
        return "亏损持平"
    return ("亏损增加" if change > 0 else "减亏") + size


def pp_text(diff: Decimal | None, up: str = "提高", down: str = "回落") -> str | None:
    """A difference of two rates in 个百分点: 0.023 → "提高2.3个百分点"; other verbs via `up`/`down`."""
    if diff is None:
        return None
    points = percent(diff)
    if points == 0:
        return "持平"
    return f"{up if points > 0 else down}{abs(points)}个百分点"


def progress_text(completion: Decimal | None, time_progress: Decimal | Fraction | None) -> str | None:
    """Completion of the annual target against time progress (时序进度, m/12 after month m).

    The gap is taken between the two figures as printed (one decimal each), so that a reader who
    subtracts 41.7% (five months) from the printed completion gets the printed gap."""
    if completion is None or time_progress is None:
        return None
    if isinstance(time_progress, Fraction):
        time_progress = Decimal(time_progress.numerator) / Decimal(time_progress.denominator)
    done = percent(completion)
    gap = done - percent(time_progress)
    if gap == 0:
        tail = "与时序进度持平"
    else:
        tail = f"{'超' if gap > 0 else '低于'}时序进度{abs(gap)}个百分点"
    return f"完成年度目标的{done}%,{tail}"


def amount_text(value: Decimal | None, unit: str = "亿元", places: int = 2) -> str | None:
    """An amount already in `unit`, at most `places` decimals half-up, trailing zeros dropped: "5.26亿元"."""
    if value is None:
        return None
    return _plain(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)) + unit


def count_text(value: int | Decimal | None, unit: str) -> str | None:
    """A count with its unit: 651, "户" → "651户"."""
    if value is None:
        return None
    return _plain(value) + unit


def count_change_text(current: int | Decimal | None, before: int | Decimal | None, unit: str) -> str | None:
    """The change of a count in units: "增加3个", "减少3个" or "持平"."""
    if current is None or before is None:
        return None
    change = Decimal(current) - Decimal(before)
    if change == 0:
        return "持平"
    return ("增加" if change > 0 else "减少") + _plain(abs(change)) + unit


def yi_from_thousand_yuan(value: Decimal | None) -> Decimal | None:
    """千元 → 亿元, exactly (a shift of five decimal places)."""
    return None if value is None else value.scaleb(-5)


def yi_from_ten_thousand_yuan(value: Decimal | None) -> Decimal | None:
    """万元 → 亿元, exactly (a shift of four decimal places)."""
    return None if value is None else value.scaleb(-4)
