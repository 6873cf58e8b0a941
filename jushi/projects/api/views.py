"""/api/projects/: the investment ledger (projects, funds in place, problems, signing events, stages).

Every list starts from `visible_to(user)`: enterprise reporters get nothing, and confidential projects
(with their funds and problems) only reach the departments querysets.py names. Every write is a service
call with `source=api`; the services check the permission (403), validate (400, `{"errors": {field:
message}}`, with `confirm_required` when an amount over 1,000 亿元 needs `confirm=true`) and refuse a
stage move someone else got in first (409).
"""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from jushi.accounts.permissions import AccountGate
from jushi.core import scopes
from jushi.core.choices import ChangeSource
from jushi.core.scopes import can
from jushi.registry.models import Zone
from jushi.reporting.api.serializers import DetailSerializer

from ..choices import Evidence, ProblemStatus
from ..filtersets import SORTS, AmountFilter, BoundedDateFilter, IdFilter, ProjectFilterSet, YearFilter
from ..models import Event, FundsRecord, Problem, Project, Stage
from ..services.common import NeedsConfirmation, ProjectError, StaleProject
from ..services.funds import change_contract, record_funds
from ..services.pipeline import advance_stage, create_event, create_project, resolve_duplicate, update_project
from ..services.schedule import raise_problem, resolve_problem
from . import serializers

SOURCE = ChangeSource.API


# Errors ---------------------------------------------------------------------------------------------


class LedgerError(APIException):
    """An answer whose body is given whole (DRF would turn `confirm_required: true` into a string)."""

    def __init__(self, body: dict, status_code: int = status.HTTP_400_BAD_REQUEST):
        self.detail = body
        self.status_code = status_code


def field_errors(errors: dict[str, str], *, confirm: bool = False) -> LedgerError:
    return LedgerError({"errors": errors, "confirm_required": confirm})


def call(service, **kwargs):
    """Run a ledger service, turning its errors into API answers: 409, 400 or 403."""
    try:
        return service(**kwargs)
    except StaleProject as exc:
        raise LedgerError(
            {"detail": ";".join(exc.errors.values()), "errors": exc.errors}, status.HTTP_409_CONFLICT
        ) from exc
    except NeedsConfirmation as exc:
        raise field_errors(exc.errors, confirm=True) from exc
    except ProjectError as exc:
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
    """The request body checked for types, its errors in the services' shape (one message a field)."""
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        raise field_errors({key: _flat(value) for key, value in serializer.errors.items()})
    return dict(serializer.validated_data)


CREATE_ERRORS = {
    400: OpenApiResponse(serializers.ErrorsSerializer, description="输入有误:按字段列出错误"),
    403: OpenApiResponse(DetailSerializer, description="无权修改该开发区的项目台账"),
}
ERRORS = {**CREATE_ERRORS, 404: OpenApiResponse(DetailSerializer, description="没有该记录,或无权查看")}


# Filters --------------------------------------------------------------------------------------------


class ProjectApiFilterSet(ProjectFilterSet):
    """The ledger page's filters, plus ranges of agreed investment and signing date."""

    min_investment = AmountFilter(
        field_name="agreed_investment", lookup_expr="gte", label=_("协议总投资不少于(万元)")
    )
    max_investment = AmountFilter(
        field_name="agreed_investment", lookup_expr="lte", label=_("协议总投资不超过(万元)")
    )
    signed_from = BoundedDateFilter(field_name="signed_on", lookup_expr="gte", label=_("签约日期起"))
    signed_to = BoundedDateFilter(field_name="signed_on", lookup_expr="lte", label=_("签约日期止"))

    class Meta(ProjectFilterSet.Meta):
        fields = [
            *ProjectFilterSet.Meta.fields,
            "min_investment",
            "max_investment",
            "signed_from",
            "signed_to",
        ]

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])


class FundsFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))
    project = IdFilter(field_name="project_id", label=_("项目 id"))
    evidence = django_filters.MultipleChoiceFilter(choices=Evidence.choices, label=_("凭证类型;可重复给出"))
    date_from = BoundedDateFilter(field_name="on", lookup_expr="gte", label=_("到位日期起"))
    date_to = BoundedDateFilter(field_name="on", lookup_expr="lte", label=_("到位日期止"))

    class Meta:
        model = FundsRecord
        fields = ["zone", "project", "evidence", "date_from", "date_to"]


class ProblemFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="project__zone__code", label=_("开发区代码"))
    project = IdFilter(field_name="project_id", label=_("项目 id"))
    status = django_filters.ChoiceFilter(choices=ProblemStatus.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("true:只看逾期未解决的问题"))

    class Meta:
        model = Problem
        fields = ["zone", "project", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = queryset.overdue().values("pk")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)


class EventFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))
    year = YearFilter(field_name="held_on__year", label=_("举办年份"))

    class Meta:
        model = Event
        fields = ["zone", "year"]


# Views ----------------------------------------------------------------------------------------------


