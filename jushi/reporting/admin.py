"""Forms and rules in Django's admin: national objects are changed by national admins (superusers)
only; anyone else with admin access reads what their scope shows, and changes rules on the pages,
where the services log each change with its zone."""

from django.contrib import admin

from jushi.core.admin_mixins import NationalOnly
from jushi.registry.models import Zone

from .models import FormField, ReportForm, Rule, RuleOverride


class NationalOnlyAdmin(NationalOnly, admin.ModelAdmin):
    pass


class FormFieldInline(NationalOnly, admin.TabularInline):
    model = FormField
    extra = 0


@admin.register(ReportForm)
class ReportFormAdmin(NationalOnlyAdmin):
    list_display = ["code", "number", "name", "period_type", "obligation", "is_active"]
    inlines = [FormFieldInline]


@admin.register(Rule)
class RuleAdmin(NationalOnlyAdmin):
    list_display = ["form", "code", "name", "zone", "severity", "is_active"]
    list_filter = ["form", "zone", "severity", "is_active"]

    def get_queryset(self, request):
        return Rule.objects.visible_to(request.user).select_related("form", "zone")


@admin.register(RuleOverride)
class RuleOverrideAdmin(NationalOnlyAdmin):
    list_display = ["zone", "rule", "enabled", "reason", "changed_by", "changed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(zone__in=Zone.objects.visible_to(request.user))
