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
    zone = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="开发区代码;空为全国指标"
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "zone",
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
    units = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="已审核(计入)的企业数;部门和台账数据为空"
    )
    frame_units = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="应报企业数;部门和台账数据为空"
    )
    blank_base_units = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="上年同期为空、未计入增速的企业数;部门和台账数据为空"
    )
    coverage = DecimalTextField(help_text="已审核企业占应报企业上年同期值的比重(小数)")
    provisional = serializers.SerializerMethodField(help_text="尚有应报企业未审核:初步数")
    month_value = DecimalTextField(help_text="本月(同口径:逐企业累计数之差;存量为期末值)")
    month_last_year = DecimalTextField(help_text="上年同月")
    month_growth = DecimalTextField(help_text="本月增速(小数)")
    month_growth_pct = serializers.SerializerMethodField(help_text="本月增速百分数,一位小数")
    published = serializers.SerializerMethodField(help_text="已发布的最新版次;未发布为空")
    source = serializers.SerializerMethodField(help_text="published:已发布数据(默认);live:实时数据(live=1)")

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
            "frame_units",
            "blank_base_units",
            "coverage",
            "provisional",
            "month_value",
            "month_last_year",
            "month_growth",
            "month_growth_pct",
            "published",
            "source",
            "computed",
        ]

    def get_period_label(self, obj) -> str:
        return Period.parse(obj.period).label

    def get_provisional(self, obj) -> bool:
        return obj.provisional

    @extend_schema_field({**DECIMAL_TEXT, "example": "-3.2"})
    def get_month_growth_pct(self, obj) -> str | None:
        pct = percent(obj.month_growth)
        return None if pct is None else f"{pct:f}"

    def get_published(self, obj) -> int | None:
        return getattr(obj, "published_revision", None)

    def get_source(self, obj) -> str:
        return "published" if getattr(obj, "published_revision", None) else "live"

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
