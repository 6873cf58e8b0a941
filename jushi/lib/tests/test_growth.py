from decimal import Decimal as D

from jushi.lib.growth import naive, percent, same_caliber


def test_domain_worked_example_same_caliber_against_naive():
    # DOMAIN.md section 3: A stays, B falls out of the set, C grows into it, D is a new plant.
    published_2024 = D("10.0") + D("3.0")  # A + B, the 2024 set as reported in 2024
    set_2025 = [(D("11.0"), D("10.0")), (D("4.0"), D("2.5")), (D("2.0"), D("0.0"))]  # A, C, D
    assert percent(same_caliber(set_2025)) == D("36.0")
    assert percent(naive(D("17.0"), published_2024)) == D("30.8")


def test_blank_last_year_is_left_out_of_both_sides_and_unreported_too():
    # Blank is not zero: counted as 0 it would give 10 / 8 − 1 = +25.0% instead of 5 / 8 − 1 = −37.5%.
    assert same_caliber([(D(5), None), (D(5), D(8))]) == D(5) / D(8) - 1
    assert percent(same_caliber([(D(5), None), (D(5), D(8))])) == D("-37.5")
    assert same_caliber([(D(5), D(0)), (D(5), D(8))]) == D(10) / D(8) - 1  # a real zero counts
    assert same_caliber([(None, D(100)), (D(10), D(8))]) == D(10) / D(8) - 1
    assert same_caliber([]) is None


def test_no_rate_on_a_base_that_is_not_positive():
    assert same_caliber([(D(5), D(0))]) is None
    assert naive(D(5), D(-2)) is None


def test_percent_rounds_once_from_the_exact_rate():
    assert percent(D("0.3054998")) == D("30.5")  # rounded to 6 places first it would print 30.6
    assert percent(D("0.3054998").quantize(D("0.000001"))) == D("30.6")


def test_percent_rounds_half_up_to_one_decimal():
    assert percent(D("0.30550")) == D("30.6")
    assert percent(D("-0.0649")) == D("-6.5")
    assert percent(None) is None
