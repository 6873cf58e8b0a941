"""The shipped catalog: every indicator is valid, formulas name known indicators, ENT ones name real fields."""

import pytest
from django.core.exceptions import ValidationError

from jushi.indicators.choices import Source
from jushi.indicators.models import Indicator
from jushi.lib import expr
from jushi.reporting.models import FormField

pytestmark = pytest.mark.django_db


def test_the_starting_set_of_domain_section_4_is_shipped():
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {
        "GDP",
        "IND_N",
        "IND_GO",
        "IND_SO",
        "IND_EXP",
        "IND_VA",
        "IND_REV",
        "IND_PROFIT",
        "FAI",
        "FISC_GPB",
        "FISC_TAX",
        "INV_FUND",
        "INV_FUND_OUT",
        "INV_SIGN_N",
        "INV_SIGN_AMT",
        "INV_BIG_N",
        "FDI",
        "TRADE",
        "MKT_NEW",
        "HT_ENT",
        "RD_RATIO",
        "MU_TAX",
        "EN_VA",
    } <= codes


def test_every_shipped_indicator_is_valid():
    for indicator in Indicator.objects.all():
        indicator.full_clean()


def test_formulas_name_only_indicators_and_ent_indicators_name_real_fields():
    codes = frozenset(Indicator.objects.values_list("code", flat=True))
    signature = expr.Signature(names=codes, ref_functions=frozenset())
    for indicator in Indicator.objects.filter(source=Source.CALC):
        parsed = expr.parse(indicator.formula, signature)
        assert parsed.names <= codes
    for indicator in Indicator.objects.filter(source=Source.ENT):
        assert FormField.objects.filter(form__code=indicator.form_code, code=indicator.field_code).exists(), (
            indicator.code
        )


def test_an_incomplete_indicator_is_refused_with_the_field_named():
    bad = Indicator(
        code="X_CALC", name="缺公式", unit="%", source=Source.CALC, aggregation="ratio", growth_method="PP"
    )
    with pytest.raises(ValidationError) as info:
        bad.full_clean()
    assert "formula" in info.value.message_dict
    bad = Indicator(
        code="x lower", name="代码", unit="家", source="DEPT", aggregation="sum", growth_method="NAT"
    )
    with pytest.raises(ValidationError) as info:
        bad.full_clean()
    assert "code" in info.value.message_dict


def _post(client, **overrides):
    data = {
        "code": "IND_MARGIN",
        "name": "营业利润率",
        "unit": "%",
        "source": "CALC",
        "aggregation": "ratio",
        "growth_method": "PP",
        "price_basis": "nominal",
        "formula": "IND_PROFIT / IND_REV * 100",
        "decimals": "1",
    }
    data.update(overrides)
    return client.post("/indicators/catalog/", data)


@pytest.fixture
def staff_client(client, django_user_model):
    from jushi.accounts.choices import Role
    from jushi.registry.choices import ZoneLevel, ZoneType
    from jushi.registry.models import Region, UserScope, Zone

    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar", name="喀什经济开发区", level=ZoneLevel.NATIONAL, kind=ZoneType.ETDZ, region=region
    )
    user = django_user_model.objects.create_user("admin1", password="x", role=Role.ADMIN)
    UserScope.objects.create(user=user).zones.set([zone])  # a zone's staff add that zone's own indicators
    client.force_login(user)
    return client


def test_staff_add_a_formula_indicator_and_bad_formulas_are_explained(staff_client):
    response = _post(staff_client, formula="IND_PROFIT / NOPE")
    assert "未知" in response.content.decode() and "NOPE" in response.content.decode()
    response = _post(staff_client, formula="IND_MARGIN * 2")
    assert "公式不能引用指标自身" in response.content.decode()
    response = _post(staff_client, code="GDP")
    assert "已存在" in response.content.decode()
    assert not Indicator.objects.filter(code="IND_MARGIN").exists()
    response = _post(staff_client)
    assert response.status_code == 302
    assert Indicator.objects.get(code="IND_MARGIN").formula == "IND_PROFIT / IND_REV * 100"
    response = _post(staff_client, code="IND_X", formula="IND_MARGIN + 1")  # a formula over a formula is fine
    assert response.status_code == 302


def test_a_formula_over_a_formula_is_computed_after_it_and_cycles_are_refused():
    from jushi.indicators import engine

    a = Indicator(
        code="A_CALC",
        name="a",
        unit="%",
        source="CALC",
        aggregation="ratio",
        growth_method="PP",
        formula="B_CALC + 1",
    )
    b = Indicator(
        code="B_CALC",
        name="b",
        unit="%",
        source="CALC",
        aggregation="ratio",
        growth_method="PP",
        formula="IND_REV",
    )
    codes = frozenset({"A_CALC", "B_CALC", "IND_REV"})
    assert [i.code for i in engine.calculation_order([a, b], codes)] == ["B_CALC", "A_CALC"]
    b.formula = "A_CALC * 2"
    with pytest.raises(ValueError, match="循环引用"):
        engine.calculation_order([a, b], codes)


def test_leaders_may_read_the_catalog_but_not_add(client, django_user_model):
    from jushi.accounts.choices import Role

    client.force_login(django_user_model.objects.create_user("lead1", password="x", role=Role.LEADER))
    assert "添加指标" not in client.get("/indicators/catalog/").content.decode()
    assert _post(client).status_code == 403


@pytest.mark.parametrize(
    "value, last_year, expected",
    [
        ("0.65", "-0.20", "规上工业利润总额0.65亿元,同比由亏转盈"),
        ("-0.10", "-0.40", "规上工业利润总额亏损0.1亿元,同比减亏75.0%"),
        ("-0.30", "0.50", "规上工业利润总额亏损0.3亿元,同比由盈转亏"),
        ("0.65", "0", "规上工业利润总额0.65亿元"),  # a zero base: no rate, no division error
    ],
)
def test_a_base_at_or_below_zero_is_worded_not_divided(value, last_year, expected):
    from decimal import Decimal

    from jushi.indicators.bulletin import clause
    from jushi.indicators.engine import _growth
    from jushi.indicators.models import Result
    from jushi.indicators.sources import Figures

    profit = Indicator.objects.get(code="IND_PROFIT")
    figures = Figures(Decimal(value), Decimal(last_year))
    rate, change = _growth(profit, figures)  # a rate only where the base is positive; words decide the rest
    result = Result(indicator=profit, value=figures.value, last_year=figures.last_year, growth=rate, change=change,
                    growth_method=profit.growth_method, price_basis=profit.price_basis)  # fmt: skip
    assert clause(result) == expected
