"""Switching a check rule off asks first, saying what will change; switching it back on is direct."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from jushi.core.models import ChangeLog
from jushi.reporting.models import Rule, RuleOverride

from .base import ReportingTestCase


class RuleSwitchConfirmTests(ReportingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.national = Rule.objects.get(form=cls.form, code="export_within_sales")
        cls.own = Rule.objects.create(
            form=cls.form,
            zone=cls.kashgar,
            code="cost_share",
            name="成本占比",
            expression="cost <= revenue",
            message="成本 {cost}",
            severity="warning",
        )

    def url(self, rule):
        return reverse("reporting:rule_toggle", args=[rule.pk])

    def test_switching_a_national_rule_off_in_a_zone_asks_and_says_what_changes(self):
        client = self.login(self.reviewer)
        data = {"active": "0", "zone": "kashgar", "reason": "本区出口按海关口径核对"}
        response = client.post(self.url(self.national), data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(RuleOverride.objects.exists())  # nothing changed yet
        self.assertContains(response, f"在喀什经济开发区停用规则“{self.national.name}”?")
        self.assertContains(
            response,
            f"喀什经济开发区今后报送(含导入)的“{self.form.name}”不再执行全国规则“{self.national.name}”"
            f"(export_within_sales);全国其他开发区照常执行。",
        )
        self.assertContains(response, "已报送和已审核的报表不受影响")
        self.assertContains(response, "停用原因“本区出口按海关口径核对”记入变更日志。")
        # The confirmation re-posts the same fields, the reason included.
        self.assertContains(response, '<input type="hidden" name="reason" value="本区出口按海关口径核对">')
        self.assertContains(response, '<input type="hidden" name="confirmed" value="1">')
        client.post(self.url(self.national), {**data, "confirmed": "1"})
        override = RuleOverride.objects.get(rule=self.national)
        self.assertEqual((override.enabled, override.reason), (False, "本区出口按海关口径核对"))

    def test_a_missing_reason_is_refused_before_asking(self):
        response = self.login(self.reviewer).post(
            self.url(self.national), {"active": "0", "zone": "kashgar"}, follow=True
        )
        self.assertContains(response, "原因:在本开发区停用全国规则须说明原因")
        self.assertNotContains(response, "确认停用")
        self.assertFalse(RuleOverride.objects.exists())

    def test_switching_back_on_is_direct(self):
        client = self.login(self.reviewer)
        data = {"active": "0", "zone": "kashgar", "reason": "另行核对", "confirmed": "1"}
        client.post(self.url(self.national), data)
        response = client.post(self.url(self.national), {"active": "1", "zone": "kashgar"})
        self.assertRedirects(response, self.form.get_absolute_url() + "#rules", fetch_redirect_response=False)
        self.assertTrue(RuleOverride.objects.get(rule=self.national).enabled)

    def test_a_zones_own_rule_asks_too_and_names_the_zone(self):
        client = self.login(self.reviewer)
        before = ChangeLog.objects.filter(content_type__model="rule").count()
        response = client.post(self.url(self.own), {"active": "0"})
        self.assertContains(response, "喀什经济开发区今后报送(含导入)的")
        self.assertContains(response, "不再执行本开发区规则“成本占比”(cost_share)。")
        self.own.refresh_from_db()
        self.assertTrue(self.own.is_active)
        self.assertEqual(ChangeLog.objects.filter(content_type__model="rule").count(), before)
        client.post(self.url(self.own), {"active": "0", "confirmed": "1"})
        self.own.refresh_from_db()
        self.assertFalse(self.own.is_active)
        client.post(self.url(self.own), {"active": "1"})
        self.own.refresh_from_db()
        self.assertTrue(self.own.is_active)

    def test_a_national_admin_is_told_every_zone_changes(self):
        root = get_user_model().objects.create_superuser("national", password="x" * 12)
        response = self.login(root).post(self.url(self.national), {"active": "0"})
        self.assertContains(response, "全部开发区今后报送(含导入)的")
        self.national.refresh_from_db()
        self.assertTrue(self.national.is_active)

    def test_those_who_may_not_switch_are_refused_not_asked(self):
        for user in (self.leader, self.reporter_a):
            with self.subTest(user.username):
                response = self.login(user).post(self.url(self.own), {"active": "0"})
                self.assertEqual(response.status_code, 403)
                self.assertNotContains(response, "确认停用", status_code=403)
        self.own.refresh_from_db()
        self.assertTrue(self.own.is_active)
