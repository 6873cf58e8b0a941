"""Reporting API shapes. Figures travel as decimal strings (or null), never as floats."""

from decimal import Decimal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jushi.registry.models import Enterprise

from ..checks import Checker, Finding, parse_number
from ..choices import Status
from ..models import (
    FormField,
    PlausibilityFlag,
    ReportForm,
    ReportingPeriod,
    Rule,
    Submission,
    SubmissionEvent,
)

PARTS = ("current", "last_year")


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


# Forms ----------------------------------------------------------------------------------------------

MAX_VERSION = 2**31 - 1  # Submission.version is a PositiveIntegerField


class FormFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormField
        fields = [
            "code",
            "label",
            "unit",
            "value_type",
            "decimals",
            "aggregation",
            "allow_negative",
            "required",
            "help_text",
        ]


class RuleSerializer(serializers.ModelSerializer):
    zone = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="开发区代码;空为全国规则"
    )

    class Meta:
        model = Rule
        fields = ["code", "name", "zone", "severity", "applies_to", "expression", "message"]


class ReportFormSerializer(serializers.ModelSerializer):
    fields = FormFieldSerializer(many=True, read_only=True)
    rules = RuleSerializer(many=True, read_only=True, source="active_rules", help_text="启用的审核规则")

    class Meta:
        model = ReportForm
        fields = [
            "code",
            "number",
            "name",
            "period_type",
            "combine_jan_feb",
            "opens_day",
            "deadline_day",
            "deadline_hour",
            "obligation",
            "sections",
            "description",
            "is_active",
            "fields",
            "rules",
        ]


# Periods --------------------------------------------------------------------------------------------


class ReportingPeriodSerializer(serializers.ModelSerializer):
    form = serializers.SlugRelatedField(slug_field="code", read_only=True)
    zone = serializers.SlugRelatedField(slug_field="code", read_only=True)
    label = serializers.CharField(read_only=True, help_text="如 2024年1-6月")
    closed = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "form",
            "zone",
            "code",
            "label",
            "opens_at",
            "deadline",
            "closed",
            "closed_at",
            "state",
        ]

    def get_closed(self, obj) -> bool:
        return obj.closed_at is not None

    def get_state(self, obj) -> str:
        return obj.state_label(self.context.get("now"))


class PeriodBriefSerializer(serializers.ModelSerializer):
    form = serializers.CharField(source="form.code", read_only=True)
    form_name = serializers.CharField(source="form.name", read_only=True)
    zone = serializers.CharField(source="zone.code", read_only=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = ["id", "form", "form_name", "zone", "code", "label", "opens_at", "deadline"]


class EnterpriseBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code"]


# Submissions ----------------------------------------------------------------------------------------


class SubmissionStatusField(serializers.CharField):
    """A submission's status; in the schema a `SubmissionStatusEnum` component of its own, since an
    inline enum would be merged by name with the enterprise `status` enum and collide."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)


class SubmissionStatusFieldExtension(OpenApiSerializerFieldExtension):
    target_class = SubmissionStatusField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="SubmissionStatusEnum",
            type=ResolvedComponent.SCHEMA,
            object="SubmissionStatusEnum",
            schema={
                "type": "string",
                "enum": Status.values,
                "description": "\n".join(f"* `{value}` - {label}" for value, label in Status.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class ObligationSerializer(serializers.ModelSerializer):
    """One row of a reporter's inbox (or of what staff watch): what is owed, by when, and its state."""

    period = PeriodBriefSerializer(read_only=True)
    enterprise = EnterpriseBriefSerializer(read_only=True)
    status = SubmissionStatusField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "period",
            "enterprise",
            "status",
            "is_overdue",
            "revision",
            "version",
            "submitted_at",
            "reviewed_at",
            "return_reason",
        ]

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue(self.context.get("now"))


class ValuePartsSerializer(serializers.Serializer):
    current = serializers.CharField(allow_null=True, help_text="本期累计(十进制字符串)")
    last_year = serializers.CharField(allow_null=True, help_text="上年同期")
    approved_current = serializers.CharField(allow_null=True, help_text="最近审核通过的本期累计")
    approved_last_year = serializers.CharField(allow_null=True, help_text="最近审核通过的上年同期")


