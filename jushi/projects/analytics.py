"""The pipeline's arithmetic, as pure functions (DOMAIN.md §6): conversion rates, the probability-weighted
signing forecast, time in stage from a histogram of days, the key-project schedule's light.

No models in here: the views read sums and counts from the database (grouped queries, never all rows)
and hand them over as numbers, tuples and dicts. Rates are fractions (0.5 is 50%); rounding for display
is `growth.percent`'s job.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

# A key project whose actual investment so far is below this share of its plan so far is amber.
BEHIND_PLAN = Decimal("0.8")


def rate(part: int | Decimal | None, whole: int | Decimal | None) -> Decimal | None:
    """part / whole (开工率, 投产率, 到位率…); None when either is missing or the whole is 0."""
    if part is None or whole is None or whole == 0:
        return None
    return Decimal(part) / Decimal(whole)


def weighted_forecast(signed: Decimal | None, pipeline: Iterable[tuple[Decimal | None, Decimal]]) -> Decimal:
    """What the year's signings may come to: what is signed, plus each open lead's or negotiation's
    agreed investment times its stage's probability of signing. Amounts without a figure count 0."""
    total = Decimal(signed or 0)
    for amount, probability in pipeline:
        if amount is not None:
            total += Decimal(amount) * Decimal(probability)
    return total


def reached(counts: Sequence[int]) -> list[int]:
    """How many projects have reached each stage (are in it or beyond), from how many are in each stage
    now, stages in order: the funnel's widths, which never widen downstream."""
    out: list[int] = []
    running = 0
    for n in reversed(counts):
        running += n
        out.append(running)
    return out[::-1]


def histogram_median(counts: Mapping[int, int]) -> Decimal | None:
    """The median of values given as value → how many times it occurs (the days of every completed stay
    in a stage, grouped by the database); the mean of the two middle values when the count is even."""
    ordered = sorted((value, n) for value, n in counts.items() if n > 0)
    size = sum(n for _, n in ordered)
    if size == 0:
        return None
    low_rank, high_rank = (size - 1) // 2, size // 2  # 0-based ranks of the middle value(s)
    low = high = None
    seen = 0
    for value, n in ordered:
        if low is None and seen + n > low_rank:
            low = value
        if seen + n > high_rank:
            high = value
            break
        seen += n
    return (Decimal(low) + Decimal(high)) / 2


def histogram_mean(counts: Mapping[int, int]) -> Decimal | None:
    """The mean of values given as value → frequency; None when there are none."""
    size = sum(n for n in counts.values() if n > 0)
    if size == 0:
        return None
    return Decimal(sum(value * n for value, n in counts.items() if n > 0)) / size


def months_elapsed(year: int, today: dt.date) -> int:
    """Months of `year` under way by `today`: 12 for a past year, the current month for this year (the
    period a cumulative figure is reported for), 0 for a year still to come."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def cumulative(values: Iterable[Decimal | None]) -> list[Decimal | None]:
    """Running totals for a chart's cumulative line; a month without a figure adds nothing, and the line
    stops (None) after the last month that has one."""
    values = list(values)
    last = max((i for i, v in enumerate(values) if v is not None), default=-1)
    out: list[Decimal | None] = []
    running = Decimal(0)
    for i, value in enumerate(values):
        if i > last:
            out.append(None)
            continue
        running += value or 0
        out.append(running)
    return out


def schedule_light(
    project_light: str,
    *,
    late_milestones: int,
    overdue_problems: int,
    open_problems: int,
    planned_to_date: Decimal | None,
    actual_to_date: Decimal | None,
) -> str:
    """红黄绿 of a key project on the schedule.

    Red: the project itself is red (past its stage's time limit, or past the agreed start date), a
    milestone is past its planned date and not done, or a problem is past its due date. Amber: the
    project is amber, a problem is open, or the investment so far is below 80% of the plan so far.
    Green otherwise."""
    if project_light == "red" or late_milestones > 0 or overdue_problems > 0:
        return "red"
    done = rate(actual_to_date or 0, planned_to_date)
    if project_light == "amber" or open_problems > 0 or (done is not None and done < BEHIND_PLAN):
        return "amber"
    return "green"
