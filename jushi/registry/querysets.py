from jushi.core.querysets import RestrictedQuerySet


class ZoneQuerySet(RestrictedQuerySet):
    zone_path = "id"


class ParkQuerySet(RestrictedQuerySet):
    zone_path = "zone"


class EnterpriseQuerySet(RestrictedQuerySet):
    zone_path = "zone"
    enterprise_path = "id"


class SizeMembershipQuerySet(RestrictedQuerySet):
    zone_path = "enterprise__zone"
    enterprise_path = "enterprise"
