import datetime as dt
import random
from fractions import Fraction

import pytest

from jushi.lib.periods import Period, PeriodError, period_range, periods_of_year, reporting_period_for

P = Period.parse


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-06", Period.month(2024, 6)),
        ("2024-6", Period.month(2024, 6)),
        ("202406", Period.month(2024, 6)),
        ("2024M06", Period.month(2024, 6)),
        ("2024m6", Period.month(2024, 6)),
        ("2024-01..06", Period.month(2024, 6)),
        ("2024-1..6", Period.month(2024, 6)),
        ("2024-01..01", Period.month(2024, 1)),
        ("2024-12", Period.month(2024, 12)),
        ("2024Q2", Period.quarter(2024, 2)),
        ("2024q2", Period.quarter(2024, 2)),
        ("2024H1", Period.half(2024, 1)),
        ("2024h2", Period.half(2024, 2)),
        ("2024", Period.whole_year(2024)),
        ("  2024Q4 ", Period.quarter(2024, 4)),
        ("\u30002024-03\u3000", Period.month(2024, 3)),
        ("2000", Period.whole_year(2000)),
        ("2100-12", Period.month(2100, 12)),
    ],
)
def test_parse_accepts_every_spelling(text, expected):
    assert P(text) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("2024-13", "月份应为 1-12"),
        ("2024-00", "月份应为 1-12"),
        ("202413", "月份应为 1-12"),
        ("2024-01..13", "月份应为 1-12"),
        ("2024Q5", "季度应为 1-4"),
        ("2024Q0", "季度应为 1-4"),
        ("2024H3", "半年应为"),
        ("1999", "年份应为 2000-2100"),
        ("2101-01", "年份应为 2000-2100"),
        ("abc", "应为 2024-06"),
        ("", "应为 2024-06"),
        ("2024-02..06", "累计期别应从 01 月开始"),
        ("2024/06", "应为 2024-06"),
        ("2024Y", "应为 2024-06"),
        ("２０２４", "应为 2024-06"),  # full-width digits are not silently accepted
    ],
)
def test_parse_rejects_bad_text_naming_it(text, reason):
    with pytest.raises(PeriodError) as info:
        P(text)
    message = str(info.value)
    assert f"无法识别的期别“{text}”" in message
    assert reason in message


def test_error_message_matches_the_documented_form():
    with pytest.raises(PeriodError, match="^无法识别的期别“2024-13”:月份应为 1-12$"):
        P("2024-13")


def test_period_error_is_a_value_error():
    assert issubclass(PeriodError, ValueError)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Period.month(2024, 13),
        lambda: Period.month(2024, 0),
        lambda: Period.quarter(2024, 5),
        lambda: Period.half(2024, 3),
        lambda: Period.whole_year(1999),
        lambda: Period(2024, "Y", 2),
        lambda: Period(2024, "X", 1),
        lambda: Period(2024, "m", 6),
    ],
)
def test_constructors_validate(make):
    with pytest.raises(PeriodError, match="无效的期别"):
        make()


@pytest.mark.parametrize("kind", ["M", "Q", "H", "Y"])
@pytest.mark.parametrize("combine", [True, False])
def test_code_round_trips_for_every_period_of_a_year(kind, combine):
    for period in periods_of_year(2024, kind, combine_jan_feb=combine):
        assert P(period.code) == period
        assert str(period) == period.code


def test_canonical_codes():
    assert [P(t).code for t in ("2024-6", "202401", "2024q2", "2024h1", " 2024 ")] == [
        "2024-06",
        "2024-01",
        "2024Q2",
        "2024H1",
        "2024",
    ]


def test_spans():
    for code in ("2024-06", "2024Q2", "2024H1"):
        period = P(code)
        assert period.end_month == 6
        assert period.cumulative_months == range(1, 7)
        assert period.start == dt.date(2024, 1, 1)
        assert period.end == dt.date(2024, 6, 30)
    assert P("2024").end_month == 12
    assert P("2024").end == dt.date(2024, 12, 31)
    assert P("2024-02").end == dt.date(2024, 2, 29)
    assert P("2023-02").end == dt.date(2023, 2, 28)
    assert P("2024Q3").contains_month(9)
    assert not P("2024Q3").contains_month(10)
    assert P("2024-01").contains_month(1)
    assert not P("2024-01").contains_month(0)


def test_time_progress():
    assert P("2024-06").time_progress == Fraction(1, 2)
    assert P("2024Q1").time_progress == Fraction(1, 4)
    assert P("2024").time_progress == 1
    assert isinstance(P("2024-03").time_progress, Fraction)


