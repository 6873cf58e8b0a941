from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("聚势", {"fields": ("full_name", "role", "department", "phone")}))
