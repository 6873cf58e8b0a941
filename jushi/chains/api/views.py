"""/api/chains/: industrial chains (chains with their maps, nodes with suggestions for their gaps, the
work list of gaps, and the target-company pool).

Every list starts from `restrict(user, "view")`, and enterprise reporters get nothing, as in the project
ledger. A confidential project the user may not see is left out of the links and the figures and only
counted (`figures.confidential`); an id filter that is not a positive 64-bit integer answers 400. Figures and gaps are computed on read by `figures.chain_figures` and the pure rules; writes
are service calls with `source=api`: the services check the permission (403) and validate (400,
`{"errors": {field: message}}`; a pool import with bad rows adds `rows`, one message a row).
"""

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.fields import IntegerField
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from jushi.core.choices import ChangeSource
from jushi.core.scopes import can, scope_of
from jushi.lib.tabular import TableError, read_table
from jushi.projects.models import Project
from jushi.projects.querysets import sees_confidential
from jushi.registry.models import Enterprise, Zone
from jushi.reporting.api.serializers import DetailSerializer

from .. import suggested
from ..choices import CompanySize, Gap, Segment, Strength
from ..figures import NodeFigures, chain_figures, facts
from ..gaps import GapItem, closed_this_year, gap_of, gaps, strength
from ..models import Chain, Node, NodeLink, PoolCompany
from ..recommend import Candidate, suggest
from ..services import ChainError, convert_to_lead, import_pool, link, unlink
from . import serializers
from .serializers import figures_data, gap_data

SOURCE = ChangeSource.API


# Errors ---------------------------------------------------------------------------------------------


def require(user, action: str) -> None:
    """The right before the body: a read-only role gets 403, whatever it sent."""
    if not can(user, action):
        raise PermissionDenied("您的角色无权执行此操作")


class ChainApiError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, body: dict):
        self.detail = body


def field_errors(errors: dict[str, str]) -> ChainApiError:
    return ChainApiError({"errors": errors})


def call(service, **kwargs):
    """Run a chain service, turning its errors into API answers: 400 or 403."""
    try:
        return service(**kwargs)
    except ChainError as exc:
        raise field_errors(exc.errors) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc


def _flat(messages) -> str:
    if isinstance(messages, dict):
        return ";".join(f"{key}: {_flat(value)}" for key, value in messages.items())
    if isinstance(messages, list):
        return ";".join(_flat(m) for m in messages)
    return str(messages)


def read_input(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        raise field_errors({key: _flat(value) for key, value in serializer.errors.items()})
    return dict(serializer.validated_data)


ID_MAX = serializers.ID_MAX  # the largest primary key a database holds
ID_MESSAGE = f"应为正整数 id(1–{ID_MAX})"


class IdField(forms.IntegerField):
    """An id from a query string: a positive 64-bit integer; 1e30, 1.5 or -1 are refused by name rather
    than reaching the database (SQLite overflows: HTTP 500)."""

    default_error_messages = {"invalid": ID_MESSAGE}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)
        self.error_messages["min_value"] = self.error_messages["max_value"] = ID_MESSAGE

    def to_python(self, value):
        # int("²") fails but "²".isdigit() holds: only ASCII digits are an id
        if value not in self.empty_values and not (str(value).isascii() and str(value).strip().isdigit()):
            raise forms.ValidationError(ID_MESSAGE, code="invalid")
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(django_filters.NumberFilter):
    field_class = IdField


def parse_id(value: str, key: str) -> int:
    try:
        return IdField().clean(value)
    except forms.ValidationError as exc:
        raise field_errors({key: ID_MESSAGE}) from exc


