"""The checker on its own: history functions, the shipped rules, early binding and number parsing."""

import random
from decimal import Decimal as D

import pytest

from jushi.lib import expr
from jushi.reporting.checks import (
    REF_FUNCTIONS,
    Checker,
    FieldSpec,
    History,
    _Env,
    _signature,
    parse_number,
)
from jushi.reporting.models import ReportForm

pytestmark = pytest.mark.django_db


def spec(code="gross_output", aggregation="flow", allow_negative=False, decimals=1, value_type="decimal"):
    return FieldSpec(code, code, "千元", aggregation, allow_negative, value_type, decimals, False)


def env(current, prior=None, prior2=None, last_year=None, stored=None, **flags):
    fields = {"x": spec("x"), "s": spec("s", aggregation="stock")}
    history = History(prior=prior or {}, prior2=prior2 or {}, stored_last_year=stored or {}, **flags)
    return _Env(current, last_year or {}, history, fields)


def ref(e, func, code):
    e.this = e.fields[code]
    return e.ref(func, ("this",))


def test_month_is_the_cumulative_less_the_previous_one():
    assert ref(env({"x": D(30)}, prior={"x": D(20)}), "month", "x") == D(10)
    assert ref(env({"x": D(30)}, first_of_year=True), "month", "x") == D(30)  # 1–2月: the cumulative
    assert ref(env({"x": D(30)}), "month", "x") is None  # no previous figure: unknown, not 30
    assert ref(env({"s": D(30)}, prior={"s": D(20)}), "month", "s") == D(30)  # a stock is its own value


@pytest.mark.parametrize(
    "current, prior, prior2, flags, expected",
    [
        (D(30), D(20), D(12), {}, D(10) / D(8) - 1),  # May 10 against April 8: +25%
        (D(30), D(20), None, {"prior_first_of_year": True, "prior_own_months": 2}, D(10) / D(10) - 1),
        (D(30), None, None, {"first_of_year": True}, None),  # the first period has no month before it
        (D(30), D(20), None, {}, None),  # prior month unknown
        (D(30), D(20), D(20), {}, None),  # nothing last month: no ratio
        (None, D(20), D(12), {}, None),
        (D(30), None, D(12), {}, None),
    ],
)
def test_month_on_month_per_month_of_each_period(current, prior, prior2, flags, expected):
    e = env({"x": current}, prior={"x": prior}, prior2={"x": prior2}, **flags)
    assert ref(e, "mom", "x") == expected


def test_year_on_year_and_blank():
    e = env({"x": D(120), "s": None}, last_year={"x": D(100), "s": D(0)})
    assert ref(e, "yoy", "x") == D("0.2")
    assert ref(e, "yoy", "s") is None
    assert ref(e, "blank", "s") is True
    assert ref(e, "blank", "x") is False


def test_parse_number_follows_the_field():
    f = spec(decimals=1)
    assert parse_number(" 1,234.5 ", f) == D("1234.5")
    assert parse_number("1234.50", f) == D("1234.5")
    assert parse_number("", f) is None
    assert parse_number(D(7), f) == D(7)
    for text, message in [
        ("1.25", "最多 1 位小数"),
        ("-1", "不能为负数"),
        ("abc", "不是数字"),
        ("1e16", "数值过大"),
        ("NaN", "不是有效的数字"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_number(text, f)
    with pytest.raises(ValueError, match="应为整数"):
        parse_number("3.5", spec(value_type="integer", decimals=0))


def _random_case(rng, fields):
    def figure():
        roll = rng.random()
        if roll < 0.1:
            return None
        if roll < 0.15:
            return D(0)
        return D(rng.randint(-50, 50_000)) / 10

    current = {f.code: figure() for f in fields}
    last_year = {f.code: figure() for f in fields}
    history = History(
        prior={f.code: figure() for f in fields},
        prior2={f.code: figure() for f in fields},
        stored_last_year={f.code: figure() for f in fields},
        first_of_year=rng.random() < 0.1,
        prior_first_of_year=rng.random() < 0.1,
        own_months=rng.choice([1, 2]),
        prior_own_months=rng.choice([1, 2]),
    )
    return current, last_year, history


def test_bound_rules_agree_with_the_env_on_random_figures():
    """Every shipped rule, compiled with early binding per field, gives what the plain env gives."""
    form = ReportForm.objects.get(code="ind-monthly")
    fields = [FieldSpec.of(f) for f in form.fields.all()]
    rules = list(form.rules.all())
    checker = Checker(fields, rules)
    codes = frozenset(f.code for f in fields)
    plain = {
        r.code: expr.parse(r.expression, _signature(codes, r.applies_to != "form"))
        for r in rules
        if r.is_active
    }
    rng = random.Random(7)
    compared, fired = 0, set()
    for _ in range(300):
        current, last_year, history = _random_case(rng, fields)
        found = {f.key for f in checker.run(current, last_year, history)}
        e = _Env(current, last_year, history, {f.code: f for f in fields})
        expected = set()
        for rule, spec_, key in [(p[2], p[3], p[4]) for p in checker._plan]:
            e.this = spec_
            if plain[rule.code].evaluate(e) is False:
                expected.add(key)
            compared += 1
        assert found == expected
        fired |= {key.split(":")[0] for key in found}
    assert compared == checker.evaluations
    assert len(fired) >= 8, fired  # the comparison is not vacuous: most rules fired on some case


def test_a_rule_that_cannot_be_computed_is_skipped_not_fatal(caplog):
    form = ReportForm.objects.get(code="ind-monthly")
    fields = [FieldSpec.of(f) for f in form.fields.all()]
    broken = form.rules.model(
        code="typed_wrong",
        name="类型错误",
        severity="warning",
        applies_to="form",
        is_active=True,
        expression="gross_output > true",
        message="x",
    )
    checker = Checker(fields, [broken])
    assert checker.run({"gross_output": D(1)}, {}, History()) == []
    assert "typed_wrong" in caplog.text


def test_every_reference_function_is_resolved():
    assert REF_FUNCTIONS == {
        "prior",
        "last_year",
        "stored_last_year",
        "yoy",
        "month",
        "prior_month",
        "mom",
        "blank",
    }


@pytest.mark.parametrize(
    "now, last_year, fires",
    [
        (D("1500000"), D("1500"), True),  # entered in 元 where the form asks 千元
        (D("1.5"), D("1500"), True),  # the other way round
        (D("1600"), D("1500"), False),
        (D("900"), D("-1500"), False),  # a loss turned into a profit is not a unit slip
        (D("900"), D("0"), False),
        (D("900"), None, False),
    ],
)
def test_unit_scale_flags_a_thousandfold_slip_only(now, last_year, fires):
    form = ReportForm.objects.get(code="ind-monthly")
    fields = [FieldSpec.of(f) for f in form.fields.all()]
    checker = Checker(fields, form.rules.filter(code="unit_scale"))
    found = checker.run({"operating_profit": now}, {"operating_profit": last_year}, History())
    assert [f.key for f in found] == (["unit_scale:operating_profit"] if fires else [])
    if fires:
        assert "请核对计量单位是否为千元" in found[0].message
