from jushi.core.scopes import NOBODY, Scope

from ..models import UserScope


def scope_for_user(user) -> Scope:
    # The three administrators (三员分立) hold no business data, whatever scope row an admin gave them.
    if getattr(user, "duty", None):
        return NOBODY
    try:
        row = UserScope.objects.get(user=user)
    except UserScope.DoesNotExist:
        return NOBODY
    if row.enterprise_id is not None:
        zone_id = row.enterprise.zone_id
        return Scope(zone_ids=frozenset({zone_id}), enterprise_id=row.enterprise_id)
    if row.all_zones:
        return Scope(all_zones=True)
    return Scope(zone_ids=frozenset(row.zones.values_list("id", flat=True)))