class ChainFilterBackend(DjangoFilterBackend):
    """A filter value that does not validate answers 400 in the chains' error shape, the field named."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise field_errors({key: " ".join(errors) for key, errors in filterset.errors.items()})
        return filterset.qs


NOT_FOUND = OpenApiResponse(DetailSerializer, description="没有该记录,或无权查看")
WRITE_ERRORS = {
    400: OpenApiResponse(serializers.ChainErrorsSerializer, description="输入有误:按字段列出错误"),
    403: OpenApiResponse(DetailSerializer, description="无权修改该开发区的产业链"),
}


# Visibility and the computed maps -------------------------------------------------------------------


def visible(queryset, user):
    """What the user may read. Enterprise reporters have no business with the zone's chains (the pool
    and the suggestions are investment work), as in the project ledger."""
    if scope_of(user).enterprise_id is not None:
        return queryset.none()
    return queryset.restrict(user, "view")


class PoolUpsertResultSerializer(serializers.PoolImportResultSerializer):
    """The pool import's result with its three counts: a company already in the pool (by name) is
    updated from its row, any other added, and one the file repeats as it is left unchanged."""

    created = IntegerField(source="created_count", help_text="新增的目标企业数(companies 列出它们)")
    updated = IntegerField(source="updated_count", help_text="企业库中已有、按文件更新的企业数")
    unchanged = IntegerField(help_text="企业库中已有、与文件一致的企业数")


class VisibleMixin:
    filter_backends = [ChainFilterBackend]

    def get_queryset(self):
        return visible(self.queryset, self.request.user)


def _gap_row(chain: Chain, node: Node, item: GapItem) -> dict:
    return {
        **gap_data(item),
        "chain": chain.pk,
        "chain_code": chain.code,
        "chain_name": chain.name,
        "zone": chain.zone.code,
        "node": node.pk,
        "node_code": node.code,
        "node_name": node.name,
        "segment": node.segment,
        "segment_display": node.get_segment_display(),
        "count": item.node.count,
        "threshold": item.node.threshold,
    }


def _strength(f: NodeFigures, node: Node) -> dict:
    level = strength(f.count, node.threshold)
    return {"strength": level, "strength_display": Strength(level).label}


def chain_map(chain: Chain, user) -> Chain:
    """The chain with its nodes' figures, gaps and the gaps closed this year attached for the detail,
    as `user` may read them (confidential projects the user may not see only counted)."""
    nodes, figures = chain_figures(chain, user=user)
    node_facts = facts(nodes, figures)
    codes = {n.pk: n.code for n in nodes}
    by_code = {n.code: n for n in nodes}
    chain.map_nodes = [
        {
            "id": n.pk,
            "code": n.code,
            "name": n.name,
            "parent": codes.get(n.parent_id),
            "segment": n.segment,
            "segment_display": n.get_segment_display(),
            "in_current": n.in_current,
            "in_target": n.in_target,
            "threshold": n.threshold,
            **_strength(figures[n.pk], n),
            "figures": figures_data(figures[n.pk]),
            "gap": gap_data(gap_of(fact)),
        }
        for n, fact in zip(nodes, node_facts, strict=True)
    ]
    chain.map_gaps = [_gap_row(chain, by_code[g.node.code], g) for g in gaps(node_facts)]
    chain.map_closed = [
        {"code": fact.code, "name": fact.name, "before": before, "now": now}
        for fact, before, now in closed_this_year(node_facts)
    ]
    return chain


def _lead_code(company: PoolCompany, user) -> str | None:
    lead = company.lead
    if lead is None or (lead.confidential and not sees_confidential(user)):
        return None
    return lead.code


def node_map(node: Node, user) -> Node:
    """The node with its figures, its gap, its links and (for a gap) the suggested pool companies."""
    nodes, figures = chain_figures(node.chain, user=user)
    node_facts = facts(nodes, figures)
    mine = next(fact for fact in node_facts if fact.code == node.code)
    item = gap_of(mine)
    node.map_figures = figures_data(figures[node.pk])
    level = _strength(figures[node.pk], node)
    node.map_strength, node.map_strength_display = level["strength"], level["strength_display"]
    node.map_gap = gap_data(item)
    every = list(
        NodeLink.objects.visible_to(user).filter(node=node).select_related("enterprise", "project__stage")
    )
    node.map_links = [k for k in every if k.ended_on is None]
    node.map_ended_links = [k for k in every if k.ended_on is not None]
    node.map_suggestions = []
    node.map_ledger = suggested.for_chain(node.chain, nodes, user=user).by_node.get(node.pk, [])
    if item is None:
        return node
    pool = {
        c.pk: c for c in PoolCompany.objects.filter(node__chain=node.chain_id).select_related("node", "lead")
    }
    candidates = [
        Candidate(
            key=c.pk,
            name=c.name,
            node=c.node.code,
            size=c.size,
            listed=c.listed,
            region=c.region,
            products=c.products,
        )
        for c in pool.values()
    ]
    codes = {n.pk: n.code for n in nodes}
    found = suggest(
        node.code,
        candidates,
        parent={n.code: codes.get(n.parent_id) for n in nodes},
        names={n.code: n.name for n in nodes},
        enterprises={n.code: len(figures[n.pk].enterprises) for n in nodes},
    )
    for s in found:
        company = pool[s.candidate.key]
        node.map_suggestions.append(
            {
                "pool_company": company.pk,
                "name": company.name,
                "node": company.node.code,
                "region": company.region,
                "products": company.products,
                "size": company.size,
                "size_display": company.get_size_display(),
                "listed": company.listed,
                "score": s.score,
                "reasons": [{"text": text, "points": points} for text, points in s.reasons],
                "lead": _lead_code(company, user),
            }
        )
    return node


# Filters --------------------------------------------------------------------------------------------


class ChainFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))

    class Meta:
        model = Chain
        fields = ["zone"]


class ChainNodeFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="chain__zone__code", label=_("开发区代码"))
    chain = IdFilter(field_name="chain_id", label=_("产业链 id"))
    segment = django_filters.ChoiceFilter(choices=Segment.choices, label=_("环节"))

    class Meta:
        model = Node
        fields = ["zone", "chain", "segment"]


class PoolFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))
    chain = IdFilter(field_name="node__chain_id", label=_("产业链 id"))
    node = IdFilter(field_name="node_id", label=_("节点 id"))
    size = django_filters.ChoiceFilter(choices=CompanySize.choices, label=_("规模"))
    listed = django_filters.BooleanFilter(label=_("true:只看上市公司"))
    converted = django_filters.BooleanFilter(
        field_name="lead", lookup_expr="isnull", exclude=True, label=_("true:已转为线索;false:尚未转")
    )

    class Meta:
        model = PoolCompany
        fields = ["zone", "chain", "node", "size", "listed", "converted"]


# Views ----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="产业链", description="当前用户可见开发区的产业链;企业填报员看不到。"),
    retrieve=extend_schema(
        summary="一条产业链及其图谱",
        description=(
            "每个节点的企业、项目、投资、产值和达产后产值(亿元,含下级节点)与强弱;远景图中的缺口及原因;"
            "本年补上的缺口。"
        ),
    ),
)
class ChainViewSet(VisibleMixin, viewsets.ReadOnlyModelViewSet):
    queryset = (
        Chain.objects.select_related("zone")
        .annotate(node_count=Count("nodes"))
        .order_by("order", "name", "id")
    )
    serializer_class = serializers.ChainSerializer
    filterset_class = ChainFilterSet

    def get_serializer_class(self):
        return serializers.ChainDetailSerializer if self.action == "retrieve" else serializers.ChainSerializer

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(chain_map(self.get_object(), request.user)).data)


@extend_schema_view(
    list=extend_schema(
        summary="产业链节点",
        description="用户可见产业链的全部节点:上级节点、所属环节(上中下游)、是否在现状图和远景图中、对应的行业代码;可按产业链筛选。",
    ),
    retrieve=extend_schema(
        summary="一个节点",
        description="节点的数字与强弱、节点上的企业和项目;缺口节点附推荐的目标企业,每家都有得分和理由。",
    ),
)
class ChainNodeViewSet(VisibleMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Node.objects.select_related("chain__zone", "parent")
    serializer_class = serializers.ChainNodeSerializer
    filterset_class = ChainNodeFilterSet

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ChainNodeDetailSerializer
        return serializers.ChainNodeSerializer

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(node_map(self.get_object(), request.user)).data)

    @extend_schema(
        summary="挂接企业或项目",
        description="把本开发区的一家企业或一个项目挂到节点上,自落地日期(不晚于今天)起计入。",
        request=serializers.ChainLinkInputSerializer,
        responses={201: serializers.ChainNodeLinkSerializer, **WRITE_ERRORS, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def link(self, request, pk=None):
        require(request.user, "change")
        node = self.get_object()
        data = read_input(serializers.ChainLinkInputSerializer, request)
        zone = node.chain.zone
        enterprise = project = None
        if data.get("enterprise"):
            enterprise = Enterprise.objects.filter(zone=zone, pk=data["enterprise"]).first()
            if enterprise is None:
                raise field_errors({"enterprise": "本开发区没有这家企业"})
        if data.get("project"):
            project = Project.objects.visible_to(request.user).filter(zone=zone, pk=data["project"]).first()
            if project is None:
                raise field_errors({"project": "本开发区没有这个项目,或无权查看"})
        made = call(
            link,
            actor=request.user,
            node=node,
            enterprise=enterprise,
            project=project,
            role=data["role"],
            landed_on=data.get("landed_on"),
            investment=data.get("investment"),
            expected_output=data.get("expected_output"),
            source=SOURCE,
        )
        return Response(serializers.ChainNodeLinkSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="移出节点",
        description=(
            "结束一条挂接:自结束日期(默认今天,不早于落地日期、不晚于今天)起不再计入,须说明原因。"
            "挂接不删除,结束日期之前各期的数字不变。"
        ),
        request=serializers.ChainUnlinkInputSerializer,
        responses={200: serializers.ChainNodeLinkSerializer, **WRITE_ERRORS, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def unlink(self, request, pk=None):
        require(request.user, "change")
        node = self.get_object()
        data = read_input(serializers.ChainUnlinkInputSerializer, request)
        found = NodeLink.objects.visible_to(request.user).filter(node=node, pk=data["link"]).first()
        if found is None:
            raise field_errors({"link": "本节点上没有这条挂接"})
        ended = call(
            unlink,
            actor=request.user,
            link_=found,
            ended_on=data.get("ended_on"),
            reason=data["end_reason"],
            source=SOURCE,
        )
        return Response(serializers.ChainNodeLinkSerializer(ended).data)


class ChainGapViewSet(viewsets.ViewSet):
    """The work list over the chains the user sees: computed, not stored, so not paginated."""

    @extend_schema(
        summary="缺口清单",
        description="可见产业链远景图中的缺口:补链(空白)、延链(远景图新增且空白)、强链(薄弱),各附原因。",
        parameters=[
            OpenApiParameter("zone", OpenApiTypes.STR, description="开发区代码"),
            OpenApiParameter("chain", OpenApiTypes.INT, description="产业链 id"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Gap.values, description="缺口类型"),
        ],
        responses={200: serializers.ChainGapSerializer(many=True)},
    )
    def list(self, request):
        chains = visible(Chain.objects.select_related("zone"), request.user)
        params = request.query_params
        if params.get("zone"):
            chains = chains.filter(zone__code=params["zone"])
        if params.get("chain"):
            chains = chains.filter(pk=parse_id(params["chain"], "chain"))
        kind = params.get("kind")
        if kind and kind not in Gap.values:
            raise field_errors({"kind": f"应为 {'、'.join(Gap.values)} 之一"})
        rows = []
        for chain in chains:
            nodes, figures = chain_figures(chain, user=request.user)
            by_code = {n.code: n for n in nodes}
            rows += [
                _gap_row(chain, by_code[g.node.code], g)
                for g in gaps(facts(nodes, figures))
                if not kind or g.gap == kind
            ]
        return Response(serializers.ChainGapSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="目标企业库",
        description="招商目标企业:信用代码、地区、主要产品、对应的产业链节点、规模、是否上市,以及是否已转为线索。",
    ),
    retrieve=extend_schema(summary="一家目标企业", description="目标企业的详情,以及已转成的线索(如有)。"),
)
class PoolViewSet(VisibleMixin, viewsets.ReadOnlyModelViewSet):
    queryset = PoolCompany.objects.select_related("zone", "node__chain", "lead__stage")
    serializer_class = serializers.PoolCompanySerializer
    filterset_class = PoolFilterSet

    @extend_schema(
        summary="转为线索",
        description=(
            "把目标企业转为项目台账中的线索(不必重填),并挂到它所在的节点上。"
            "已转过的返回 400,错误说明写出已有线索的编号。"
        ),
        request=None,
        responses={201: serializers.PoolCompanySerializer, **WRITE_ERRORS, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def convert(self, request, pk=None):
        company = self.get_object()
        call(convert_to_lead, actor=request.user, company=company, source=SOURCE)
        return Response(self.get_serializer(company).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="导入目标企业",
        description=(
            "上传 CSV 或 XLSX。默认 dry_run=true 只校验,返回将新增的企业和新增、更新、未变化的数目;"
            "企业库中已有的企业(按名称)按文件更新。dry_run=false 时全部导入,"
            "有任何一行出错则什么也不导入,rows 逐行列出错误。"
        ),
        request=serializers.PoolUploadSerializer,
        responses={
            200: OpenApiResponse(PoolUpsertResultSerializer, description="试运行:校验通过"),
            201: OpenApiResponse(PoolUpsertResultSerializer, description="已导入"),
            400: OpenApiResponse(serializers.PoolImportErrorsSerializer, description="文件或逐行错误"),
            403: WRITE_ERRORS[403],
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def import_(self, request):
        require(request.user, "import")
        data = read_input(serializers.PoolUploadSerializer, request)
        zone = Zone.objects.restrict(request.user, "view").filter(code=data["zone"]).first()
        if zone is None:
            raise field_errors({"zone": f"没有代码为“{data['zone']}”的开发区,或无权访问"})
        upload = data["file"]
        limit = settings.JUSHI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise field_errors(
                {"file": f"文件大小 {upload.size / 1048576:.1f} MB,超过上限 {limit / 1048576:.1f} MB"}
            )
        try:
            table = read_table(upload.read(), upload.name, max_bytes=limit)
        except TableError as exc:
            raise field_errors({"file": str(exc)}) from exc
        result = call(
            import_pool, actor=request.user, zone=zone, table=table, source=SOURCE, dry_run=data["dry_run"]
        )
        if result.errors:
            raise ChainApiError(
                {
                    "errors": {"file": f"{len(result.errors)} 处错误,未导入任何数据"},
                    "rows": [str(e) for e in result.errors],
                }
            )
        code = status.HTTP_200_OK if result.dry_run else status.HTTP_201_CREATED
        return Response(PoolUpsertResultSerializer(result).data, status=code)
