from django.urls import reverse

from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase, make_code
from jushi.registry.models import Enterprise


class EnterpriseListTests(PersonaTestCase):
    def list(self, **params):
        response = self.login(self.admin).get(reverse("registry:enterprise_list"), params)
        self.assertEqual(response.status_code, 200)
        return [e.name for e in response.context["page"]]

    def test_filters_and_search(self):
        self.assertEqual(self.list(park="textile"), ["甲纺织有限公司"])
        self.assertEqual(self.list(industry="38"), ["乙锂电有限公司"])
        self.assertEqual(self.list(industry="C"), ["乙锂电有限公司", "甲纺织有限公司"])
        self.assertEqual(self.list(size_year="2024"), ["甲纺织有限公司"])
        self.assertEqual(self.list(q=self.ent_b.credit_code.lower()), ["乙锂电有限公司"])
        self.assertEqual(self.list(q="锂电"), ["乙锂电有限公司"])
        self.assertEqual(self.list(status="closed"), [])

    def test_list_is_paginated_with_a_fixed_number_of_queries(self):
        Enterprise.objects.bulk_create(
            [
                Enterprise(
                    zone=self.kashgar,
                    park=self.energy,
                    industry=self.battery,
                    name=f"企业{i:03d}",
                    credit_code=make_code(100 + i),
                )
                for i in range(60)
            ]
        )
        client = self.login(self.admin)
        client.get(reverse("registry:enterprise_list"))
        with self.assertNumQueries(11):  # + the unread-notification count in the shell, + the saved columns
            response = client.get(reverse("registry:enterprise_list"), {"page": 2})
        self.assertEqual(len(response.context["page"]), 25)
        self.assertEqual(response.context["page"].paginator.count, 62)


