"""Project ledger API shapes. Amounts are 万元 as decimal strings; stages, regions and evidence travel by
code with their Chinese label alongside. Input serializers only check types: the services validate the
values and name the field of every error, so the API answers the way the pages do."""

import datetime as dt

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jushi.core import clock

from ..choices import STAGE_DATE_FIELD, Evidence, Light, SourceRegion, StageCode
from ..models import ContractChange, Event, FundsRecord, Investor, Problem, Project, Stage
from ..services.common import MAX_ID
from ..services.pipeline import EDITABLE

# Keys `advance` accepts in `fields`: what a project records (the services' editable fields) and the
# date of every stage.
ADVANCE_FIELDS = frozenset(EDITABLE) | frozenset(STAGE_DATE_FIELD.values())


def amount_field(**kwargs) -> serializers.DecimalField:
    """An amount in 万元 as given; the service checks sign, size and unit slips."""
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


def optional_amount(help_text: str) -> serializers.DecimalField:
    return amount_field(required=False, allow_null=True, help_text=help_text)


class ErrorsSerializer(serializers.Serializer):
    errors = serializers.DictField(child=serializers.CharField(), help_text="字段 → 错误说明")
    confirm_required = serializers.BooleanField(
        help_text="为 true 时:金额超过 1000 亿元,核对单位(万元)后带 confirm=true 重新提交即可"
    )


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="谁把项目推进到了哪个阶段;刷新后再操作")
    errors = serializers.DictField(child=serializers.CharField())


# Reference data -------------------------------------------------------------------------------------


class StageSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="阶段代码,如 signed")

    class Meta:
        model = Stage
        fields = ["code", "name", "order", "time_limit_days", "probability", "required_fields"]


class SigningEventSerializer(serializers.ModelSerializer):
    zone = serializers.CharField(source="zone.code", read_only=True, help_text="开发区代码")

    class Meta:
        model = Event
        fields = ["id", "zone", "name", "held_on", "place", "note"]


class SigningEventCreateSerializer(serializers.Serializer):
    zone = serializers.CharField(help_text="开发区代码")
    name = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    place = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


# Projects -------------------------------------------------------------------------------------------


class InvestorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Investor
        fields = ["id", "name", "credit_code", "region"]


class ProjectSerializer(serializers.ModelSerializer):
    zone = serializers.CharField(source="zone.code", read_only=True, help_text="开发区代码")
    investor = InvestorSerializer(read_only=True)
    source_region_display = serializers.CharField(source="get_source_region_display", read_only=True)
    industry = serializers.CharField(source="industry.code", read_only=True, allow_null=True)
    industry_name = serializers.CharField(source="industry.name", read_only=True, allow_null=True)
    park = serializers.CharField(source="park.code", read_only=True, allow_null=True)
    park_name = serializers.CharField(source="park.name", read_only=True, allow_null=True)
    stage = serializers.CharField(source="stage.code", read_only=True, help_text="阶段代码")
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    stage_age = serializers.SerializerMethodField(help_text="在本阶段的天数")
    light = serializers.SerializerMethodField(help_text="进度红黄绿:red 逾期、amber 临近、green 正常")
    event_name = serializers.CharField(source="event.name", read_only=True, allow_null=True)
    duplicate_status_display = serializers.CharField(source="get_duplicate_status_display", read_only=True)
    funds_in_place = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text="累计到位资金(万元,含各类凭证)"
    )
    version = serializers.IntegerField(read_only=True, help_text="推进阶段时原样带回,防止覆盖他人的操作")

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "zone",
            "name",
            "investor",
            "source_region",
            "source_region_display",
            "industry",
            "industry_name",
            "park",
            "park_name",
            "stage",
            "stage_name",
            "stage_entered_on",
            "stage_age",
            "light",
            "lead_on",
            "talks_on",
            "signed_on",
            "land_on",
            "planned_start_on",
            "started_on",
            "produced_on",
            "full_on",
            "agreed_investment",
            "fixed_asset_investment",
            "expected_output",
            "expected_tax",
            "land_mu",
            "parcel",
            "contract_no",
            "event",
            "event_name",
            "official",
            "unit",
            "confidential",
            "duplicate_status",
            "duplicate_status_display",
            "duplicate_of",
            "funds_in_place",
            "version",
            "note",
            "created",
            "updated",
        ]
        read_only_fields = fields

    def _today(self) -> dt.date:
        return self.context.get("today") or clock.today()

    def get_stage_age(self, obj) -> int:
        return obj.stage_age(self._today())

    @extend_schema_field(serializers.ChoiceField(choices=Light.choices))
    def get_light(self, obj) -> str:
        return obj.light(self._today())


class ProjectUpdateSerializer(serializers.Serializer):
    """What PATCH may change; a key left out stays as it is."""

    name = serializers.CharField(required=False, allow_blank=True)
    investor_name = serializers.CharField(required=False, allow_blank=True, help_text="投资方名称")
    credit_code = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="投资方统一社会信用代码(18 位)"
    )
    investor_region = serializers.CharField(required=False, allow_blank=True, help_text="投资方所在地区")
    source_region = serializers.ChoiceField(choices=SourceRegion.choices, required=False)
    industry = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="GB/T 4754 行业代码,如 3841"
    )
    park = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="功能区代码")
    agreed_investment = optional_amount("协议总投资(万元);已签约项目须走合同变更")
    fixed_asset_investment = optional_amount("固定资产投资(万元)")
    expected_output = optional_amount("达产后年产值(万元)")
    expected_tax = optional_amount("达产后年税收(万元)")
    land_mu = optional_amount("用地(亩)")
    parcel = serializers.CharField(required=False, allow_blank=True)
    contract_no = serializers.CharField(required=False, allow_blank=True)
    event = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="签约活动的 id 或名称"
    )
    official = serializers.CharField(required=False, allow_blank=True)
    unit = serializers.CharField(required=False, allow_blank=True)
    confidential = serializers.BooleanField(required=False)
    planned_start_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)
    confirm = serializers.BooleanField(default=False, help_text="金额超过 1000 亿元时须为 true")


