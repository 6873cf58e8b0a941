"""Indicator API shapes. Figures travel as decimal strings (or null), never as floats; a growth rate
always comes with its method and price basis."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jushi.lib.growth import percent
from jushi.lib.periods import Period

from ..models import Indicator, Result, Target

DECIMAL_TEXT = {"type": "string", "format": "decimal", "nullable": True, "example": "54.4"}


@extend_schema_field(DECIMAL_TEXT)
class DecimalTextField(serializers.Field):
    """A stored decimal as its shortest exact text: 54.400000 → "54.4"; null stays null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return f"{value.normalize():f}"


class IndicatorSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    growth_method_display = serializers.CharField(source="get_growth_method_display", read_only=True)
    price_basis_display = serializers.CharField(source="get_price_basis_display", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "source",
            "source_display",
            "aggregation",
            "growth_method",
            "growth_method_display",
            "price_basis",
            "price_basis_display",
            "department",
            "form_code",
            "field_code",
            "formula",
            "decimals",
            "description",
            "is_active",
        ]


class ResultSerializer(serializers.ModelSerializer):
    zone = serializers.CharField(source="zone.code", read_only=True, help_text="开发区代码")
    zone_name = serializers.CharField(source="zone.name", read_only=True)
    scope_key = serializers.CharField(read_only=True, help_text="园区代码或两位行业大类代码;开发区合计为空")
    indicator = serializers.CharField(source="indicator.code", read_only=True, help_text="指标代码")
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)
    period = serializers.CharField(read_only=True, help_text="存储的累计月份代码,如 2024-06(即上半年)")
    period_label = serializers.SerializerMethodField(help_text="如 2024年1-6月")
    value = DecimalTextField(help_text="本期累计,单位见 unit")
    last_year = DecimalTextField(help_text="上年同期")
    growth = DecimalTextField(help_text="增速(小数,0.143 即 14.3%),口径见 growth_method")
    growth_pct = serializers.SerializerMethodField(help_text="增速百分数,四舍五入到一位小数,如 14.3")
    change = DecimalTextField(help_text="增减:百分点(比率指标)或单位数(个数指标)")

    class Meta:
        model = Result
        fields = [
            "zone",
            "zone_name",
            "scope",
            "scope_key",
            "indicator",
            "indicator_name",
            "unit",
            "period",
            "period_label",
            "value",
            "last_year",
            "growth",
            "growth_pct",
            "change",
            "growth_method",
            "price_basis",
            "units",
            "computed",
        ]

    def get_period_label(self, obj) -> str:
        return Period.parse(obj.period).label

    @extend_schema_field({**DECIMAL_TEXT, "example": "14.3"})
    def get_growth_pct(self, obj) -> str | None:
        pct = percent(obj.growth)
        return None if pct is None else f"{pct:f}"


class TargetSerializer(serializers.ModelSerializer):
    zone = serializers.CharField(source="zone.code", read_only=True, help_text="开发区代码")
    indicator = serializers.CharField(source="indicator.code", read_only=True, help_text="指标代码")
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)
    value = DecimalTextField(help_text="目标值,单位见 unit")
    growth = DecimalTextField(help_text="目标增速(小数,0.08 即 8%)")

    class Meta:
        model = Target
        fields = ["zone", "indicator", "indicator_name", "unit", "year", "value", "growth", "note"]
