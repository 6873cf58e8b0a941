"""The Django admin (/django-admin/) is where the three administrators (三员) work.

Each ModelAdmin says by role what it lets them do, so no Django permission rows need keeping:
- 系统管理员 (sysadmin): creates and edits accounts (names, contact, password, active), never a role, a
  superuser flag or the accounts of the other two duties.
- 安全管理员 (secadmin): gives roles, lifts lockouts, resets two-factor; edits nobody's personal data, nor
  their own account. Scopes (which zones) are the registry's UserScope.
- 审计管理员 (auditadmin): reads accounts and the login records, changes nothing.
Superusers keep Django's defaults. Business data has no admin for any of the three.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied

from . import services
from .choices import DUTY_ROLES, Role
from .models import User

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"


class DutyAdminMixin:
    """Admin rights by role instead of by Django permission rows; superusers keep Django's own."""

    duty_rights: dict[str, frozenset[str]] = {}

    def _allowed(self, request, right: str, default) -> bool:
        user = request.user
        if user.is_superuser:
            return default()
        return user.is_active and right in self.duty_rights.get(user.role, frozenset())

    def has_module_permission(self, request):
        return self._allowed(
            request, VIEW, lambda: super(DutyAdminMixin, self).has_module_permission(request)
        )

    def has_view_permission(self, request, obj=None):
        return self._allowed(
            request, VIEW, lambda: super(DutyAdminMixin, self).has_view_permission(request, obj)
        ) or self.has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._allowed(
            request, ADD, lambda: super(DutyAdminMixin, self).has_add_permission(request, *args)
        )

    def has_change_permission(self, request, obj=None):
        return self._allowed(
            request, CHANGE, lambda: super(DutyAdminMixin, self).has_change_permission(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return self._allowed(
            request, DELETE, lambda: super(DutyAdminMixin, self).has_delete_permission(request, obj)
        )


SYSADMIN_READONLY = (
    "role",
    "is_superuser",
    "is_staff",
    "groups",
    "user_permissions",
    "last_login",
    "date_joined",
    "password_changed_at",
)


@admin.register(User)
class UserAdmin(DutyAdminMixin, BaseUserAdmin):
    list_display = ("username", "full_name", "role", "department", "is_active", "last_login")
    list_filter = ("role", "department", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("聚势", {"fields": ("full_name", "role", "department", "phone", "password_changed_at")}),
    )
    actions = ["unlock_login", "reset_two_factor"]
    duty_rights = {
        Role.SYSADMIN: frozenset({VIEW, ADD, CHANGE}),
        Role.SECADMIN: frozenset({VIEW, CHANGE}),
        Role.AUDITADMIN: frozenset({VIEW}),
    }

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        actor = request.user
        if obj is None or actor.is_superuser:
            return True
        if obj.is_superuser:
            return False  # only a superuser touches a superuser
        if actor.role == Role.SYSADMIN:
            return obj.role not in (Role.SECADMIN, Role.AUDITADMIN)  # no reach into the other duties
        if actor.role == Role.SECADMIN:
            return obj.pk != actor.pk  # no raising of one's own rights
        return False

    def get_readonly_fields(self, request, obj=None):
        actor = request.user
        if actor.is_superuser:
            return ("password_changed_at",)
        if actor.role == Role.SECADMIN:
            editable = {"role", "is_active"}
            names = [f for _name, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]
            return tuple(f for f in names if f not in editable)
        return SYSADMIN_READONLY

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not services.is_security_admin(request.user):
            actions.pop("unlock_login", None)
            actions.pop("reset_two_factor", None)
        return actions

    def save_model(self, request, obj, form, change):
        # Leaving a duty role leaves the admin too; a superuser's flags are the superuser's business.
        if not request.user.is_superuser:
            obj.is_staff = obj.role in DUTY_ROLES
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is account administration: not the security or audit duty.
        if not (request.user.is_superuser or request.user.role == Role.SYSADMIN):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description="解除所选用户的登录锁定")
    def unlock_login(self, request, queryset):
        count = sum(services.unlock(u.username, actor=request.user) for u in queryset)
        self.message_user(request, f"已解除 {queryset.count()} 个账号的登录锁定(清除 {count} 条失败记录)")

    @admin.action(description="重置所选用户的双因素认证(须重新绑定)")
    def reset_two_factor(self, request, queryset):
        done = [u.username for u in queryset if services.reset_two_factor(u, actor=request.user)]
        if done:
            self.message_user(request, f"已重置双因素认证:{'、'.join(done)};下次登录时须重新绑定")
        else:
            self.message_user(request, "所选用户都未绑定双因素认证", level=messages.WARNING)


# Login records: the security administrator lifts lockouts (deletes an attempt row); the auditor reads.
for model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(DutyAdminMixin, axes_admin.AccessAttemptAdmin):
    duty_rights = {Role.SECADMIN: frozenset({VIEW, DELETE}), Role.AUDITADMIN: frozenset({VIEW})}


@admin.register(AccessLog)
class AccessLogAdmin(DutyAdminMixin, axes_admin.AccessLogAdmin):
    duty_rights = {Role.SECADMIN: frozenset({VIEW}), Role.AUDITADMIN: frozenset({VIEW})}


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(DutyAdminMixin, axes_admin.AccessFailureLogAdmin):
    duty_rights = {Role.SECADMIN: frozenset({VIEW}), Role.AUDITADMIN: frozenset({VIEW})}
