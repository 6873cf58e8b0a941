"""Reporting periods (期别) of Chinese statistics: months, quarters, half-years and years.

Enterprises report cumulative year-to-date values, so every period covers January to its end month:
2024-06 is 1-6月, 2024Q2 is also 1-6月 (as a quarterly report: 上半年), 2024H1 is 上半年 and 2024 is the
whole year. A period's *own* span is the part it adds to the previous period of the same kind: 6月 for
2024-06, 二季度 for 2024Q2, 下半年 for 2024H2.

January is usually not reported alone: with ``combine_jan_feb=True`` (the default everywhere) the first
monthly period of a year is 2024-02, which covers 1-2月 both cumulatively and as its own span, and the
monthly periods of a year are 2024-02 .. 2024-12. 2024-01 remains a valid period (it is what you get
with ``combine_jan_feb=False``).

Canonical codes are ``2024-06``, ``2024Q2``, ``2024H1`` and ``2024``; ``Period.parse`` also accepts a few
other spellings. Years run from 2000 to 2100.

Ordering is by ``(year, end_month, kind)`` with kinds ranked M < Q < H < Y, so periods of the same kind
sort chronologically and a mixed list sorts by the month it ends in (2024-06 < 2024Q2 < 2024H1 < 2024-07).
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction

MONTH = "M"
QUARTER = "Q"
HALF = "H"
YEAR = "Y"
KINDS = (MONTH, QUARTER, HALF, YEAR)
MIN_YEAR = 2000
MAX_YEAR = 2100

_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
_MONTHS_PER = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}
_INDEX_MAX = {MONTH: 12, QUARTER: 4, HALF: 2, YEAR: 1}
_INDEX_REASON = {
    MONTH: "月份应为 1-12",
    QUARTER: "季度应为 1-4",
    HALF: "半年应为 1(上半年)或 2(下半年)",
    YEAR: "年度期别的序号应为 1",
}
_QUARTER_CUMULATIVE = {1: "一季度", 2: "上半年", 3: "前三季度", 4: "全年"}
_QUARTER_OWN = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
_HALF_CUMULATIVE = {1: "上半年", 2: "全年"}
_HALF_OWN = {1: "上半年", 2: "下半年"}

_YEAR_RE = re.compile(r"[0-9]{4}")
_MONTH_RE = re.compile(r"([0-9]{4})(?:-|M)([0-9]{1,2})|([0-9]{4})([0-9]{2})")
_CUMULATIVE_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})\.\.([0-9]{1,2})")
_QUARTER_HALF_RE = re.compile(r"([0-9]{4})([QH])([0-9]{1,2})")
_FORMS = "应为 2024-06、2024-01..06、2024Q2、2024H1 或 2024 之类的写法"


class PeriodError(ValueError):
    """Not a valid period; the message names the offending text and says why, in Chinese."""


def _problem(year: object, kind: object, index: object) -> str | None:
    """Why (year, kind, index) is not a period, or None if it is one."""
    if kind not in _KIND_RANK:
        return f"期别类型应为 {'、'.join(KINDS)} 之一"
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        return f"年份应为 {MIN_YEAR}-{MAX_YEAR}"
    if not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= _INDEX_MAX[kind]:
        return _INDEX_REASON[kind]
    return None


def _raw_code(year: object, kind: object, index: object) -> str:
    """A code-like rendering of possibly invalid parts, for error messages."""
    if kind == MONTH and isinstance(index, int):
        return f"{year}-{index:02d}"
    if kind == YEAR:
        return f"{year}"
    return f"{year}{kind}{index}"


@dataclass(frozen=True)
class Period:
    """One reporting period; the value reported for it is cumulative from January 1."""

    year: int
    kind: str  # "M" month, "Q" quarter, "H" half-year, "Y" year
    index: int  # month 1-12 / quarter 1-4 / half 1-2 / 1 for year

    def __post_init__(self) -> None:
        problem = _problem(self.year, self.kind, self.index)
        if problem:
            raise PeriodError(f"无效的期别“{_raw_code(self.year, self.kind, self.index)}”:{problem}")

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Parse 2024-06, 2024-6, 202406, 2024M06, 2024-01..06, 2024Q2, 2024H1, 2024 (any case, spaces)."""
        raw = text if isinstance(text, str) else str(text)
        s = raw.strip().upper()

        def fail(reason: str) -> PeriodError:
            return PeriodError(f"无法识别的期别“{raw}”:{reason}")

        if m := _YEAR_RE.fullmatch(s):
            year, kind, index = int(s), YEAR, 1
        elif m := _MONTH_RE.fullmatch(s):
            year_text, month_text = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            year, kind, index = int(year_text), MONTH, int(month_text)
        elif m := _CUMULATIVE_RE.fullmatch(s):
            if int(m.group(2)) != 1:
                raise fail("累计期别应从 01 月开始")
            year, kind, index = int(m.group(1)), MONTH, int(m.group(3))
        elif m := _QUARTER_HALF_RE.fullmatch(s):
            year, kind, index = int(m.group(1)), m.group(2), int(m.group(3))
        else:
            raise fail(_FORMS)
        problem = _problem(year, kind, index)
        if problem:
            raise fail(problem)
        return cls(year, kind, index)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(year, MONTH, month)

    @classmethod
    def quarter(cls, year: int, q: int) -> "Period":
        return cls(year, QUARTER, q)

    @classmethod
    def half(cls, year: int, h: int) -> "Period":
        return cls(year, HALF, h)

    @classmethod
    def whole_year(cls, year: int) -> "Period":
        return cls(year, YEAR, 1)

    # -- ordering -----------------------------------------------------------------------------------

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """(year, end_month, kind rank M<Q<H<Y): chronological within a kind."""
        return (self.year, self.end_month, _KIND_RANK[self.kind])

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key < other.sort_key

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key <= other.sort_key

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key > other.sort_key

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key >= other.sort_key

    # -- spans --------------------------------------------------------------------------------------

    @property
    def code(self) -> str:
        """Canonical code: 2024-06, 2024Q2, 2024H1, 2024."""
        return _raw_code(self.year, self.kind, self.index)

    def __str__(self) -> str:
        return self.code

    @property
    def end_month(self) -> int:
        return self.index * _MONTHS_PER[self.kind]

    @property
    def cumulative_months(self) -> range:
        return range(1, self.end_month + 1)

    @property
    def start(self) -> dt.date:
        """January 1 of the year: cumulative values start there."""
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the end month."""
        return dt.date(self.year, self.end_month, calendar.monthrange(self.year, self.end_month)[1])

    @property
    def time_progress(self) -> Fraction:
        """时序进度: the share of the year elapsed at the end of the period."""
        return Fraction(self.end_month, 12)

    def contains_month(self, month: int) -> bool:
        """Whether `month` lies in the cumulative span (January to end_month)."""
        return 1 <= month <= self.end_month

    def own_start_month(self, combine_jan_feb: bool = True) -> int:
        """First month of the period's own (non-cumulative) span."""
        if self.kind == MONTH and self.index == 2 and combine_jan_feb:
            return 1
        return self.end_month - _MONTHS_PER[self.kind] + 1

    def own_months(self, combine_jan_feb: bool = True) -> int:
        """Number of months in the period's own span."""
        return self.end_month - self.own_start_month(combine_jan_feb) + 1

    # -- labels -------------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        """Cumulative label for forms and bulletins: 2024年1-6月, 2024年一季度, 2024年上半年, 2024年."""
        if self.kind == MONTH:
            span = "1月" if self.index == 1 else f"1-{self.index}月"
        elif self.kind == QUARTER:
            span = _QUARTER_CUMULATIVE[self.index]
        elif self.kind == HALF:
            span = _HALF_CUMULATIVE[self.index]
        else:
            span = ""
        return f"{self.year}年{span}"

    def own_label(self, combine_jan_feb: bool = True) -> str:
        """Label of the own span: 2024年6月, 2024年1-2月, 2024年二季度, 2024年下半年, 2024年."""
        if self.kind == MONTH:
            first = self.own_start_month(combine_jan_feb)
            span = f"{self.index}月" if first == self.index else f"{first}-{self.index}月"
        elif self.kind == QUARTER:
            span = _QUARTER_OWN[self.index]
        elif self.kind == HALF:
            span = _HALF_OWN[self.index]
        else:
            span = ""
        return f"{self.year}年{span}"

    # -- neighbours ---------------------------------------------------------------------------------

    def last_year(self) -> "Period":
        """The same period one year earlier (同期)."""
        return Period(self.year - 1, self.kind, self.index)

    def previous(self, combine_jan_feb: bool = True) -> "Period | None":
        """The previous period of the same kind in the same year, or None if this is the first."""
        first = 2 if self.kind == MONTH and combine_jan_feb else 1
        if self.kind == YEAR or self.index <= first:
            return None
        return Period(self.year, self.kind, self.index - 1)

    def next(self, combine_jan_feb: bool = True) -> "Period":
        """The following period of the same kind, continuing into the next year."""
        if self.index < _INDEX_MAX[self.kind]:
            return Period(self.year, self.kind, self.index + 1)
        first = 2 if self.kind == MONTH and combine_jan_feb else 1
        return Period(self.year + 1, self.kind, first)

    def as_month(self) -> "Period":
        """The month period with the same end month: 2024H1 -> 2024-06, 2024 -> 2024-12."""
        return Period(self.year, MONTH, self.end_month)


