from decimal import Decimal as D
from fractions import Fraction

import pytest

from jushi.lib.wording import (
    amount_text,
    count_change_text,
    count_text,
    pp_text,
    profit_change_text,
    progress_text,
    rate_text,
    yi_from_ten_thousand_yuan,
    yi_from_thousand_yuan,
)


def test_seed_bulletin_figures():
    # "上半年,全区实现地区生产总值54.4亿元,同比增长14.3%;规上工业总产值同比增长30.6%;一般公共预算收入
    # 5.26亿元,增长32.5%;招商引资到位资金58.32亿元,增长7.0%;新增市场经营主体651户,增长5.2%。"
    assert amount_text(D("54.4")) + "," + rate_text(D("0.143")) == "54.4亿元,增长14.3%"
    assert rate_text(D("0.306")) == "增长30.6%"
    assert amount_text(D("5.26")) + "," + rate_text(D("0.325")) == "5.26亿元,增长32.5%"
    assert amount_text(D("58.32")) + "," + rate_text(D("0.07")) == "58.32亿元,增长7.0%"
    assert count_text(651, "户") + "," + rate_text(D("0.052")) == "651户,增长5.2%"


def test_rate_text_says_growth_or_decline_with_one_decimal_always_printed():
    assert rate_text(D("-0.182")) == "下降18.2%"
    assert rate_text(D("0.07")) == "增长7.0%"
    assert rate_text(D("0.3058")) == "增长30.6%"
    assert rate_text(None) is None


def test_rate_text_rounds_half_up_at_the_boundary():
    assert rate_text(D("0.14349")) == "增长14.3%"
    assert rate_text(D("0.1435")) == "增长14.4%"
    assert rate_text(D("-0.1435")) == "下降14.4%"


def test_rate_text_switches_to_bei_at_one_hundred_percent():
    assert rate_text(D("0.999")) == "增长99.9%"
    assert rate_text(D("1.0")) == "增长1.0倍"
    assert rate_text(D("1.1")) == "增长1.1倍"
    assert rate_text(D("2.0")) == "增长2.0倍"
    assert rate_text(D("1.15")) == "增长1.2倍"
    # 99.96% would print as 100.0%, which bulletins write in 倍.
    assert rate_text(D("0.9996")) == "增长1.0倍"


def test_rate_text_that_rounds_to_zero_is_flat():
    assert rate_text(D(0)) == "持平"
    assert rate_text(D("0.00049")) == "持平"
    assert rate_text(D("-0.00049")) == "持平"
    assert rate_text(D("0.0005")) == "增长0.1%"


@pytest.mark.parametrize(
    ("current", "last_year", "expected"),
    [
        (D("120"), D("100"), "增长20.0%"),
        (D("81.8"), D("100"), "下降18.2%"),
        (D("210"), D("100"), "增长1.1倍"),
        (D("100"), D("100"), "持平"),
        (D("0"), D("100"), "下降100.0%"),
        (D("5"), D("-3"), "由亏转盈"),
        (D("-5"), D("3"), "由盈转亏"),
        (D("-12"), D("-10"), "亏损增加20.0%"),
        (D("-25"), D("-10"), "亏损增加1.5倍"),
        (D("-8"), D("-10"), "减亏20.0%"),
        (D("-10"), D("-10"), "亏损持平"),
        (D("-10.001"), D("-10"), "亏损持平"),
        (D("0"), D("-10"), "扭亏"),
    ],
)
def test_profit_change_text(current, last_year, expected):
    assert profit_change_text(current, last_year) == expected


def test_profit_change_text_has_nothing_to_say_on_a_zero_base_or_missing_value():
    assert profit_change_text(D("5"), D("0")) is None
    assert profit_change_text(D("-5"), D("0")) is None
    assert profit_change_text(D("0"), D("0")) is None
    assert profit_change_text(None, D("10")) is None
    assert profit_change_text(D("10"), None) is None


def test_pp_text_both_directions_and_flat():
    assert pp_text(D("0.023")) == "提高2.3个百分点"
    assert pp_text(D("-0.005")) == "回落0.5个百分点"
    assert pp_text(D("0.00049")) == "持平"
    assert pp_text(D("0.0235")) == "提高2.4个百分点"
    assert pp_text(None) is None


def test_pp_text_with_custom_verbs():
    assert pp_text(D("0.023"), up="超", down="低于") == "超2.3个百分点"
    assert pp_text(D("-0.015"), up="超", down="低于") == "低于1.5个百分点"
    assert pp_text(D("0.01"), up="加快", down="放缓") == "加快1.0个百分点"


def test_progress_text_above_below_and_equal():
    assert progress_text(D("0.523"), D("0.5")) == "完成年度目标的52.3%,超时序进度2.3个百分点"
    assert progress_text(D("0.485"), D("0.5")) == "完成年度目标的48.5%,低于时序进度1.5个百分点"
    assert progress_text(D("0.50049"), D("0.5")) == "完成年度目标的50.0%,与时序进度持平"
    assert progress_text(None, D("0.5")) is None
    assert progress_text(D("0.5"), None) is None


def test_progress_text_takes_time_progress_as_a_fraction():
    assert progress_text(D("0.523"), Fraction(6, 12)) == "完成年度目标的52.3%,超时序进度2.3个百分点"
    # Five months is 41.7% as printed; the gap is between the printed figures.
    assert progress_text(D("0.452"), Fraction(5, 12)) == "完成年度目标的45.2%,超时序进度3.5个百分点"
    assert progress_text(D("0.417"), Fraction(5, 12)) == "完成年度目标的41.7%,与时序进度持平"
    assert progress_text(D("1.052"), Fraction(12, 12)) == "完成年度目标的105.2%,超时序进度5.2个百分点"


def test_amount_text_drops_trailing_zeros_and_rounds_half_up():
    assert amount_text(D("54.40")) == "54.4亿元"
    assert amount_text(D("5.26")) == "5.26亿元"
    assert amount_text(D("58.32")) == "58.32亿元"
    assert amount_text(D("80")) == "80亿元"
    assert amount_text(D("80.00")) == "80亿元"
    assert amount_text(D("1234.5")) == "1234.5亿元"
    assert amount_text(D("0.004")) == "0亿元"
    assert amount_text(D("-0.004")) == "0亿元"
    assert amount_text(D("2.345")) == "2.35亿元"
    assert amount_text(D("2.3449")) == "2.34亿元"
    assert amount_text(D("12345.678"), unit="万元", places=1) == "12345.7万元"
    assert amount_text(None) is None


def test_count_text():
    assert count_text(651, "户") == "651户"
    assert count_text(D("651"), "家") == "651家"
    assert count_text(None, "户") is None


def test_count_change_text():
    assert count_change_text(23, 20, "个") == "增加3个"
    assert count_change_text(17, 20, "个") == "减少3个"
    assert count_change_text(20, 20, "个") == "持平"
    assert count_change_text(D("23"), 20, "家") == "增加3家"
    assert count_change_text(None, 20, "个") is None
    assert count_change_text(23, None, "个") is None


def test_yuan_conversions_are_exact():
    assert yi_from_thousand_yuan(D("5440000")) == D("54.4")
    assert yi_from_thousand_yuan(D("123456789.123")) == D("1234.56789123")
    assert yi_from_ten_thousand_yuan(D("526000")) == D("52.6")
    assert yi_from_ten_thousand_yuan(D("583200")) == D("58.32")
    assert amount_text(yi_from_ten_thousand_yuan(D("544012.34"))) == "54.4亿元"
    assert yi_from_thousand_yuan(None) is None
    assert yi_from_ten_thousand_yuan(None) is None