@pytest.mark.parametrize(
    "code, label",
    [
        ("2024-06", "2024年1-6月"),
        ("2024-02", "2024年1-2月"),
        ("2024-01", "2024年1月"),
        ("2024-12", "2024年1-12月"),
        ("2024Q1", "2024年一季度"),
        ("2024Q2", "2024年上半年"),
        ("2024Q3", "2024年前三季度"),
        ("2024Q4", "2024年全年"),
        ("2024H1", "2024年上半年"),
        ("2024H2", "2024年全年"),
        ("2024", "2024年"),
    ],
)
def test_cumulative_labels(code, label):
    assert P(code).label == label


@pytest.mark.parametrize(
    "code, combine, label",
    [
        ("2024-06", True, "2024年6月"),
        ("2024-02", True, "2024年1-2月"),
        ("2024-02", False, "2024年2月"),
        ("2024-01", True, "2024年1月"),
        ("2024Q1", True, "2024年一季度"),
        ("2024Q2", True, "2024年二季度"),
        ("2024Q3", True, "2024年三季度"),
        ("2024Q4", True, "2024年四季度"),
        ("2024H1", True, "2024年上半年"),
        ("2024H2", True, "2024年下半年"),
        ("2024", True, "2024年"),
    ],
)
def test_own_labels(code, combine, label):
    assert P(code).own_label(combine_jan_feb=combine) == label


@pytest.mark.parametrize(
    "code, combine, start, months",
    [
        ("2024-06", True, 6, 1),
        ("2024-02", True, 1, 2),
        ("2024-02", False, 2, 1),
        ("2024-03", True, 3, 1),
        ("2024-01", True, 1, 1),
        ("2024Q2", True, 4, 3),
        ("2024Q1", True, 1, 3),
        ("2024H2", True, 7, 6),
        ("2024", True, 1, 12),
    ],
)
def test_own_span(code, combine, start, months):
    period = P(code)
    assert period.own_start_month(combine_jan_feb=combine) == start
    assert period.own_months(combine_jan_feb=combine) == months


def test_own_spans_of_a_year_tile_it():
    for kind in "MQHY":
        for combine in (True, False):
            periods = periods_of_year(2024, kind, combine_jan_feb=combine)
            assert sum(p.own_months(combine) for p in periods) == 12
            for p in periods:
                assert p.own_start_month(combine) + p.own_months(combine) - 1 == p.end_month


@pytest.mark.parametrize(
    "code, combine, expected",
    [
        ("2024-03", True, "2024-02"),
        ("2024-02", True, None),
        ("2024-02", False, "2024-01"),
        ("2024-01", True, None),
        ("2024-01", False, None),
        ("2024-12", True, "2024-11"),
        ("2024Q1", True, None),
        ("2024Q3", True, "2024Q2"),
        ("2024H2", True, "2024H1"),
        ("2024H1", True, None),
        ("2024", True, None),
    ],
)
def test_previous(code, combine, expected):
    previous = P(code).previous(combine_jan_feb=combine)
    assert (previous.code if previous else None) == expected


@pytest.mark.parametrize(
    "code, combine, expected",
    [
        ("2024-12", True, "2025-02"),
        ("2024-12", False, "2025-01"),
        ("2024-01", True, "2024-02"),
        ("2024-02", True, "2024-03"),
        ("2024Q4", True, "2025Q1"),
        ("2024Q1", True, "2024Q2"),
        ("2024H1", True, "2024H2"),
        ("2024H2", True, "2025H1"),
        ("2024", True, "2025"),
    ],
)
def test_next(code, combine, expected):
    assert P(code).next(combine_jan_feb=combine).code == expected


def test_next_and_previous_are_inverse_within_a_year():
    for kind in "MQHY":
        for combine in (True, False):
            periods = periods_of_year(2024, kind, combine_jan_feb=combine)
            for before, after in zip(periods, periods[1:], strict=False):
                assert before.next(combine) == after
                assert after.previous(combine) == before
            assert periods[0].previous(combine) is None


def test_last_year_and_as_month():
    assert P("2024-06").last_year() == P("2023-06")
    assert P("2024Q2").last_year() == P("2023Q2")
    assert P("2024").last_year() == P("2023")
    with pytest.raises(PeriodError):
        P("2000").last_year()
    assert P("2024H1").as_month() == P("2024-06")
    assert P("2024Q3").as_month() == P("2024-09")
    assert P("2024").as_month() == P("2024-12")
    assert P("2024-05").as_month() == P("2024-05")