class ValuesField(serializers.DictField):
    """Every field of the form, by code, with its working and approved figures (null when empty)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", ValuePartsSerializer())
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, submission):
        stored = {v.field_id: v for v in submission.values.all()}
        out = {}
        for f in submission.period.form.fields.all():
            v = stored.get(f.id)
            out[f.code] = {
                "current": decimal_text(v.current) if v else None,
                "last_year": decimal_text(v.last_year) if v else None,
                "approved_current": decimal_text(v.approved_current) if v else None,
                "approved_last_year": decimal_text(v.approved_last_year) if v else None,
            }
        return out


class CheckResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    field = serializers.CharField(source="field_code")
    severity = serializers.CharField()
    message = serializers.CharField()
    explanation = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubmissionEvent
        fields = ["kind", "actor_name", "time", "note", "revision", "source"]


class SubmissionSerializer(ObligationSerializer):
    values = ValuesField()
    check_results = serializers.SerializerMethodField(help_text="本修订版报送时被标出的审核结果及说明")
    events = EventSerializer(many=True, read_only=True)

    class Meta(ObligationSerializer.Meta):
        fields = [
            *ObligationSerializer.Meta.fields,
            "first_submitted_at",
            "correction_reason",
            "values",
            "check_results",
            "events",
        ]

    @extend_schema_field(CheckResultSerializer(many=True))
    def get_check_results(self, obj):
        rows = [c for c in obj.check_results.all() if c.revision == obj.revision]
        return CheckResultSerializer(rows, many=True).data


# Requests and answers of the workflow actions ---------------------------------------------------------

NUMBER = {"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": True}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {"current": NUMBER, "last_year": NUMBER},
        },
        "example": {"gross_output": {"current": "1200.5", "last_year": "1000"}},
        "description": "指标代码 → 本期累计与上年同期;数字或数字字符串,null 清空;未给出的部分保持原值",
    }
)
class FiguresField(serializers.Field):
    default_error_messages = {"not_a_dict": '应为对象,如 {{"gross_output": {{"current": "1200.5"}}}}'}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict")
        return data

    def to_representation(self, value):
        return value


class FiguresInputMixin:
    """Parses `values` with the form's own field rules; the checker comes in the context."""

    def validate_values(self, raw: dict) -> dict[str, dict[str, Decimal | None]]:
        checker: Checker = self.context["checker"]
        parsed, errors = {}, {}
        for code, parts in raw.items():
            spec = checker.by_code.get(code)
            if spec is None:
                errors[str(code)] = ["未知的指标代码"]
                continue
            if not isinstance(parts, dict):
                errors[code] = ['应为对象,如 {"current": "1200.5", "last_year": "1000"}']
                continue
            parsed[code] = {}
            for part, value in parts.items():
                name = f"{code}.{part}"
                if part not in PARTS:
                    errors[name] = ["未知的项目;只能是 current(本期累计)或 last_year(上年同期)"]
                elif value is not None and (
                    isinstance(value, bool) or not isinstance(value, str | int | float)
                ):
                    errors[name] = ["应为数字、数字字符串或 null"]
                else:
                    try:
                        parsed[code][part] = parse_number(value, spec)
                    except ValueError as exc:
                        errors[name] = [str(exc)]
        if errors:
            raise serializers.ValidationError(errors)
        return parsed


class SaveFiguresSerializer(FiguresInputMixin, serializers.Serializer):
    """Figures to keep as the draft; the checks run but never stop a save."""

    values = FiguresField()


class SubmitReportSerializer(FiguresInputMixin, serializers.Serializer):
    """Figures to save first (optional) and the explanations of the warnings."""

    values = FiguresField(required=False)
    explanations = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=1000, trim_whitespace=True),
        required=False,
        help_text="提示性审核结果的说明,按结果的 key(如 yoy_30:gross_output)",
    )


class ApproveSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_VERSION,
        help_text="看到的版本号;已被他人处理时返回 409",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text="退回原因,必填,企业会看到"
    )
    version = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_VERSION)


class FindingSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="规则代码,逐项规则为 规则代码:指标代码;说明按它填写")
    severity = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(source="field_code", help_text="逐项规则的指标代码,整表规则为空")


def findings_data(findings: list[Finding]) -> list[dict]:
    return FindingSerializer(findings, many=True).data


class SaveResultSerializer(serializers.Serializer):
    status = SubmissionStatusField()
    version = serializers.IntegerField()
    changed = serializers.ListField(child=serializers.CharField(), help_text="本次有改动的指标代码")
    findings = FindingSerializer(many=True)


class SubmitResultSerializer(serializers.Serializer):
    submitted = serializers.BooleanField()
    already = serializers.BooleanField(help_text="同样的数已经报送过,本次什么也没做")
    status = SubmissionStatusField()
    version = serializers.IntegerField()
    blocking = FindingSerializer(many=True, help_text="强制性错误;有则不能报送")
    warnings_missing_explanation = FindingSerializer(many=True, help_text="尚未填写说明的提示")
    findings = FindingSerializer(many=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PlausibilityFlagSerializer(serializers.ModelSerializer):
    period = PeriodBriefSerializer(read_only=True)
    field = serializers.CharField(source="field.code", read_only=True)
    field_label = serializers.CharField(source="field.label", read_only=True)
    unit = serializers.CharField(source="field.unit", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    current_total = serializers.SerializerMethodField()
    base_total = serializers.SerializerMethodField()
    growth = serializers.SerializerMethodField(
        help_text="同口径增速(小数,0.306 即 30.6%);上年合计不为正时为空"
    )
    dominant = EnterpriseBriefSerializer(read_only=True)
    dominant_share = serializers.SerializerMethodField(help_text="该企业变动占全区变动的比重(小数)")
    reviewed_by = serializers.StringRelatedField(
        read_only=True, allow_null=True, help_text="核实人;未核实时为空"
    )

    class Meta:
        model = PlausibilityFlag
        fields = [
            "id",
            "period",
            "field",
            "field_label",
            "unit",
            "kind",
            "kind_label",
            "enterprises",
            "current_total",
            "base_total",
            "growth",
            "dominant",
            "dominant_share",
            "detail",
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]

    def get_current_total(self, obj) -> str | None:
        return decimal_text(obj.current_total)

    def get_base_total(self, obj) -> str | None:
        return decimal_text(obj.base_total)

    def get_growth(self, obj) -> str | None:
        return decimal_text(obj.growth)

    def get_dominant_share(self, obj) -> str | None:
        return decimal_text(obj.dominant_share)


class FlagReviewSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="核实说明,必填:核实了什么、结论如何"
    )
