"""Test personas, built once per test class (healthchecks' alice/bob/charlie, in our domain).

kashgar: a zone with parks `textile` and `energy`; enterprises ent_a (textile, 2024 规上) and ent_b (energy).
other: a second zone with ent_c. Users: admin (kashgar admin), reviewer (kashgar statistics staff),
leader (kashgar, read-only), reporter_a (ent_a only), reporter_b (ent_b only), regional (both zones),
other_admin (other zone's admin).
"""

import datetime as dt

from django.test import TestCase

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.lib import uscc

PASSWORD = "test-pass-123"


def make_code(serial: int, region: str = "653101") -> str:
    return uscc.complete(f"91{region}{serial:09d}")


class PersonaTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        from jushi.registry.choices import ZoneLevel, ZoneType
        from jushi.registry.models import Enterprise, Industry, Park, Region, SizeMembership, UserScope, Zone

        region = Region.objects.create(code="653101", name="喀什市", level="county")
        cls.kashgar = Zone.objects.create(
            code="kashgar",
            name="喀什经济开发区",
            short_name="喀什经开区",
            level=ZoneLevel.NATIONAL,
            kind=ZoneType.ETDZ,
            region=region,
        )
        cls.other = Zone.objects.create(
            code="other", name="另一开发区", level=ZoneLevel.PROVINCIAL, kind=ZoneType.HIGHTECH, region=region
        )
        cls.textile = Park.objects.create(zone=cls.kashgar, code="textile", name="纺织家纺产业园")
        cls.energy = Park.objects.create(zone=cls.kashgar, code="energy", name="新能源产业园")
        cls.other_park = Park.objects.create(zone=cls.other, code="core", name="核心区")
        cls.cotton = Industry.objects.get(code="1711")
        cls.battery = Industry.objects.get(code="3841")
        cls.ent_a = Enterprise.objects.create(
            zone=cls.kashgar,
            park=cls.textile,
            industry=cls.cotton,
            name="甲纺织有限公司",
            credit_code=make_code(1),
            entered_on=dt.date(2019, 5, 1),
        )
        cls.ent_b = Enterprise.objects.create(
            zone=cls.kashgar,
            park=cls.energy,
            industry=cls.battery,
            name="乙锂电有限公司",
            credit_code=make_code(2),
        )
        cls.ent_c = Enterprise.objects.create(
            zone=cls.other,
            park=cls.other_park,
            industry=cls.battery,
            name="丙电池有限公司",
            credit_code=make_code(3),
        )
        SizeMembership.objects.create(enterprise=cls.ent_a, year=2024)

        def user(username, role, *, zones=(), enterprise=None, all_zones=False, department=""):
            u = User.objects.create_user(username, password=PASSWORD, role=role, department=department)
            scope = UserScope.objects.create(user=u, enterprise=enterprise, all_zones=all_zones)
            scope.zones.set(zones)
            return u

        cls.admin = user("admin", Role.ADMIN, zones=[cls.kashgar])
        cls.reviewer = user("reviewer", Role.STAFF, zones=[cls.kashgar], department=Department.ECONOMY)
        cls.leader = user("leader", Role.LEADER, zones=[cls.kashgar])
        cls.reporter_a = user("reporter_a", Role.REPORTER, enterprise=cls.ent_a)
        cls.reporter_b = user("reporter_b", Role.REPORTER, enterprise=cls.ent_b)
        cls.regional = user("regional", Role.REGIONAL, zones=[cls.kashgar, cls.other])
        cls.other_admin = user("other_admin", Role.ADMIN, zones=[cls.other])

    def login(self, user):
        self.client.force_login(user)
        return self.client
