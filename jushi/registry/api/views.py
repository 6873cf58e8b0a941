from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
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


class ZoneViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Zone.objects.select_related("region")
    serializer_class = serializers.ZoneSerializer
    filterset_class = ZoneFilterSet
    lookup_field = "code"


class ParkViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Park.objects.select_related("zone")
    serializer_class = serializers.ParkSerializer
    filterset_class = ParkFilterSet


class IndustryViewSet(viewsets.ReadOnlyModelViewSet):
    """GB/T 4754-2017 reference data: the same for every user."""

    queryset = Industry.objects.select_related("parent")
    serializer_class = serializers.IndustrySerializer
    filterset_class = IndustryFilterSet
    lookup_field = "code"


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
