from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from jushi.core.choices import ChangeSource

from ..filtersets import EnterpriseFilterSet, IndustryFilterSet, ParkFilterSet, ZoneFilterSet
from ..models import Enterprise, Industry, Park, Zone
from ..services.enterprises import (
    EnterpriseInUse,
    create_enterprise,
    delete_enterprise,
    enterprise_snapshot,
    update_enterprise,
)
from . import serializers

ACTIONS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class InUseError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "该企业仍有关联数据,不能删除"
    default_code = "in_use"


class RestrictedViewSetMixin:
    """Every API queryset starts from restrict(user, action), like the pages."""

    def get_queryset(self):
        action = ACTIONS.get(self.action, "view")
        if action != "view" and not self.request.user.can(action):
            raise PermissionDenied("无权执行此操作")
        return self.queryset.restrict(self.request.user, action)


@extend_schema_view(
    list=extend_schema(
        summary="开发区",
        description="用户工作范围内的开发区(省级用户为全部所辖开发区);可按级别、类型筛选。",
    ),
    retrieve=extend_schema(summary="一个开发区(按代码)", description="开发区的名称、级别、类型和所在地区。"),
)
class ZoneViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Zone.objects.select_related("region")
    serializer_class = serializers.ZoneSerializer
    filterset_class = ZoneFilterSet
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(summary="园区", description="用户可见开发区内的园区;可按开发区代码、类型筛选。"),
    retrieve=extend_schema(summary="一个园区", description="园区的代码、名称、类型和所属开发区。"),
)
class ParkViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Park.objects.select_related("zone")
    serializer_class = serializers.ParkSerializer
    filterset_class = ParkFilterSet


@extend_schema_view(
    list=extend_schema(
        summary="行业分类",
        description="国民经济行业分类(GB/T 4754-2017)的门类、大类、中类、小类,人人相同;"
        "可按层级、上级或名称、代码搜索。",
    ),
    retrieve=extend_schema(summary="一个行业(按代码)", description="行业的名称、层级和上级。"),
)
class IndustryViewSet(viewsets.ReadOnlyModelViewSet):
    """GB/T 4754-2017 reference data: the same for every user."""

    queryset = Industry.objects.select_related("parent")
    serializer_class = serializers.IndustrySerializer
    filterset_class = IndustryFilterSet
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(
        summary="企业名录",
        description="用户可见的企业(企业填报员只有本企业);可按名称或信用代码、开发区、园区、行业(含下级)、"
        "状态、规上年份、导入批次筛选。",
    ),
    retrieve=extend_schema(
        summary="一家企业", description="企业的名称、信用代码、所在开发区和园区、行业、状态、各年是否规上等。"
    ),
    create=extend_schema(
        summary="登记企业",
        description="在本开发区登记一家企业;统一社会信用代码须校验通过且不重复,错误按字段列出。"
        "可附 reason(原因),记入变更日志。",
    ),
    update=extend_schema(summary="修改企业(全部字段)", description="与登记相同的校验;变更记入变更日志。"),
    partial_update=extend_schema(
        summary="修改企业(部分字段)", description="只改给出的字段;变更记入变更日志。"
    ),
    destroy=extend_schema(
        summary="删除企业",
        description="只有开发区管理员可删除;已有报表、项目等数据的企业不能删除(返回 409),应改为注销或迁出。"
        "原因可用查询参数或请求体中的 reason 给出。",
    ),
)
class EnterpriseViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    queryset = Enterprise.objects.select_related("zone", "park", "industry").prefetch_related(
        "size_memberships"
    )
    serializer_class = serializers.EnterpriseSerializer
    filterset_class = EnterpriseFilterSet

    def create(self, request, *args, **kwargs):
        if not request.user.can("add"):
            raise PermissionDenied("无权新建企业")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            saved = create_enterprise(
                actor=request.user,
                enterprise=data["instance"],
                size_years=data.get("size_years"),
                source=ChangeSource.API,
                reason=data.get("reason", ""),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(self.get_serializer(saved.enterprise).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        enterprise = self.get_object()
        before = enterprise_snapshot(enterprise)
        serializer = self.get_serializer(enterprise, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            saved = update_enterprise(
                actor=request.user,
                enterprise=data["instance"],
                before=before,
                size_years=data.get("size_years"),
                source=ChangeSource.API,
                reason=data.get("reason", ""),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        saved.enterprise.refresh_from_db()
        return Response(self.get_serializer(saved.enterprise).data)

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="企业已有报表等数据,不能删除(改为注销或迁出);什么也没改"),
        }
    )
    def destroy(self, request, *args, **kwargs):
        enterprise = self.get_object()
        body_reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        reason = request.query_params.get("reason") or body_reason
        try:
            delete_enterprise(
                actor=request.user,
                enterprise=enterprise,
                source=ChangeSource.API,
                reason=reason or "通过接口删除",
            )
        except EnterpriseInUse as exc:
            raise InUseError(exc.messages[0]) from exc
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
