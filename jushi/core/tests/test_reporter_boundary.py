"""An enterprise reporter who opens a staff page gets the Chinese 403 page, in the shell, saying why and
where to go; the reporter's own pages and the API are untouched, and staff still see the staff pages."""

from django.test import Client
from django.urls import reverse

from jushi.core.middleware import REPORTER_MESSAGE
from jushi.core.testing import PersonaTestCase

STAFF_PAGES = [
    reverse("indicators:dashboard"),
    reverse("indicators:screen"),
    reverse("indicators:ranking"),
    reverse("indicators:figures"),
    reverse("indicators:targets"),
    reverse("indicators:catalog"),
    reverse("indicators:publications"),
    reverse("indicators:indicator", args=["gdp"]),
    reverse("projects:ledger"),
    reverse("projects:kanban"),
    reverse("chains:chain_list"),
    reverse("chains:gap_list"),
    reverse("registry:zone_detail", args=["kashgar"]),
    reverse("reporting:board"),
    reverse("reporting:review_queue"),
]


class ReporterOnStaffPagesTests(PersonaTestCase):
    def test_every_staff_page_is_a_chinese_403_with_the_way_to_my_reports(self):
        client = self.login(self.reporter_a)
        for url in STAFF_PAGES:
            with self.subTest(url):
                response = client.get(url)
                self.assertEqual(response.status_code, 403)
                body = response.content.decode()
                self.assertIn("403 无权访问", body)
                self.assertIn(REPORTER_MESSAGE, body)
                self.assertIn('aria-label="主导航"', body)  # inside the shell, with the navigation
                self.assertIn(
                    f'<a class="btn primary" href="{reverse("reporting:inbox")}">进入我的报表</a>', body
                )
                self.assertNotIn(self.ent_b.name, body)

    def test_a_write_to_a_staff_page_is_refused_before_the_view(self):
        response = self.login(self.reporter_a).post(reverse("indicators:figures"), {"zone": "kashgar"})
        self.assertEqual(response.status_code, 403)
        self.assertIn(REPORTER_MESSAGE, response.content.decode())

    def test_the_reporters_own_pages_still_open(self):
        client = self.login(self.reporter_a)
        for url in (
            reverse("core:home"),
            reverse("reporting:inbox"),
            reverse("reporting:form_list"),
            reverse("core:notifications"),
            reverse("registry:enterprise_detail", args=[self.ent_a.pk]),
            reverse("accounts:password_change"),
        ):
            with self.subTest(url):
                self.assertIn(client.get(url).status_code, (200, 302))
        self.assertEqual(
            client.get(reverse("registry:enterprise_detail", args=[self.ent_a.pk])).status_code, 200
        )

    def test_the_zone_overview_in_the_menu_takes_a_reporter_to_their_enterprise(self):
        response = self.login(self.reporter_a).get(reverse("registry:overview"))
        self.assertRedirects(response, reverse("registry:enterprise_detail", args=[self.ent_a.pk]))

    def test_the_api_is_not_affected(self):
        response = self.login(self.reporter_a).get("/api/indicators/indicators/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/json")

    def test_staff_and_leaders_still_see_the_staff_pages(self):
        for user in (self.reviewer, self.leader):
            client = self.login(user)
            for url in (
                reverse("indicators:screen"),
                reverse("indicators:dashboard"),
                reverse("projects:kanban"),
            ):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(client.get(url).status_code, 200)

    def test_a_staff_users_403_keeps_the_staff_wording_and_the_reason(self):
        response = self.login(self.leader).get(reverse("core:audit"))
        body = response.content.decode()
        self.assertEqual(response.status_code, 403)
        self.assertIn("您的角色或数据范围不包括此页面或此操作", body)
        self.assertIn("原因:只有开发区管理员和审计管理员可以查看审计日志", body)
        self.assertNotIn(REPORTER_MESSAGE, body)

    def test_a_reporters_404_and_csrf_pages_are_chinese_in_the_shell(self):
        self.client.force_login(self.reporter_a)
        body = self.client.get("/no-such-page/").content.decode()
        self.assertIn("404 页面不存在", body)
        self.assertIn('aria-label="主导航"', body)
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.reporter_a)
        response = client.post(reverse("reporting:inbox"))
        body = response.content.decode()
        self.assertEqual(response.status_code, 403)
        self.assertIn("页面已过期", body)
        self.assertIn('aria-label="主导航"', body)
