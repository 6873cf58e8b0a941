"""Home pages by role: each demo login lands on its own work (registry.demo.DEMO_USERS, accounts.demo.DUTY_USERS)."""

import datetime as dt

from django.test import override_settings
from django.urls import reverse

from jushi.accounts.demo import DUTY_USERS
from jushi.accounts.models import User
from jushi.core.testing import PersonaTestCase
from jushi.lib.periods import Period
from jushi.registry.demo import DEMO_USERS, KASHGAR, SYNTHETIC_ZONE
from jushi.registry.models import UserScope
from jushi.reporting.models import Assignment, ReportForm, ReportingPeriod
from jushi.reporting.services.periods import open_period
from jushi.reporting.tests.base import ReportingTestCase

EXPECTED = {
    "admin": "indicators:dashboard",
    "tongji": "reporting:board",
    "zhaoshang": "projects:kanban",
    "leader": "indicators:dashboard",
    "qiye": "reporting:inbox",
    "qiye2": "reporting:inbox",
    "sheng": "indicators:ranking",
    "xitong": "admin:index",
    "anquan": "admin:index",
    "shenji": "core:audit",
}


class HomeByRoleTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        zones = {KASHGAR: cls.kashgar, SYNTHETIC_ZONE: cls.other}
        cls.demo = {}
        for username, _name, role, department, scope in DEMO_USERS:
            user = User.objects.create_user(f"demo-{username}", role=role, department=department)
            row = UserScope.objects.create(
                user=user, enterprise=cls.ent_a if scope[0] == "enterprise" else None
            )
            if scope[0] == "zones":
                row.zones.set([zones[code] for code in scope[1]])
            cls.demo[username] = user
        for username, _name, role, _where in DUTY_USERS:
            cls.demo[username] = User.objects.create_user(f"demo-{username}", role=role)

    def test_every_demo_login_lands_on_its_own_work(self):
        self.assertEqual(set(self.demo), set(EXPECTED))  # a new demo user needs its line here
        for username, name in EXPECTED.items():
            with self.subTest(username):
                response = self.login(self.demo[username]).get(reverse("core:home"))
                self.assertRedirects(response, reverse(name), fetch_redirect_response=False)

    def test_the_landing_pages_open_for_their_users(self):
        for username in ("admin", "tongji", "zhaoshang", "leader", "qiye", "sheng"):
            with self.subTest(username):
                response = self.login(self.demo[username]).get(reverse("core:home"), follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.resolver_match.view_name, EXPECTED[username])

    def test_the_zone_overview_stays_in_the_menu(self):
        for username in ("admin", "tongji", "zhaoshang", "leader", "sheng"):
            with self.subTest(username):
                response = self.login(self.demo[username]).get(reverse("core:home"), follow=True)
                self.assertContains(response, f'href="{reverse("registry:overview")}"')

    def test_a_superuser_with_every_zone_starts_at_the_ranking(self):
        root = User.objects.create_superuser("root", password="x")
        response = self.login(root).get(reverse("core:home"))
        self.assertRedirects(response, reverse("indicators:ranking"), fetch_redirect_response=False)


@override_settings(JUSHI_TODAY="2024-07-20")
class BoardOpensOnThePeriodBeingFilledTests(ReportingTestCase):
    def test_the_board_defaults_to_the_form_and_period_opened_last(self):
        quarterly = ReportForm.objects.get(code="svc-quarterly")
        Assignment.objects.create(form=quarterly, enterprise=self.ent_b)
        open_period(actor=self.admin, form=quarterly, zone=self.kashgar, period=Period.parse("2024Q2"))
        ReportingPeriod.objects.filter(pk=self.period.pk).update(
            opens_at=self.period.opens_at - dt.timedelta(days=5)
        )
        open_period(
            actor=self.admin, form=self.form, zone=self.kashgar, period=Period.parse("2024-07")
        )  # future
        response = self.login(self.reviewer).get(reverse("core:home"), follow=True)
        self.assertEqual((response.context["form"], response.context["period"].code), (quarterly, "2024Q2"))
        ReportingPeriod.objects.filter(form=quarterly).update(
            opens_at=self.period.opens_at - dt.timedelta(days=9)
        )
        response = self.login(self.reviewer).get(reverse("reporting:board"))
        self.assertEqual((response.context["form"], response.context["period"].code), (self.form, "2024-06"))
