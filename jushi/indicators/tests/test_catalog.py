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
