from decimal import Decimal as D
from decimal import localcontext

import pytest

from jushi.lib.growth import naive, percent, ratio_growth, same_caliber
from jushi.lib.indicator_math import (
    Contribution,
    DoublingPlan,
    Pair,
    completion,
    contributions,
    count_change,
    pp_change,
    progress_gap,
    progress_status,
    ratio_of_sums,
    same_caliber_totals,
    total,
    two_year_average,
)
from jushi.lib.periods import Period

# DOMAIN.md section 3: this year's (2025 H1) set is A, C and D; B fell out of the set.
WORKED_EXAMPLE = {
    "A": Pair(D("11.0"), D("10.0")),
    "C": Pair(D("4.0"), D("2.5")),
    "D": Pair(D("2.0"), D("0.0")),
}


def test_total_ignores_blanks_and_is_none_without_values():
    assert total([D("1.5"), None, D(2)]) == D("3.5")
    assert total([D(0)]) == D(0)
    assert total([None, None]) is None
    assert total([]) is None


def test_domain_worked_example_same_caliber_against_naive():
    totals = same_caliber_totals(WORKED_EXAMPLE.values())
    assert totals == (D("17.0"), D("12.5"))
    assert percent(ratio_growth(*totals)) == D("36.0")
    published_2024 = D("10.0") + D("3.0")  # A + B as reported in 2024
    assert percent(naive(totals[0], published_2024)) == D("30.8")


def test_same_caliber_totals_agree_with_growth_same_caliber():
    pairs = [*WORKED_EXAMPLE.values(), Pair(None, D(7)), Pair(D(5), None), Pair(D("3.3"), D("2.9"))]
    current, base = same_caliber_totals(pairs)
    assert (current, base) == (D("20.3"), D("15.4"))  # units with a blank on either side are left out
    assert ratio_growth(current, base) == same_caliber([(p.current, p.last_year) for p in pairs])
    assert same_caliber_totals([Pair(None, D(7))]) is None
    assert same_caliber_totals([]) is None


def test_contributions_on_the_worked_example():
    rows = contributions(WORKED_EXAMPLE)
    assert [row.key for row in rows] == ["D", "C", "A"]  # largest increase first
    assert [row.delta for row in rows] == [D("2.0"), D("1.5"), D("1.0")]
    assert [row.pull for row in rows] == [D("0.16"), D("0.12"), D("0.08")]
    assert rows[0].share == D("2.0") / D("4.5")
    # Each share is rounded to 28 digits, so their sum may miss 1 in the last place.
    assert sum(row.share for row in rows).quantize(D("1e-20")) == 1
    assert sum(row.pull for row in rows) == same_caliber(
        (pair.current, pair.last_year) for pair in WORKED_EXAMPLE.values()
    )


def test_contributions_count_blanks_as_zero_and_break_ties_by_key():
    rows = contributions({"b": Pair(D(12), D(10)), "a": Pair(D(6), D(4)), "gone": Pair(None, D(6))})
    assert rows == [
        Contribution(key="a", delta=D(2), share=D(-1), pull=D(2) / D(20)),
        Contribution(key="b", delta=D(2), share=D(-1), pull=D(2) / D(20)),
        Contribution(key="gone", delta=D(-6), share=D(3), pull=D(-6) / D(20)),
    ]


def test_contributions_without_net_increase_or_base_have_no_share_or_pull():
    flat = contributions({"x": Pair(D(5), D(4)), "y": Pair(D(3), D(4))})
    assert [(row.delta, row.share) for row in flat] == [(D(1), None), (D(-1), None)]
    new = contributions({"x": Pair(D(5), None), "y": Pair(D(3), D(0))})
    assert [(row.share, row.pull) for row in new] == [(D(5) / D(8), None), (D(3) / D(8), None)]
    assert contributions({}) == []


def test_ratio_of_sums_is_not_an_average_of_ratios():
    sales = [D(90), D(5)]  # 销售产值
    output = [D(100), D(25)]  # 总产值: 产销率 0.9 and 0.2
    assert ratio_of_sums(sales, output) == D("0.76")
    average_of_ratios = sum(s / o for s, o in zip(sales, output, strict=True)) / 2
    assert average_of_ratios == D("0.55")
    assert ratio_of_sums(sales, output) != average_of_ratios


def test_ratio_of_sums_without_a_denominator_is_none():
    assert ratio_of_sums([D(1), None], [D(4), None]) == D("0.25")
    assert ratio_of_sums([D(1)], [D(0)]) is None
    assert ratio_of_sums([D(1)], [None]) is None
    assert ratio_of_sums([None], [D(4)]) is None


def test_pp_change_is_a_difference_of_rates():
    assert pp_change(D("0.523"), D("0.500")) == D("0.023")
    assert pp_change(D("0.1"), D("0.15")) == D("-0.05")
    assert pp_change(None, D("0.5")) is None
    assert pp_change(D("0.5"), None) is None


