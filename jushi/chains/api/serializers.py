"""Chain API shapes. Money and output are 亿元 as decimal strings with four places (one 万元 exact);
segments, strengths, gap kinds, roles and sizes travel by code with their Chinese label alongside.
Figures and gaps are computed by `figures.chain_figures` and the pure rules in `gaps` and `recommend`;
the views hand these serializers plain dicts built from them. Names carry `Chain` or `Pool` so the
schema's components do not clash with other apps'."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jushi.projects.querysets import sees_confidential

from ..choices import CompanySize, Gap, Role, Segment, Strength
from ..figures import NodeFigures
from ..models import Chain, Node, NodeLink, PoolCompany

WAN_PER_YI = Decimal(10000)
ID_MAX = 2**63 - 1  # the largest primary key a database holds


def yi(amount_wan: Decimal) -> Decimal:
    return amount_wan / WAN_PER_YI


def yi_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=4, read_only=True, help_text=help_text)


def figures_data(f: NodeFigures) -> dict:
    return {
        "enterprises": len(f.enterprises),
        "above_size": f.above_size,
        "projects": dict(f.projects),
        "pipeline": f.pipeline,
        "count": f.count,
        "investment": yi(f.investment),
        "funds": yi(f.funds),
        "output": f.output,  # already 亿元
        "expected_output": yi(f.expected_output),
        "confidential": f.confidential,
    }


def gap_data(item) -> dict | None:
    if item is None:
        return None
    return {
        "kind": item.gap,
        "kind_display": Gap(item.gap).label,
        "strength": item.strength,
        "strength_display": Strength(item.strength).label,
        "reason": item.reason,
    }


class ChainErrorsSerializer(serializers.Serializer):
    errors = serializers.DictField(child=serializers.CharField(), help_text="字段 → 错误说明")


# Chains and their maps ------------------------------------------------------------------------------


class ChainSerializer(serializers.ModelSerializer):
    zone = serializers.CharField(source="zone.code", read_only=True, help_text="开发区代码")
    zone_name = serializers.CharField(source="zone.name", read_only=True)
    node_count = serializers.IntegerField(read_only=True, help_text="节点数(现状图与远景图)")

    class Meta:
        model = Chain
        fields = [
            "id",
            "zone",
            "zone_name",
            "code",
            "name",
            "description",
            "thin_threshold",
            "bulletin_label",
            "node_count",
            "is_synthetic",
        ]
        read_only_fields = fields


class ChainNodeFiguresSerializer(serializers.Serializer):
    """A node's figures, its sub-nodes' included."""

    enterprises = serializers.IntegerField(help_text="企业(家)")
    above_size = serializers.IntegerField(help_text="其中规模以上企业(家),按最近一年的规上名录")
    projects = serializers.DictField(
        child=serializers.IntegerField(), help_text="项目数,按阶段代码(lead、talks、signed…)"
    )
    pipeline = serializers.IntegerField(help_text="线索和在谈项目(个)")
    count = serializers.IntegerField(help_text="企业和已签约项目(个):判断强弱的依据")
    investment = yi_field("协议投资(亿元)")
    funds = yi_field("到位资金(亿元)")
    output = yi_field("当前产值(亿元,最近一期已审核的累计值)")
    expected_output = yi_field("达产后年产值(亿元)")
    confidential = serializers.IntegerField(
        help_text="另有几个保密项目:当前用户无权查看,未计入以上数字,也不列出"
    )


class ChainNodeGapSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="缺口类型:fill 补链、extend 延链、strengthen 强链")
    kind_display = serializers.CharField()
    strength = serializers.CharField(help_text="强弱:empty 空白、thin 薄弱")
    strength_display = serializers.CharField()
    reason = serializers.CharField(help_text="为何列为缺口")


class ChainMapNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="上级节点代码")
    segment = serializers.CharField(help_text="环节:up 上游、mid 中游、down 下游、support 配套")
    segment_display = serializers.CharField()
    in_current = serializers.BooleanField(help_text="在现状图中")
    in_target = serializers.BooleanField(help_text="在远景图中")
    threshold = serializers.IntegerField(help_text="薄弱阈值")
    strength = serializers.CharField(help_text="strong 较强、thin 薄弱、empty 空白")
    strength_display = serializers.CharField()
    figures = ChainNodeFiguresSerializer()
    gap = ChainNodeGapSerializer(allow_null=True, help_text="远景图中的缺口;没有缺口时为 null")


class ChainClosedGapSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="节点代码")
    name = serializers.CharField()
    before = serializers.CharField(help_text="1 月 1 日的强弱")
    now = serializers.CharField(help_text="现在的强弱")


class ChainGapSerializer(ChainNodeGapSerializer):
    """One line of the work list (补链、延链、强链), in the chain's map and over the zone's chains."""

    chain = serializers.IntegerField(help_text="产业链 id")
    chain_code = serializers.CharField()
    chain_name = serializers.CharField()
    zone = serializers.CharField(help_text="开发区代码")
    node = serializers.IntegerField(help_text="节点 id")
    node_code = serializers.CharField()
    node_name = serializers.CharField()
    segment = serializers.CharField()
    segment_display = serializers.CharField()
    count = serializers.IntegerField(help_text="企业和已签约项目(个)")
    threshold = serializers.IntegerField(help_text="薄弱阈值")


class ChainDetailSerializer(ChainSerializer):
    nodes = ChainMapNodeSerializer(many=True, read_only=True, source="map_nodes", help_text="按顺序")
    gaps = ChainGapSerializer(
        many=True, read_only=True, source="map_gaps", help_text="缺口清单:补链、延链、强链,空白的在前"
    )
    closed_this_year = ChainClosedGapSerializer(
        many=True, read_only=True, source="map_closed", help_text="本年补上的缺口"
    )

    class Meta(ChainSerializer.Meta):
        fields = [*ChainSerializer.Meta.fields, "nodes", "gaps", "closed_this_year"]
        read_only_fields = fields


# Nodes ----------------------------------------------------------------------------------------------


class ChainNodeSerializer(serializers.ModelSerializer):
    chain_code = serializers.CharField(source="chain.code", read_only=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True)
    zone = serializers.CharField(source="chain.zone.code", read_only=True, help_text="开发区代码")
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True)
    segment = serializers.ChoiceField(choices=Segment.choices, read_only=True)
    segment_display = serializers.CharField(source="get_segment_display", read_only=True)
    threshold = serializers.IntegerField(read_only=True, help_text="薄弱阈值(节点未设时取产业链的)")

    class Meta:
        model = Node
        fields = [
            "id",
            "chain",
            "chain_code",
            "chain_name",
            "zone",
            "parent",
            "parent_code",
            "code",
            "name",
            "segment",
            "segment_display",
            "order",
            "in_current",
            "in_target",
            "threshold",
            "industry_prefixes",
            "note",
        ]
        read_only_fields = fields


class ChainLinkEnterpriseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()


class ChainLinkProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.CharField(source="stage.code", help_text="阶段代码")
    stage_name = serializers.CharField(source="stage.name")


class ChainNodeLinkSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    enterprise = ChainLinkEnterpriseSerializer(read_only=True, allow_null=True)
    project = ChainLinkProjectSerializer(read_only=True, allow_null=True)

    class Meta:
        model = NodeLink
        fields = [
            "id",
            "enterprise",
            "project",
            "role",
            "role_display",
            "landed_on",
            "ended_on",
            "end_reason",
            "investment",
            "expected_output",
            "note",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "investment": {"help_text": "投资额(万元),台账之前落地的企业按入区协议填写"},
            "expected_output": {"help_text": "达产后年产值(万元)"},
            "landed_on": {"help_text": "落地日期:自这一天起计入本节点"},
            "ended_on": {"help_text": "结束日期:自这一天起不再计入;null 表示仍在链上"},
        }


def id_field(help_text: str, **kwargs) -> serializers.IntegerField:
    """An id: a positive 64-bit integer, anything else refused by name before it reaches the database."""
    message = f"应为正整数 id(1–{ID_MAX})"
    return serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        help_text=help_text,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
        **kwargs,
    )


def amount_field() -> serializers.DecimalField:
    """An amount in 万元 with two decimals: a finer value is refused with the unit named, never rounded."""
    too_big = "不能超过 999999999999.99 万元"
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        error_messages={
            "max_decimal_places": "最小单位为 0.01 万元",
            "max_digits": too_big,
            "max_whole_digits": too_big,
            "min_value": "不能为负数",
            "invalid": "应为数字(单位万元)",
        },
    )


class ChainLinkInputSerializer(serializers.Serializer):
    enterprise = id_field("企业 id(与项目二选一)", required=False, allow_null=True)
    project = id_field("项目 id(与企业二选一)", required=False, allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.SUPPORTING)
    landed_on = serializers.DateField(
        required=False, allow_null=True, help_text="落地日期,不晚于今天;默认项目签约日期或企业入区日期"
    )
    investment = amount_field()
    expected_output = amount_field()


class ChainUnlinkInputSerializer(serializers.Serializer):
    link = id_field("本节点上挂接的 id")
    ended_on = serializers.DateField(
        required=False, allow_null=True, help_text="结束日期,不早于落地日期、不晚于今天;默认今天"
    )
    end_reason = serializers.CharField(allow_blank=True, max_length=300, help_text="移出原因(必填)")


class ChainSuggestionReasonSerializer(serializers.Serializer):
    text = serializers.CharField()
    points = serializers.IntegerField()


class ChainSuggestionSerializer(serializers.Serializer):
    pool_company = serializers.IntegerField(help_text="目标企业 id;POST pool/{id}/convert/ 转为线索")
    name = serializers.CharField()
    node = serializers.CharField(help_text="目标企业所在节点代码")
    region = serializers.CharField()
    products = serializers.CharField()
    size = serializers.CharField(help_text="large 大型、medium 中型、small 小型")
    size_display = serializers.CharField()
    listed = serializers.BooleanField()
    score = serializers.IntegerField(help_text="各项理由的分数之和")
    reasons = ChainSuggestionReasonSerializer(many=True)
    lead = serializers.CharField(allow_null=True, help_text="已转为线索时的项目编号")


class ChainLedgerSuggestionSerializer(serializers.Serializer):
    project = serializers.IntegerField(
        source="project.pk", help_text="项目 id;POST nodes/{id}/link/ 带 project 即关联(关联后计入)"
    )
    code = serializers.CharField(source="project.code", help_text="项目编号")
    name = serializers.CharField(source="project.name")
    industry = serializers.CharField(source="project.industry.code", help_text="行业代码")
    industry_name = serializers.CharField(source="project.industry.name")
    stage = serializers.CharField(source="project.stage.code", help_text="阶段代码")
    agreed_investment = serializers.DecimalField(
        source="project.agreed_investment",
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="协议投资(万元)",
    )
    funds_in_place = serializers.DecimalField(
        source="project.funds_in_place", max_digits=16, decimal_places=2, help_text="累计到位资金(万元)"
    )
    nodes = serializers.SerializerMethodField(help_text="建议挂接的节点代码(行业代码前缀最长的节点)")

    def get_nodes(self, obj) -> list[str]:
        return [n.code for n in obj.nodes]


class ChainNodeDetailSerializer(ChainNodeSerializer):
    strength = serializers.CharField(read_only=True, source="map_strength", help_text="强弱")
    strength_display = serializers.CharField(read_only=True, source="map_strength_display")
    figures = ChainNodeFiguresSerializer(read_only=True, source="map_figures")
    gap = ChainNodeGapSerializer(read_only=True, allow_null=True, source="map_gap")
    ended_links = ChainNodeLinkSerializer(
        many=True,
        read_only=True,
        source="map_ended_links",
        help_text="已移出本节点的企业和项目(附结束日期和原因)",
    )
    links = ChainNodeLinkSerializer(
        many=True, read_only=True, source="map_links", help_text="本节点上的企业和项目(不含下级节点)"
    )
    suggestions = ChainSuggestionSerializer(
        many=True, read_only=True, source="map_suggestions", help_text="缺口节点的推荐目标企业,分高在前"
    )
    ledger_suggestions = ChainLedgerSuggestionSerializer(
        many=True,
        read_only=True,
        source="map_ledger",
        help_text="建议关联:台账中行业属于本节点、尚未挂在本链上的项目(不含下级节点);未计入 figures,关联后计入",
    )

    class Meta(ChainNodeSerializer.Meta):
        fields = [
            *ChainNodeSerializer.Meta.fields,
            "strength",
            "strength_display",
            "figures",
            "gap",
            "links",
            "ended_links",
            "suggestions",
            "ledger_suggestions",
        ]
        read_only_fields = fields


# The target-company pool ----------------------------------------------------------------------------


class PoolLeadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.CharField(source="stage.code", help_text="阶段代码")
    stage_name = serializers.CharField(source="stage.name")
    industry = serializers.CharField(
        source="industry.code", allow_null=True, default=None, help_text="行业代码(取自节点的对应行业)"
    )
    park = serializers.CharField(
        source="park.code", allow_null=True, default=None, help_text="功能区代码(取自节点企业所在的功能区)"
    )


class PoolCompanySerializer(serializers.ModelSerializer):
    zone = serializers.CharField(source="zone.code", read_only=True, help_text="开发区代码")
    chain = serializers.IntegerField(source="node.chain_id", read_only=True, help_text="产业链 id")
    chain_code = serializers.CharField(source="node.chain.code", read_only=True)
    node_code = serializers.CharField(source="node.code", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    size = serializers.ChoiceField(choices=CompanySize.choices, read_only=True)
    size_display = serializers.CharField(source="get_size_display", read_only=True)
    converted = serializers.SerializerMethodField(help_text="已转为项目台账中的线索")
    lead = serializers.SerializerMethodField(help_text="转成的线索;保密项目对无权查看者为 null")

    class Meta:
        model = PoolCompany
        fields = [
            "id",
            "zone",
            "name",
            "credit_code",
            "region",
            "products",
            "chain",
            "chain_code",
            "node",
            "node_code",
            "node_name",
            "size",
            "size_display",
            "listed",
            "note",
            "converted",
            "lead",
            "is_synthetic",
            "created",
        ]
        read_only_fields = fields

    def get_converted(self, obj) -> bool:
        return obj.lead_id is not None

    @extend_schema_field(PoolLeadSerializer(allow_null=True))
    def get_lead(self, obj) -> dict | None:
        lead = obj.lead
        if lead is None:
            return None
        request = self.context.get("request")
        if lead.confidential and not sees_confidential(getattr(request, "user", None)):
            return None
        return PoolLeadSerializer(lead).data


class PoolUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV 或 XLSX;列:企业名称、产业链代码、节点代码、规模(必填)等")
    zone = serializers.CharField(help_text="导入到哪个开发区(代码)")
    dry_run = serializers.BooleanField(default=True, help_text="默认只校验不写入;false 才导入")


class PoolImportRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    credit_code = serializers.CharField()
    region = serializers.CharField()
    products = serializers.CharField()
    chain = serializers.CharField(source="node.chain.code", help_text="产业链代码")
    node = serializers.CharField(source="node.code", help_text="节点代码")
    node_name = serializers.CharField(source="node.name")
    size = serializers.CharField()
    listed = serializers.BooleanField()
    note = serializers.CharField()


class PoolImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(help_text="true:只校验,什么也没写入")
    total = serializers.IntegerField(help_text="数据行数")
    companies = PoolImportRowSerializer(many=True, help_text="将导入(或已导入)的目标企业")


class PoolImportErrorsSerializer(serializers.Serializer):
    errors = serializers.DictField(child=serializers.CharField(), help_text="字段 → 错误说明")
    rows = serializers.ListField(
        child=serializers.CharField(), help_text="逐行错误,如“第 3 行 节点代码: …”;有错时什么也不导入"
    )