@pytest.mark.parametrize(
    "kind, combine, count, first",
    [
        ("M", True, 11, "2024-02"),
        ("M", False, 12, "2024-01"),
        ("Q", True, 4, "2024Q1"),
        ("H", True, 2, "2024H1"),
        ("Y", True, 1, "2024"),
    ],
)
def test_periods_of_year(kind, combine, count, first):
    periods = periods_of_year(2024, kind, combine_jan_feb=combine)
    assert len(periods) == count
    assert periods[0].code == first
    assert all(p.kind == kind and p.year == 2024 for p in periods)
    assert periods == sorted(periods)


def test_periods_of_year_rejects_an_unknown_kind():
    with pytest.raises(PeriodError, match="“W”"):
        periods_of_year(2024, "W")


def test_period_range_across_a_year_boundary():
    assert [p.code for p in period_range(P("2024-11"), P("2025-03"))] == [
        "2024-11",
        "2024-12",
        "2025-02",
        "2025-03",
    ]
    assert [p.code for p in period_range(P("2024-11"), P("2025-03"), combine_jan_feb=False)] == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    assert [p.code for p in period_range(P("2023Q3"), P("2024Q2"))] == [
        "2023Q3",
        "2023Q4",
        "2024Q1",
        "2024Q2",
    ]
    assert period_range(P("2024H1"), P("2024H1")) == [P("2024H1")]
    assert [p.code for p in period_range(P("2022"), P("2024"))] == ["2022", "2023", "2024"]


def test_period_range_ending_on_a_skipped_january_stops_before_it():
    assert [p.code for p in period_range(P("2024-11"), P("2025-01"))] == ["2024-11", "2024-12"]


def test_period_range_rejects_mixed_kinds_and_reversed_bounds():
    with pytest.raises(PeriodError, match="类型不同"):
        period_range(P("2024-06"), P("2024Q4"))
    with pytest.raises(PeriodError, match="晚于"):
        period_range(P("2024-06"), P("2024-05"))


@pytest.mark.parametrize(
    "day, kind, combine, expected",
    [
        (dt.date(2024, 7, 1), "M", True, "2024-06"),
        (dt.date(2024, 2, 10), "M", False, "2024-01"),
        (dt.date(2024, 2, 10), "M", True, "2023-12"),
        (dt.date(2024, 3, 5), "M", True, "2024-02"),
        (dt.date(2024, 3, 5), "M", False, "2024-02"),
        (dt.date(2024, 2, 5), "M", True, "2023-12"),
        (dt.date(2024, 2, 5), "M", False, "2024-01"),
        (dt.date(2024, 1, 15), "M", True, "2023-12"),
        (dt.date(2024, 6, 30), "M", True, "2024-05"),
        (dt.date(2024, 7, 5), "Q", True, "2024Q2"),
        (dt.date(2024, 3, 31), "Q", True, "2023Q4"),
        (dt.date(2024, 4, 1), "Q", True, "2024Q1"),
        (dt.date(2024, 1, 20), "Q", True, "2023Q4"),
        (dt.date(2024, 7, 15), "H", True, "2024H1"),
        (dt.date(2024, 6, 15), "H", True, "2023H2"),
        (dt.date(2025, 1, 10), "Y", True, "2024"),
        (dt.date(2025, 12, 31), "Y", True, "2024"),
    ],
)
def test_reporting_period_for(day, kind, combine, expected):
    assert reporting_period_for(day, kind, combine_jan_feb=combine).code == expected


def test_reporting_period_has_ended_before_the_day():
    day = dt.date(2023, 1, 1)
    while day < dt.date(2025, 1, 1):
        for kind in "MQHY":
            period = reporting_period_for(day, kind)
            assert period.end < day
            assert period.next().end >= day
        day += dt.timedelta(days=1)


def test_sorted_month_periods_are_chronological():
    periods = [p for year in (2023, 2024, 2025) for p in periods_of_year(year, "M", combine_jan_feb=False)]
    shuffled = periods[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled) == periods
    assert [p.end for p in sorted(shuffled)] == sorted(p.end for p in periods)


def test_mixed_kinds_sort_by_end_month_then_kind():
    codes = ["2024", "2024-07", "2024H1", "2024Q2", "2024-06", "2023Q4", "2024-01"]
    assert [p.code for p in sorted(map(P, codes))] == [
        "2023Q4",
        "2024-01",
        "2024-06",
        "2024Q2",
        "2024H1",
        "2024-07",
        "2024",
    ]
    assert P("2024Q2") > P("2024-06")
    assert P("2024-06") <= P("2024-06")
    assert P("2024Q2") != P("2024H1")


def test_periods_are_hashable_values():
    assert {P("2024-6"), P("202406"), P("2024-01..06")} == {Period.month(2024, 6)}
    assert repr(P("2024Q2")) == "Period(year=2024, kind='Q', index=2)"
