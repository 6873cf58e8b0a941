from django.db import models

from . import scopes


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how its rows belong to zones and enterprises.

    `visible_to(user)` is what the user may read; `restrict(user, action)` is what the user may do
    `action` on (view, add, change, delete, import, export, audit). Every page, API endpoint, export and
    command starts from one of the two.
    """

    zone_path: str | None = "zone"  # lookup from this model to its zone's id; None: not zone-bound
    enterprise_path: str | None = None  # lookup to the enterprise's id, for enterprise reporters

    def visible_to(self, user):
        scope = scopes.scope_of(user)
        if scope == scopes.NOBODY:
            return self.none()
        if scope.enterprise_id is not None and self.enterprise_path:
            return self.filter(**{self.enterprise_path: scope.enterprise_id})
        if scope.all_zones or self.zone_path is None:
            return self
        return self.filter(**{f"{self.zone_path}__in": scope.zone_ids})

    def restrict(self, user, action: str = "view"):
        if not scopes.can(user, action):
            return self.none()
        return self.visible_to(user)
