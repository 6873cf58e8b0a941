"""Reference data and scopes in Django's admin site (superusers). Enterprises are kept on our own pages,
whose services write the change log; the admin site keeps its own history for what it edits."""

from django.contrib import admin

from .models import Park, Region, UserScope, Zone


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    search_fields = ("code", "name")


class ParkInline(admin.TabularInline):
    model = Park
    extra = 0


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "region", "is_synthetic")
    inlines = [ParkInline]


@admin.register(UserScope)
class UserScopeAdmin(admin.ModelAdmin):
    list_display = ("user", "all_zones", "enterprise")
    filter_horizontal = ("zones",)
    autocomplete_fields = ()
    raw_id_fields = ("enterprise",)
