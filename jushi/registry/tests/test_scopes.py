from django.urls import reverse

from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase
from jushi.lib.tabular import read_table
from jushi.registry.models import Enterprise


class EnterpriseReporterScopeTests(PersonaTestCase):
    def test_reporter_lists_only_its_own_enterprise(self):
        response = self.login(self.reporter_a).get(reverse("registry:enterprise_list"))
        self.assertEqual([e.pk for e in response.context["page"]], [self.ent_a.pk])

    def test_reporter_api_lists_only_its_own_enterprise(self):
        data = self.login(self.reporter_a).get("/api/enterprises/").json()
        self.assertEqual([r["credit_code"] for r in data["results"]], [self.ent_a.credit_code])

    def test_reporter_export_holds_only_its_own_enterprise(self):
        response = self.login(self.reporter_a).get(reverse("registry:enterprise_export") + "?format=csv")
        table = read_table(response.content, "x.csv", max_bytes=10**6)
        self.assertEqual([r["统一社会信用代码"] for r in table.rows], [self.ent_a.credit_code])

    def test_enterprise_user_cannot_see_other_enterprise(self):
        client = self.login(self.reporter_b)
        self.assertEqual(
            client.get(reverse("registry:enterprise_detail", args=[self.ent_a.pk])).status_code, 404
        )
        self.assertEqual(client.get(f"/api/enterprises/{self.ent_a.pk}/").status_code, 404)
        response = client.get(
            reverse("registry:enterprise_export") + f"?format=csv&q={self.ent_a.credit_code}"
        )
        self.assertEqual(
            read_table(response.content, "x.csv", max_bytes=10**6).rows
            if b"\n" in response.content.strip()
            else [],
            [],
        )

    def test_reporter_cannot_change_any_enterprise_and_nothing_changes(self):
        client = self.login(self.reporter_a)
        logs = ChangeLog.objects.count()
        response = client.post(reverse("registry:enterprise_edit", args=[self.ent_a.pk]), {"name": "改名"})
        self.assertEqual(response.status_code, 404)
        response = client.patch(
            f"/api/enterprises/{self.ent_a.pk}/", {"name": "改名"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 403)
        response = client.delete(f"/api/enterprises/{self.ent_b.pk}/")
        self.assertEqual(response.status_code, 403)
        self.ent_a.refresh_from_db()
        self.assertEqual(self.ent_a.name, "甲纺织有限公司")
        self.assertTrue(Enterprise.objects.filter(pk=self.ent_b.pk).exists())
        self.assertEqual(ChangeLog.objects.count(), logs)

    def test_reporter_lands_on_what_is_due(self):
        response = self.login(self.reporter_a).get("/")
        self.assertRedirects(response, reverse("reporting:inbox"))


class ZoneScopeTests(PersonaTestCase):
    def test_zone_admin_sees_only_its_zone(self):
        response = self.login(self.admin).get(reverse("registry:enterprise_list"))
        self.assertEqual({e.pk for e in response.context["page"]}, {self.ent_a.pk, self.ent_b.pk})
        self.assertEqual(self.client.get(f"/api/enterprises/{self.ent_c.pk}/").status_code, 404)
        self.assertEqual(self.client.get(reverse("registry:zone_detail", args=["other"])).status_code, 404)

    def test_regional_user_sees_several_zones_and_changes_none(self):
        response = self.login(self.regional).get("/api/zones/")
        self.assertEqual([z["code"] for z in response.json()["results"]], ["kashgar", "other"])
        response = self.client.get(reverse("registry:enterprise_list"))
        self.assertEqual(response.context["page"].paginator.count, 3)
        response = self.client.post(reverse("registry:enterprise_edit", args=[self.ent_c.pk]), {"name": "x"})
        self.assertEqual(response.status_code, 404)

    def test_leader_reads_but_cannot_create(self):
        client = self.login(self.leader)
        self.assertEqual(client.get(reverse("registry:enterprise_create")).status_code, 403)
        before = Enterprise.objects.count()
        response = client.post(
            "/api/enterprises/",
            {"name": "x", "credit_code": "91350100M000100Y43", "zone": "kashgar"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Enterprise.objects.count(), before)

    def test_staff_cannot_create_in_a_zone_outside_its_scope(self):
        client = self.login(self.reviewer)
        before = Enterprise.objects.count()
        response = client.post(
            "/api/enterprises/",
            {"name": "越界公司", "credit_code": "91350100M000100Y43", "zone": "other"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("zone", response.json())
        self.assertEqual(Enterprise.objects.count(), before)

    def test_audit_page_is_for_admins_and_scoped_to_their_zone(self):
        self.assertEqual(self.login(self.reviewer).get(reverse("core:audit")).status_code, 403)
        self.login(self.admin).post(
            reverse("registry:enterprise_edit", args=[self.ent_a.pk]),
            {
                "zone": self.kashgar.pk,
                "name": "甲纺织科技有限公司",
                "credit_code": self.ent_a.credit_code,
                "status": "operating",
                "reason": "更名",
            },
        )
        response = self.login(self.other_admin).get(reverse("core:audit"))
        self.assertEqual(response.context["page"].paginator.count, 0)
        response = self.login(self.admin).get(reverse("core:audit"))
        self.assertEqual(response.context["page"].paginator.count, 1)
