"""/api/reporting/: forms, periods, obligations and submissions; the workflow through the same services
and checks as the pages, with `source=api`.

Figures are written only by the enterprise's own reporter (save, submit); staff approve or return.
A submission the user may not see is a 404, whatever the action.
"""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from jushi.core import clock, idempotency
from jushi.core.choices import ChangeSource
from jushi.lib.periods import Period, PeriodError
from jushi.registry.api.views import RestrictedViewSetMixin

from ..checks import Checker
from ..choices import DONE, FlagStatus, Status
from ..models import (
    FormField,
    PlausibilityFlag,
    ReportForm,
    ReportingPeriod,
    Rule,
    Submission,
    SubmissionEvent,
)
from ..services.errors import Conflict, ReportingError
from ..services.plausibility import review_flag
from ..services.submissions import (
    approve_submission,
    ensure_reporter,
    ensure_reviewer,
    return_submission,
    save_draft,
    stored_figures,
    submit_report,
)
from . import serializers

SOURCE = ChangeSource.API


class ConflictError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "报表刚被其他人处理,本次操作未生效"
    default_code = "conflict"


class WorkflowError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


def call_service(service, **kwargs):
    """Run a workflow service, turning its errors into API answers: 409, 400 or 403."""
    try:
        return service(**kwargs)
    except Conflict as exc:
        raise ConflictError(str(exc)) from exc
    except ReportingError as exc:
        raise WorkflowError(str(exc)) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc


class IdempotencyKeyError(APIException):
    """An Idempotency-Key that cannot be used: malformed (400), reused elsewhere (422), in use (409)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key"

    def __init__(self, exc: idempotency.IdempotencyError):
        super().__init__(str(exc))
        self.status_code = exc.status


def once(request, *, action: str, submission, act) -> Response:
    """Run `act` (→ Response) at most once per Idempotency-Key: a repeat gets the first 200 answer again
    (with the header Idempotent-Replayed: true); errors record nothing, so a retry acts."""
    try:
        with idempotency.once(request, action=action, target=submission.pk) as guard:
            if guard.replay:
                replay = guard.replay
                return Response(replay.body, status=replay.status, headers={"Idempotent-Replayed": "true"})
            response = act()
            if response.status_code == status.HTTP_200_OK:
                guard.record(status=response.status_code, body=response.data)
            return response
    except idempotency.IdempotencyError as exc:
        raise IdempotencyKeyError(exc) from exc


IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    {
        "type": "string",
        "minLength": 1,
        "maxLength": idempotency.MAX_LENGTH,
        "pattern": idempotency.KEY_PATTERN,
    },
    location=OpenApiParameter.HEADER,
    required=False,
    description="重复提交标识(可选,建议每次操作生成一个新的 UUID):网络超时或服务重启后用同一标识重发,"
    "只执行一次,并原样返回第一次成功时的应答(应答头 Idempotent-Replayed: true);"
    "同一标识用于另一份报表或另一种操作返回 422。标识保留 7 天。",
)
KEY_REFUSED = OpenApiResponse(
    serializers.DetailSerializer, description="重复提交标识已用于另一份报表或另一种操作,本次未执行"
)


def forbid(check, user, submission) -> None:
    try:
        check(user, submission)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc


# Filters --------------------------------------------------------------------------------------------


def period_code_validator(value: str) -> None:
    """A period filter that cannot name a period is a 400 naming the field, not an empty answer."""
    try:
        Period.parse(value)
    except PeriodError as exc:
        # The reason quotes the input: passed as a parameter, so a "%" in it is text, not a format.
        raise DjangoValidationError("%(reason)s", code="invalid", params={"reason": str(exc)}) from None


PERIOD_LABEL = _("报告期,如 2024-06")


class PeriodFilterSet(django_filters.FilterSet):
    form = django_filters.CharFilter(field_name="form__code", label=_("表式代码"))
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区代码"))
    code = django_filters.CharFilter(label=PERIOD_LABEL, validators=[period_code_validator])

    class Meta:
        model = ReportingPeriod
        fields = ["form", "zone", "code"]


class SubmissionFilterSet(django_filters.FilterSet):
    form = django_filters.CharFilter(field_name="period__form__code", label=_("表式代码"))
    period = django_filters.CharFilter(
        field_name="period__code", label=PERIOD_LABEL, validators=[period_code_validator]
    )
    zone = django_filters.CharFilter(field_name="period__zone__code", label=_("开发区代码"))
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("状态"))
    enterprise = django_filters.CharFilter(field_name="enterprise__credit_code", label=_("统一社会信用代码"))
    done = django_filters.BooleanFilter(method="filter_done", label=_("已报送(待审核或已审核)"))

    class Meta:
        model = Submission
        fields = ["form", "period", "zone", "status", "enterprise", "done"]

    def filter_done(self, queryset, name, value):
        return queryset.filter(status__in=DONE) if value else queryset.exclude(status__in=DONE)


class PlausibilityFlagFilterSet(django_filters.FilterSet):
    form = django_filters.CharFilter(field_name="period__form__code", label=_("表式代码"))
    period = django_filters.CharFilter(
        field_name="period__code", label=PERIOD_LABEL, validators=[period_code_validator]
    )
    zone = django_filters.CharFilter(field_name="period__zone__code", label=_("开发区代码"))
    status = django_filters.ChoiceFilter(choices=FlagStatus.choices, label=_("状态"))

    class Meta:
        model = PlausibilityFlag
        fields = ["form", "period", "zone", "status"]


class ObligationFilterSet(SubmissionFilterSet):
    class Meta(SubmissionFilterSet.Meta):
        fields = ["form", "period", "status", "done"]


# Views ----------------------------------------------------------------------------------------------


class NowMixin:
    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": clock.now()}


@extend_schema_view(
    list=extend_schema(
        summary="表式",
        description="全部统计表式,含各自的指标(字段)和在用的审核规则:全国规则,以及用户可见开发区自己的规则。",
    ),
    retrieve=extend_schema(
        summary="一张表式(按代码)", description="表式的指标(字段)、单位和在用的审核规则。"
    ),
)
class ReportFormViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Statistical forms (表式) with their fields and active check rules; the same for every user."""

    queryset = ReportForm.objects.all()
    serializer_class = serializers.ReportFormSerializer
    lookup_field = "code"

    def get_queryset(self):
        """Active national rules, and the active own rules of the zones the user may see."""
        rules = Rule.objects.visible_to(self.request.user).filter(is_active=True).select_related("zone")
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("fields", queryset=FormField.objects.order_by("order", "id")),
                Prefetch("rules", queryset=rules, to_attr="active_rules"),
            )
        )