class EnterpriseEditTests(PersonaTestCase):
    def form_data(self, **overrides):
        data = {
            "zone": self.kashgar.pk,
            "park": self.textile.pk,
            "industry": self.cotton.code,
            "name": "丁纺织有限公司",
            "credit_code": make_code(9),
            "status": "operating",
            "size_years": "2023,2024",
            "reason": "",
        }
        data.update(overrides)
        return data

    def test_create_logs_the_change(self):
        response = self.login(self.reviewer).post(reverse("registry:enterprise_create"), self.form_data())
        enterprise = Enterprise.objects.get(name="丁纺织有限公司")
        self.assertRedirects(response, enterprise.get_absolute_url())
        self.assertEqual(enterprise.size_years(), [2023, 2024])
        log = ChangeLog.objects.for_object(enterprise).get()
        self.assertEqual((log.action, log.source, log.user_name), ("create", "web", "reviewer"))

    def test_bad_credit_code_is_refused_with_the_reason(self):
        response = self.login(self.reviewer).post(
            reverse("registry:enterprise_create"), self.form_data(credit_code="91350100M000100Y44")
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("校验位错误:第 18 位应为 3,实际为 4", response.context["form"].errors["credit_code"][0])
        self.assertFalse(Enterprise.objects.filter(name="丁纺织有限公司").exists())

    def test_duplicate_credit_code_is_refused(self):
        response = self.login(self.reviewer).post(
            reverse("registry:enterprise_create"), self.form_data(credit_code=self.ent_a.credit_code)
        )
        self.assertIn("credit_code", response.context["form"].errors)
        self.assertEqual(Enterprise.objects.filter(credit_code=self.ent_a.credit_code).count(), 1)

    def test_park_of_another_zone_is_refused(self):
        response = self.login(self.admin).post(
            reverse("registry:enterprise_create"), self.form_data(park=self.other_park.pk)
        )
        self.assertIn("park", response.context["form"].errors)

    def test_edit_records_before_after_and_reason(self):
        url = reverse("registry:enterprise_edit", args=[self.ent_a.pk])
        self.login(self.reviewer).post(
            url,
            self.form_data(
                name="甲纺织科技有限公司",
                credit_code=self.ent_a.credit_code,
                size_years="2024",
                reason="工商变更",
            ),
        )
        log = ChangeLog.objects.for_object(self.ent_a).get()
        self.assertEqual(log.reason, "工商变更")
        self.assertEqual(
            log.changes(),
            [("企业名称", "甲纺织有限公司", "甲纺织科技有限公司"), ("入区日期", "2019-05-01", None)],
        )
        page = self.client.get(self.ent_a.get_absolute_url())
        self.assertContains(page, "甲纺织科技有限公司")
        self.assertContains(page, "工商变更")

    def test_saving_unchanged_writes_no_log(self):
        url = reverse("registry:enterprise_edit", args=[self.ent_a.pk])
        self.login(self.reviewer).post(
            url,
            self.form_data(
                name=self.ent_a.name,
                credit_code=self.ent_a.credit_code,
                size_years="2024",
                entered_on="2019-05-01",
            ),
        )
        self.assertEqual(ChangeLog.objects.for_object(self.ent_a).count(), 0)

    def test_delete_needs_admin_and_reason(self):
        doomed = Enterprise.objects.create(
            zone=self.kashgar, name="戊贸易有限公司", credit_code=make_code(77)
        )
        url = reverse("registry:enterprise_delete", args=[doomed.pk])
        self.assertEqual(self.login(self.reviewer).post(url, {"reason": "x"}).status_code, 404)
        response = self.login(self.admin).post(url, {"reason": ""})
        self.assertContains(response, "请填写删除原因")
        self.assertTrue(Enterprise.objects.filter(pk=doomed.pk).exists())
        self.client.post(url, {"reason": "迁出注销"})
        self.assertFalse(Enterprise.objects.filter(pk=doomed.pk).exists())
        log = ChangeLog.objects.get(action="delete")
        self.assertEqual(
            (log.object_repr, log.reason, log.before["name"]),
            ("戊贸易有限公司", "迁出注销", "戊贸易有限公司"),
        )

    def test_overview_and_zone_pages_render(self):
        client = self.login(self.admin)
        self.assertContains(client.get(reverse("registry:overview")), "喀什经济开发区")
        self.assertContains(client.get(reverse("registry:zone_detail", args=["kashgar"])), "纺织家纺产业园")


class DeleteGuardTests(PersonaTestCase):
    def test_enterprise_with_reporter_accounts_is_not_deleted(self):
        response = self.login(self.admin).post(
            reverse("registry:enterprise_delete", args=[self.ent_a.pk]), {"reason": "注销"}
        )
        self.assertContains(response, "该企业仍有 1 个企业填报账号", status_code=409)
        self.assertTrue(Enterprise.objects.filter(pk=self.ent_a.pk).exists())
        self.assertEqual(ChangeLog.objects.count(), 0)


class OverviewTests(PersonaTestCase):
    def test_overview_counts_each_zone_in_a_fixed_number_of_queries(self):
        self.login(self.admin).get(reverse("registry:overview"))
        with self.assertNumQueries(10):  # + the unread-notification count in the shell
            one = self.client.get(reverse("registry:overview"))
        self.login(self.regional).get(reverse("registry:overview"))
        with self.assertNumQueries(10):  # + the unread-notification count in the shell
            both = self.client.get(reverse("registry:overview"))
        self.assertEqual([s["totals"]["total"] for s in one.context["summaries"]], [2])
        summaries = {s["zone"].code: s for s in both.context["summaries"]}
        self.assertEqual(
            (summaries["kashgar"]["totals"]["total"], summaries["other"]["totals"]["total"]), (2, 1)
        )
        self.assertEqual((both.context["year"], summaries["kashgar"]["size_this"]), (2024, 1))
        self.assertEqual(
            [(p.code, p.n) for p in summaries["kashgar"]["parks"]], [("energy", 1), ("textile", 1)]
        )
