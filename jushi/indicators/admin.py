from django.contrib import admin

from .models import DeptFigure, Indicator, Plan, Result, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "unit",
        "source",
        "aggregation",
        "growth_method",
        "price_basis",
        "is_active",
    ]
    list_filter = ["source", "growth_method", "is_active"]
    search_fields = ["code", "name"]


@admin.register(DeptFigure)
class DeptFigureAdmin(admin.ModelAdmin):
    list_display = ["zone", "indicator", "period", "value", "official_growth", "caliber", "is_synthetic"]
    list_filter = ["zone", "indicator"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["zone", "indicator", "year", "value", "growth"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "zone", "indicator", "base_year", "base_value", "multiple", "end_year"]


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["zone", "scope", "scope_key", "indicator", "period", "value", "growth", "growth_method"]
    list_filter = ["zone", "scope", "indicator"]
    readonly_fields = [f.name for f in Result._meta.fields]