def _check_kind(kind: str) -> str:
    if kind not in _KIND_RANK:
        raise PeriodError(f"无法识别的期别类型“{kind}”:应为 {'、'.join(KINDS)} 之一")
    return kind


def periods_of_year(year: int, kind: str, *, combine_jan_feb: bool = True) -> list[Period]:
    """All periods of one kind in a year; monthly ones start at 2024-02 when January is combined."""
    kind = _check_kind(kind)
    first = 2 if kind == MONTH and combine_jan_feb else 1
    return [Period(year, kind, index) for index in range(first, _INDEX_MAX[kind] + 1)]


def period_range(first: Period, last: Period, *, combine_jan_feb: bool = True) -> list[Period]:
    """Periods of one kind from first to last inclusive, following next() across years."""
    if first.kind != last.kind:
        raise PeriodError(f"期别“{first}”与“{last}”的类型不同,无法列出区间")
    if first > last:
        raise PeriodError(f"起始期别“{first}”晚于结束期别“{last}”")
    periods = []
    period = first
    while period <= last:
        periods.append(period)
        if period == last:
            break
        period = period.next(combine_jan_feb)
    return periods


def reporting_period_for(day: dt.date, kind: str, *, combine_jan_feb: bool = True) -> Period:
    """The period reported on `day`: the last one of `kind` that ended before `day`.

    With January combined, early February still reports December of the previous year.
    """
    kind = _check_kind(kind)
    year, month = day.year, day.month - 1  # the last complete month
    if month == 0:
        year, month = year - 1, 12
    if kind == MONTH:
        if month == 1 and combine_jan_feb:
            return Period(year - 1, MONTH, 12)
        return Period(year, MONTH, month)
    size = _MONTHS_PER[kind]
    if month < size:  # no period of this kind has ended yet this year
        return Period(year - 1, kind, _INDEX_MAX[kind])
    return Period(year, kind, month // size)