@extend_schema_view(
    list=extend_schema(
        summary="报告期",
        description="用户可见开发区已开放的报告期:开始填报时间、截止时间、是否已关闭。可按表式、开发区筛选。",
    ),
    retrieve=extend_schema(
        summary="一个报告期", description="报告期的表式、开发区、开始填报时间、截止时间和是否已关闭。"
    ),
)
class ReportingPeriodViewSet(NowMixin, RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ReportingPeriod.objects.select_related("form", "zone")
    serializer_class = serializers.ReportingPeriodSerializer
    filterset_class = PeriodFilterSet


@extend_schema_view(
    list=extend_schema(
        summary="应报名单",
        description="企业填报员:本企业要报的报表(即“我的报表”);工作人员:本开发区每家企业每期应报的报表。"
        "每行一家企业一期,按截止时间排列,含状态和是否逾期。",
    )
)
class ObligationViewSet(NowMixin, RestrictedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """What the user must report (a reporter's inbox) or watches (staff): one row per submission owed,
    by deadline."""

    queryset = Submission.objects.select_related("period__form", "period__zone", "enterprise").order_by(
        "period__deadline", "enterprise__name", "id"
    )
    serializer_class = serializers.ObligationSerializer
    filterset_class = ObligationFilterSet


SUBMISSION_ERRORS = {
    400: OpenApiResponse(description="数值或参数有误,按字段列出;或当前状态不能执行该操作({detail})"),
    403: serializers.DetailSerializer,
    404: serializers.DetailSerializer,
}


@extend_schema_view(
    list=extend_schema(
        summary="报表",
        description="用户可见的报表(企业填报员只有本企业的),含填报的数、审核结果和处理记录。可按表式、报告期、状态筛选。",
    ),
    retrieve=extend_schema(
        summary="一张报表",
        description="报表的各项数(本期与上年同期)、本修订版的审核结果和企业的说明,以及报送、退回、审核的记录。"
        "修改或审核时带上其中的 version,以免覆盖他人刚做的处理。",
    ),
)
class SubmissionViewSet(NowMixin, RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Submissions with their figures, check results and history; the workflow as POST actions."""

    queryset = Submission.objects.select_related(
        "period__form", "period__zone", "enterprise"
    ).prefetch_related(
        Prefetch("period__form__fields", queryset=FormField.objects.order_by("order", "id")),
        "values",
        "check_results",
        Prefetch("events", queryset=SubmissionEvent.objects.order_by("time", "id")),
    )
    serializer_class = serializers.SubmissionSerializer
    filterset_class = SubmissionFilterSet

    def _fresh(self, submission) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=submission.pk)).data

    def _input(self, serializer_class, checker=None):
        serializer = serializer_class(
            data=self.request.data, context={**self.get_serializer_context(), "checker": checker}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def _figures(stored: tuple[dict, dict], parsed: dict) -> dict:
        """Given parts replace the stored ones; a part left out keeps its stored figure."""
        current, last_year = stored
        return {
            code: (parts.get("current", current.get(code)), parts.get("last_year", last_year.get(code)))
            for code, parts in parsed.items()
        }

    @extend_schema(
        summary="保存草稿",
        description="企业填报员保存本企业报表的数(只改给出的字段),不报送;返回保存后运行审核的结果,供参考。",
        request=serializers.SaveFiguresSerializer,
        responses={
            200: serializers.SaveResultSerializer,
            **SUBMISSION_ERRORS,
            409: serializers.DetailSerializer,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def save(self, request, pk=None):
        submission = self.get_object()
        forbid(ensure_reporter, request.user, submission)
        checker = Checker.for_form(submission.period.form, submission.period.zone_id)
        data = self._input(serializers.SaveFiguresSerializer, checker)
        outcome = call_service(
            save_draft,
            actor=request.user,
            submission=submission,
            figures=self._figures(stored_figures(submission), data["values"]),
            source=SOURCE,
        )
        body = {
            "status": outcome.submission.status,
            "version": outcome.submission.version,
            "changed": sorted(outcome.changed),
            "findings": serializers.findings_data(outcome.findings),
        }
        return Response(body)

    @extend_schema(
        summary="报送",
        description=(
            "先保存给出的数,再运行全部审核:没有强制性错误、每条提示都已说明时报送(200,submitted=true);"
            "否则已存为草稿并返回 422 与审核结果。同样的数再次报送返回 200,already=true,不做任何改动。"
        ),
        request=serializers.SubmitReportSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: serializers.SubmitResultSerializer,
            422: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="SubmitRefused",
                    serializers=[serializers.SubmitResultSerializer, serializers.DetailSerializer],
                    resource_type_field_name=None,
                ),
                description="未报送:有强制性错误或未说明的提示(已存为草稿,返回审核结果);"
                "或重复提交标识已用于另一份报表或另一种操作(返回 detail)",
            ),
            **SUBMISSION_ERRORS,
            409: serializers.DetailSerializer,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def submit(self, request, pk=None):
        submission = self.get_object()
        forbid(ensure_reporter, request.user, submission)
        return once(
            request, action="reporting.submit", submission=submission, act=lambda: self._submit(submission)
        )

    def _submit(self, submission):
        request = self.request
        checker = Checker.for_form(submission.period.form, submission.period.zone_id)
        data = self._input(serializers.SubmitReportSerializer, checker)
        stored = stored_figures(submission)
        figures = self._figures(stored, data["values"]) if "values" in data else None
        current = {**stored[0], **{code: cur for code, (cur, _) in (figures or {}).items()}}
        missing = {
            f"{f.code}.current": ["必填;本期没有发生请填 0"]
            for f in checker.fields
            if f.required and current.get(f.code) is None
        }
        if missing and submission.status not in DONE:
            raise ValidationError({"values": missing})
        outcome = call_service(
            submit_report,
            actor=request.user,
            submission=submission,
            figures=figures,
            explanations=data.get("explanations"),
            source=SOURCE,
        )
        body = {
            "submitted": outcome.submitted,
            "already": outcome.already,
            "status": outcome.submission.status,
            "version": outcome.submission.version,
            "blocking": serializers.findings_data(outcome.blocking),
            "warnings_missing_explanation": serializers.findings_data(outcome.missing),
            "findings": serializers.findings_data(outcome.findings),
        }
        ok = outcome.submitted or outcome.already
        return Response(body, status=status.HTTP_200_OK if ok else status.HTTP_422_UNPROCESSABLE_ENTITY)

    @extend_schema(
        summary="审核通过",
        description="统计人员审核通过已报送的报表,数据锁定并计入指标;可附审核意见。"
        "带上读取时的 version:报表已被他人处理则返回 409,什么也不改。",
        request=serializers.ApproveSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: serializers.SubmissionSerializer,
            **SUBMISSION_ERRORS,
            409: serializers.DetailSerializer,
            422: KEY_REFUSED,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def approve(self, request, pk=None):
        submission = self.get_object()
        forbid(ensure_reviewer, request.user, submission)

        def act():
            data = self._input(serializers.ApproveSerializer)
            call_service(
                approve_submission,
                actor=request.user,
                submission=submission,
                version=data.get("version"),
                note=data.get("note", ""),
                source=SOURCE,
            )
            return Response(self._fresh(submission))

        return once(request, action="reporting.approve", submission=submission, act=act)

    @extend_schema(
        summary="退回",
        description="把已报送的报表退回企业修改,reason(退回原因)必填,企业填报员会收到通知并看到原因。"
        "带上读取时的 version:报表已被他人处理则返回 409。",
        request=serializers.ReturnSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: serializers.SubmissionSerializer,
            **SUBMISSION_ERRORS,
            409: serializers.DetailSerializer,
            422: KEY_REFUSED,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        submission = self.get_object()
        forbid(ensure_reviewer, request.user, submission)

        def act():
            data = self._input(serializers.ReturnSerializer)
            call_service(
                return_submission,
                actor=request.user,
                submission=submission,
                reason=data.get("reason", ""),
                version=data.get("version"),
                source=SOURCE,
            )
            return Response(self._fresh(submission))

        return once(request, action="reporting.return", submission=submission, act=act)


@extend_schema_view(
    list=extend_schema(
        summary="合理性核实清单",
        description="审核通过后全区合计的异常波动:增幅超过300%、降幅超过75%、单一企业占变动80%以上;"
        "发布前须逐条核实。企业填报员看不到。",
    ),
    retrieve=extend_schema(
        summary="一条合理性提示", description="异常波动的指标、类型、情况说明和核实情况。"
    ),
)
class PlausibilityFlagViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Zone totals flagged as implausible after approvals (增幅超过300%、降幅超过75%、单一企业占变动80%以上),
    to be reviewed with a note before the period is published."""

    queryset = PlausibilityFlag.objects.select_related(
        "period__form", "period__zone", "field", "dominant", "reviewed_by"
    ).order_by("period__zone__code", "period__form__code", "-period__code", "field__order")
    serializer_class = serializers.PlausibilityFlagSerializer
    filterset_class = PlausibilityFlagFilterSet

    @extend_schema(
        summary="核实",
        description="统计人员核实一条合理性提示,note(核实说明)必填;已核实的再次提交返回 409。",
        request=serializers.FlagReviewSerializer,
        responses={
            200: serializers.PlausibilityFlagSerializer,
            400: serializers.DetailSerializer,
            403: serializers.DetailSerializer,
            404: serializers.DetailSerializer,
            409: serializers.DetailSerializer,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def review(self, request, pk=None):
        flag = self.get_object()
        serializer = serializers.FlagReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_service(
            review_flag, actor=request.user, flag=flag, note=serializer.validated_data["note"], source=SOURCE
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=flag.pk)).data)
