"""The catalog and the zones' figures in Django's admin: read-only except for national admins
(superusers). The pages and services are where zone staff change their own indicators, figures and
targets, each change logged with its zone; the admin would bypass that log."""

from django.contrib import admin

from jushi.core.admin_mixins import NationalOnly
from jushi.registry.models import Zone

from .models import DeptFigure, Indicator, Plan, Result, Target


class NationalOnlyAdmin(NationalOnly, admin.ModelAdmin):
    pass


class ZoneRowsAdmin(NationalOnlyAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(zone__in=Zone.objects.visible_to(request.user))


@admin.register(Indicator)
class IndicatorAdmin(NationalOnlyAdmin):
    list_display = [
        "code",
        "name",
        "zone",
        "unit",
        "source",
        "aggregation",
        "growth_method",
        "price_basis",
        "is_active",
    ]
    list_filter = ["source", "growth_method", "is_active"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return Indicator.objects.visible_to(request.user)


@admin.register(DeptFigure)
class DeptFigureAdmin(ZoneRowsAdmin):
    list_display = ["zone", "indicator", "period", "value", "official_growth", "caliber", "is_synthetic"]
    list_filter = ["zone", "indicator"]


@admin.register(Target)
class TargetAdmin(ZoneRowsAdmin):
    list_display = ["zone", "indicator", "year", "value", "growth"]


@admin.register(Plan)
class PlanAdmin(ZoneRowsAdmin):
    list_display = ["name", "zone", "indicator", "base_year", "base_value", "multiple", "end_year"]


@admin.register(Result)
class ResultAdmin(ZoneRowsAdmin):
    list_display = ["zone", "scope", "scope_key", "indicator", "period", "value", "growth", "growth_method"]
    list_filter = ["zone", "scope", "indicator"]
    readonly_fields = [f.name for f in Result._meta.fields]