def test_count_change_in_units_and_percent():
    assert count_change(23, 20) == (D(3), D("0.15"))
    assert count_change(D(18), D(20)) == (D(-2), D("-0.1"))
    assert count_change(5, 0) == (D(5), None)
    assert count_change(None, 20) is None
    assert count_change(20, None) is None


def test_two_year_average_is_geometric():
    assert two_year_average(D("0.21")) == D("0.1")
    assert two_year_average(D("-0.19")) == D("-0.1")
    assert two_year_average(D(-1)) is None
    assert two_year_average(D(-2)) is None
    assert two_year_average(None) is None


def test_completion_against_the_annual_target():
    assert completion(D("52.3"), D(100)) == D("0.523")
    assert completion(D(10), D(0)) is None
    assert completion(D(10), D(-5)) is None
    assert completion(D(10), None) is None
    assert completion(None, D(100)) is None


def test_progress_at_half_year_ahead_of_time_progress():
    gap = progress_gap(completion(D("52.3"), D(100)), Period.parse("2024H1"))
    assert gap == D("0.023")
    assert progress_status(gap) == "green"
    assert progress_gap(D("0.5"), Period.parse("2024H1")) == 0
    assert progress_status(D(0)) == "green"


def test_progress_at_march_behind_time_progress():
    march = Period.parse("2024-03")
    assert progress_gap(D("0.20"), march) == D("-0.05")
    assert progress_status(progress_gap(D("0.20"), march)) == "amber"  # the amber bound is included
    assert progress_status(progress_gap(D("0.19"), march)) == "red"
    assert progress_status(D("-0.03"), amber=D("-0.02")) == "red"
    assert progress_gap(None, march) is None
    assert progress_status(None) is None


def test_progress_gap_is_exact_for_twelfths():
    assert progress_gap(D(1), Period.parse("2024-05")) == 1 - D(5) / D(12)


DOUBLING = DoublingPlan(base_year=2022, base_value=D(100), multiple=D(2), end_year=2025)


def test_doubling_plan_annual_rate():
    assert DOUBLING.annual_rate.quantize(D("0.0001")) == D("0.2599")
    assert percent(DOUBLING.annual_rate) == D("26.0")


def test_doubling_plan_required_path():
    path = DOUBLING.required_path()
    assert list(path) == [2022, 2023, 2024, 2025]
    assert path[2022] == D(100)
    assert path[2025] == D(200)
    assert path[2023].quantize(D("0.01")) == D("125.99")
    assert path[2024].quantize(D("0.01")) == D("158.74")
    assert (path[2023] * (1 + DOUBLING.annual_rate)).quantize(D("1e-20")) == path[2024].quantize(D("1e-20"))


def test_doubling_plan_needed_rate_from_behind_schedule():
    assert DOUBLING.needed_rate(2024, D(150)).quantize(D("0.0001")) == D("0.3333")  # one year left
    assert DOUBLING.needed_rate(2023, D(110)).quantize(D("0.0001")) == D("0.3484")  # sqrt(200/110) − 1
    assert DOUBLING.needed_rate(2022, D(100)) == DOUBLING.annual_rate
    assert DOUBLING.needed_rate(2025, D(150)) is None
    assert DOUBLING.needed_rate(2024, D(0)) is None


def test_doubling_plan_on_track():
    assert DOUBLING.on_track(2022, D(100))
    assert DOUBLING.on_track(2024, D(160))
    assert not DOUBLING.on_track(2024, D(150))
    assert not DOUBLING.on_track(2024, D("158.74"))  # the path needs 158.7401…
    assert DOUBLING.on_track(2025, D(200))
    assert not DOUBLING.on_track(2025, D("199.99"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"end_year": 2022}, "must be after base year"),
        ({"end_year": 2021}, "must be after base year"),
        ({"multiple": D(0)}, "multiple must be positive"),
        ({"multiple": D(-2)}, "multiple must be positive"),
        ({"base_value": D(0)}, "base value must be positive"),
        ({"base_value": D(-1)}, "base value must be positive"),
    ],
)
def test_doubling_plan_rejects_bad_inputs(kwargs, message):
    arguments = {"base_year": 2022, "base_value": D(100), "multiple": D(2), "end_year": 2025} | kwargs
    with pytest.raises(ValueError, match=message):
        DoublingPlan(**arguments)


def test_doubling_plan_on_track_rejects_a_year_outside_the_plan():
    with pytest.raises(ValueError, match="outside the plan"):
        DOUBLING.on_track(2026, D(300))
    with pytest.raises(ValueError, match="outside the plan"):
        DOUBLING.on_track(2021, D(90))


def test_roots_do_not_depend_on_the_callers_decimal_context():
    with localcontext() as ctx:
        ctx.prec = 6
        assert DOUBLING.annual_rate == DoublingPlan(2022, D(100), D(2), 2025).annual_rate
        low_precision = (DOUBLING.annual_rate, DOUBLING.required_path()[2024], two_year_average(D("0.5")))
    assert low_precision == (DOUBLING.annual_rate, DOUBLING.required_path()[2024], two_year_average(D("0.5")))
