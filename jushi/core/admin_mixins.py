"""Django admin pieces shared by the apps."""


class NationalOnly:
    """National objects (forms, rules, the indicator catalog) in the admin: changed by national admins
    (superusers) only. Zone staff change their own through the pages, whose services log each change
    with its zone; the admin would bypass that log. Mix into a ModelAdmin or an inline."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