class LedgerWrite(BasePermission):
    """The write right, checked before the body is read: a role that may not write is told so (403),
    not that its input is wrong (400) or of the wrong type (415). The services check it again, with the
    zone and the project."""

    message = "无权修改该开发区的项目台账"  # as the services say it

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if scopes.scope_of(request.user).enterprise_id is not None:
            return False  # enterprise reporters have no business in the ledger
        return can(request.user, "add" if getattr(view, "action", "") == "create" else "change")


class VisibleMixin:
    """Rows the user may see, as every page starts; writes need the write right first (`LedgerWrite`),
    and what exactly the user may change is the services' call."""

    permission_classes = [IsAuthenticated, AccountGate, LedgerWrite]

    def get_queryset(self):
        return self.queryset.restrict(self.request.user, "view")


def _zone(user, code: str) -> Zone:
    zone = Zone.objects.restrict(user, "view").filter(code=code).first()
    if zone is None:
        raise field_errors({"zone": f"没有代码为“{code}”的开发区,或无权访问"})
    return zone


@extend_schema_view(
    list=extend_schema(
        summary="项目台账", description="当前用户可见的项目;保密项目只有管理员、招商局和项目办可见。"
    ),
    retrieve=extend_schema(
        summary="一个项目",
        description="项目的基本信息、行业和园区、所处阶段及停留天数、进度红黄绿、协议投资和累计到位资金;"
        "推进阶段时带上其中的 version。",
    ),
)
class ProjectViewSet(VisibleMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Leads and projects, from the first contact to full capacity; stage moves, funds in place, contract
    changes, problems and duplicate decisions as POST actions."""

    queryset = Project.objects.select_related("zone", "investor", "stage", "industry", "park", "event")
    serializer_class = serializers.ProjectSerializer
    filterset_class = ProjectApiFilterSet

    def _project(self, project: Project, code: int = status.HTTP_200_OK) -> Response:
        project.refresh_from_db(fields=["funds_in_place", "agreed_investment", "version"])
        return Response(self.get_serializer(project).data, status=code)

    @extend_schema(
        summary="登记线索",
        description="新建的项目处于“线索”阶段;投资方按统一社会信用代码或名称找到,没有则新建。",
        request=serializers.ProjectCreateSerializer,
        responses={201: serializers.ProjectSerializer, **CREATE_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        data = read_input(serializers.ProjectCreateSerializer, request)
        zone = _zone(request.user, data.pop("zone"))
        confirm = data.pop("confirm")
        project = call(
            create_project, actor=request.user, zone=zone, data=data, source=SOURCE, confirm=confirm
        )
        return self._project(project, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改项目信息",
        description="只改给出的字段。已签约项目的协议投资须通过 contract(合同变更)修改;阶段通过 advance 推进。",
        request=serializers.ProjectUpdateSerializer,
        responses={200: serializers.ProjectSerializer, **ERRORS},
    )
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        data = read_input(serializers.ProjectUpdateSerializer, request)
        confirm = data.pop("confirm")
        project = call(
            update_project, actor=request.user, project=project, data=data, source=SOURCE, confirm=confirm
        )
        return self._project(project)

    @extend_schema(
        summary="推进或退回阶段",
        description=(
            "向前推进时,跳过的阶段也须填写其日期和必填项;退回时 note 必填。带上读取时的 version:"
            "项目已被他人推进则返回 409,什么也不改。"
        ),
        request=serializers.AdvanceSerializer,
        responses={
            200: serializers.ProjectSerializer,
            **ERRORS,
            409: OpenApiResponse(serializers.ConflictSerializer, description="项目刚被他人修改,什么也没改"),
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def advance(self, request, pk=None):
        project = self.get_object()
        data = read_input(serializers.AdvanceSerializer, request)
        project = call(
            advance_stage,
            actor=request.user,
            project=project,
            to_stage=data["to_stage"],
            data=data["fields"],
            version=data.get("version"),
            source=SOURCE,
            confirm=data["confirm"],
            note=data["note"],
        )
        return self._project(project)

    @extend_schema(
        methods=["GET"],
        summary="项目的到位资金",
        description="该项目的全部到位资金记录,按日期排列。",
        request=None,
        responses={200: serializers.FundsSerializer(many=True), 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary="登记到位资金",
        description="累计到位资金超过协议总投资时须先登记合同变更。",
        request=serializers.FundsInputSerializer,
        responses={201: serializers.FundsSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[JSONParser],
        filter_backends=[],  # the project list's filters are not the funds'
        pagination_class=None,
    )
    def funds(self, request, pk=None):
        project = self.get_object()
        if request.method == "GET":
            rows = FundsRecord.objects.filter(project=project).select_related("zone", "project")
            return Response(serializers.FundsSerializer(rows, many=True).data)
        data = read_input(serializers.FundsInputSerializer, request)
        funds = call(
            record_funds,
            actor=request.user,
            project=project,
            on=data["on"],
            amount_wan=data["amount"],
            evidence=data["evidence"],
            source_region=data.get("source_region"),
            attachment=data.get("attachment"),
            note=data["note"],
            source=SOURCE,
            confirm=data["confirm"],
        )
        return Response(serializers.FundsSerializer(funds).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="登记合同变更",
        description=(
            "改变已签约项目的协议总投资(补充协议),自 effective_on(生效日期,必填,不早于签约日期、不晚于今天)"
            "起计入;此前各期的数字不变。变更后任一天的累计到位资金都不能超过当天的协议投资。"
        ),
        request=serializers.ContractInputSerializer,
        responses={201: serializers.ContractChangeSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def contract(self, request, pk=None):
        project = self.get_object()
        data = read_input(serializers.ContractInputSerializer, request)
        change = call(
            change_contract,
            actor=request.user,
            project=project,
            effective_on=data["effective_on"],
            new_investment=data["new_investment"],
            reason=data["reason"],
            attachment=data.get("attachment"),
            source=SOURCE,
            confirm=data["confirm"],
        )
        return Response(serializers.ContractChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="列入问题清单",
        description="把项目推进中的问题列入问题清单:标题、责任人、限期必填,提出日期默认今天。",
        request=serializers.ProblemInputSerializer,
        responses={201: serializers.ProblemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def problems(self, request, pk=None):
        project = self.get_object()
        data = read_input(serializers.ProblemInputSerializer, request)
        problem = call(raise_problem, actor=request.user, project=project, data=data, source=SOURCE)
        return Response(serializers.ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="处理疑似重复",
        description="new:确认为新项目,从此计入统计;merge:与原项目是同一项目,资金、进度和附件并入原项目。",
        request=serializers.DuplicateDecisionSerializer,
        responses={200: serializers.ProjectSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def duplicate(self, request, pk=None):
        project = self.get_object()
        data = read_input(serializers.DuplicateDecisionSerializer, request)
        project = call(
            resolve_duplicate,
            actor=request.user,
            project=project,
            decision=data["decision"],
            reason=data["reason"],
            source=SOURCE,
        )
        return self._project(project)


@extend_schema_view(
    list=extend_schema(summary="到位资金", description="当前用户可见项目的到位资金记录,按日期倒序。"),
    retrieve=extend_schema(
        summary="一条到位资金记录", description="一笔到位资金:日期、金额(万元)、凭证及其等级、资金来源地。"
    ),
)
class FundsViewSet(VisibleMixin, viewsets.ReadOnlyModelViewSet):
    queryset = FundsRecord.objects.select_related("zone", "project")
    serializer_class = serializers.FundsSerializer
    filterset_class = FundsFilterSet


@extend_schema_view(
    list=extend_schema(summary="问题清单", description="按限期排序;overdue=true 只列逾期未解决的问题。"),
    retrieve=extend_schema(summary="一个问题", description="问题的内容、责任人、限期和解决情况。"),
)
class ProblemViewSet(VisibleMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Problem.objects.select_related("project", "project__zone")
    serializer_class = serializers.ProblemSerializer
    filterset_class = ProblemFilterSet

    @extend_schema(
        summary="问题已解决",
        description="登记问题的解决情况(必填)和解决日期(默认今天,不早于提出日期)。",
        request=serializers.ResolveSerializer,
        responses={200: serializers.ProblemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def resolve(self, request, pk=None):
        problem = self.get_object()
        data = read_input(serializers.ResolveSerializer, request)
        problem = call(
            resolve_problem,
            actor=request.user,
            problem=problem,
            resolution=data["resolution"],
            resolved_on=data.get("resolved_on"),
            source=SOURCE,
        )
        return Response(self.get_serializer(problem).data)


@extend_schema_view(
    list=extend_schema(
        summary="签约活动",
        description="用户可见开发区的招商推介会、博览会等签约活动;项目可注明在哪次活动签约。",
    ),
    retrieve=extend_schema(summary="一个签约活动", description="活动的名称、日期、地点和所属开发区。"),
    create=extend_schema(
        summary="登记签约活动",
        description="在本开发区登记一次签约活动;错误按字段列出。",
        request=serializers.SigningEventCreateSerializer,
        responses={201: serializers.SigningEventSerializer, **CREATE_ERRORS},
    ),
)
class EventViewSet(
    VisibleMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Expos and promotion meetings where contracts are signed; a project names its signing event."""

    queryset = Event.objects.select_related("zone")
    serializer_class = serializers.SigningEventSerializer
    filterset_class = EventFilterSet

    def create(self, request, *args, **kwargs):
        data = read_input(serializers.SigningEventCreateSerializer, request)
        zone = _zone(request.user, data.pop("zone"))
        event = call(create_event, actor=request.user, zone=zone, data=data, source=SOURCE)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="项目阶段", description="阶段顺序、时限、预测概率和进入时须填写的字段。"),
    retrieve=extend_schema(
        summary="一个阶段(按代码)",
        description="阶段的顺序、时限、预测概率和进入该阶段时须填写的字段,人人相同。",
    ),
)
class StageViewSet(viewsets.ReadOnlyModelViewSet):
    """The pipeline's stages: the same for every signed-in user."""

    queryset = Stage.objects.all()
    serializer_class = serializers.StageSerializer
    lookup_field = "code"
    pagination_class = None