class ProjectCreateSerializer(ProjectUpdateSerializer):
    """A new lead: `name` and `investor_name` are required (the investor's name may be left out when its
    credit code is already on file); the service says so by field."""

    zone = serializers.CharField(help_text="开发区代码")
    lead_on = serializers.DateField(required=False, help_text="线索日期,默认今天")


class AdvanceSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=StageCode.choices, help_text="目标阶段代码")
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="读取项目时的 version;项目已被他人推进时返回 409"
    )
    fields = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text=(
            "进入各阶段须填写的内容:阶段日期(talks_on、signed_on、land_on、started_on、produced_on、"
            "full_on)和项目字段(agreed_investment、contract_no、parcel、land_mu、industry…)"
        ),
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text="说明;退回时必填"
    )
    confirm = serializers.BooleanField(default=False, help_text="金额超过 1000 亿元时须为 true")

    def validate_fields(self, value: dict) -> dict:
        unknown = sorted(set(value) - ADVANCE_FIELDS)
        if unknown:
            raise serializers.ValidationError(f"未知的字段:{'、'.join(unknown)}")
        return value


class DuplicateDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("new", "确认为新项目"), ("merge", "合并到原项目")], help_text="new 或 merge"
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


# Funds in place and contract changes ----------------------------------------------------------------


class FundsSerializer(serializers.ModelSerializer):
    zone = serializers.CharField(source="zone.code", read_only=True, help_text="开发区代码")
    project_code = serializers.CharField(source="project.code", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    evidence_display = serializers.CharField(source="get_evidence_display", read_only=True)
    grade = serializers.CharField(read_only=True, help_text="凭证等级 A–D;D(企业自报)不计入到位资金指标")
    source_region_display = serializers.CharField(source="get_source_region_display", read_only=True)

    class Meta:
        model = FundsRecord
        fields = [
            "id",
            "zone",
            "project",
            "project_code",
            "project_name",
            "on",
            "amount",
            "evidence",
            "evidence_display",
            "grade",
            "source_region",
            "source_region_display",
            "attachment",
            "note",
            "created",
        ]
        read_only_fields = fields


class FundsInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="到位日期")
    amount = amount_field(help_text="金额(万元)")
    evidence = serializers.ChoiceField(choices=Evidence.choices, help_text="凭证类型")
    source_region = serializers.ChoiceField(
        choices=SourceRegion.choices, required=False, help_text="资金来源地,默认同项目"
    )
    attachment = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="本项目附件的 id"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    confirm = serializers.BooleanField(default=False, help_text="金额超过 1000 亿元时须为 true")


class ContractChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractChange
        fields = [
            "id",
            "project",
            "effective_on",
            "on",
            "old_investment",
            "new_investment",
            "reason",
            "attachment",
            "created",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "on": {"help_text": "登记日期(按应用时钟的今天)"},
            "effective_on": {"help_text": "生效日期:变更自这一天起计入"},
            "old_investment": {"help_text": "生效前一天的协议投资(万元)"},
        }


class ContractInputSerializer(serializers.Serializer):
    effective_on = serializers.DateField(help_text="生效日期:不能早于签约日期,也不能晚于今天")
    new_investment = amount_field(help_text="新协议投资(万元)")
    reason = serializers.CharField(allow_blank=True, help_text="变更原因")
    attachment = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="补充协议附件的 id"
    )
    confirm = serializers.BooleanField(default=False, help_text="金额超过 1000 亿元时须为 true")


# Problems -------------------------------------------------------------------------------------------


class ProblemSerializer(serializers.ModelSerializer):
    zone = serializers.CharField(source="project.zone.code", read_only=True, help_text="开发区代码")
    project_code = serializers.CharField(source="project.code", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    escalation_display = serializers.CharField(source="get_escalation_display", read_only=True)
    days_overdue = serializers.SerializerMethodField()
    light = serializers.SerializerMethodField()

    class Meta:
        model = Problem
        fields = [
            "id",
            "zone",
            "project",
            "project_code",
            "project_name",
            "title",
            "detail",
            "owner",
            "owner_unit",
            "raised_on",
            "due_on",
            "status",
            "status_display",
            "resolution",
            "resolved_on",
            "escalation",
            "escalation_display",
            "escalated_on",
            "days_overdue",
            "light",
        ]
        read_only_fields = fields

    def get_days_overdue(self, obj) -> int:
        return obj.days_overdue()

    @extend_schema_field(serializers.ChoiceField(choices=Light.choices))
    def get_light(self, obj) -> str:
        return obj.light()


class ProblemInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    detail = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.CharField(allow_blank=True, help_text="责任人")
    owner_unit = serializers.CharField(required=False, allow_blank=True, default="", help_text="责任单位")
    raised_on = serializers.DateField(required=False, allow_null=True, help_text="提出日期,默认今天")
    due_on = serializers.DateField(help_text="限期")


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True, help_text="解决情况")
    resolved_on = serializers.DateField(required=False, allow_null=True, help_text="解决日期,默认今天")
