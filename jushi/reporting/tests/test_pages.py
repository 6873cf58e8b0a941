from django.urls import reverse

from jushi.reporting.choices import Status
from jushi.reporting.models import Rule, Value
from jushi.reporting.services.submissions import return_submission, submit_report

from .base import WEB, ReportingTestCase, good_figures


def post_figures(figures, **extra):
    data = {}
    for code, (now, ly) in figures.items():
        data[code], data[f"{code}__ly"] = str(now), str(ly)
    data.update(extra)
    return data


class ReporterPageTests(ReportingTestCase):
    def test_inbox_shows_what_is_due_and_by_when(self):
        response = self.login(self.reporter_a).get(reverse("reporting:inbox"))
        self.assertContains(response, "已逾期,请尽快补报")  # 2024-07-16 has passed
        self.assertContains(response, "2024-07-16 12:00")
        self.assertContains(response, self.sub_a.get_absolute_url())

    def test_form_shows_units_and_prefills_nothing_it_does_not_know(self):
        response = self.login(self.reporter_a).get(self.sub_a.get_absolute_url())
        self.assertContains(response, 'name="gross_output"')
        self.assertContains(response, "千元")
        self.assertContains(response, "万千瓦时")

    def test_live_check_returns_findings_without_saving(self):
        figures = good_figures()
        figures["export_value"] = ("99999", "400")
        url = reverse("reporting:submission_check", args=[self.sub_a.pk])
        response = self.login(self.reporter_a).post(url, post_figures(figures), HTTP_HX_REQUEST="true")
        self.assertContains(response, "强制性错误")
        self.assertContains(response, "出口交货值 99,999 大于工业销售产值 9,800")
        self.assertContains(response, 'id="mark-export_value" class="mark bad" hx-swap-oob="true"')
        self.assertFalse(Value.objects.exists())

    def test_text_in_a_number_keeps_what_was_typed_and_saves_the_rest(self):
        data = post_figures(good_figures(), action="submit")
        data["gross_output"] = "一万"
        response = self.login(self.reporter_a).post(self.sub_a.get_absolute_url(), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "“一万”不是数字", status_code=400)
        self.assertContains(response, 'value="一万"', status_code=400)
        self.assertEqual(self.fresh().status, Status.DRAFT)
        self.assertTrue(Value.objects.filter(field__code="revenue", current=10100).exists())

    def test_submit_from_the_page(self):
        response = self.login(self.reporter_a).post(
            self.sub_a.get_absolute_url(), post_figures(good_figures(), action="submit")
        )
        self.assertRedirects(response, self.sub_a.get_absolute_url())
        self.assertEqual(self.fresh().status, Status.SUBMITTED)

    def test_other_reporter_sees_nothing_of_a(self):
        client = self.login(self.reporter_b)
        self.assertEqual(client.get(self.sub_a.get_absolute_url()).status_code, 404)
        response = client.post(self.sub_a.get_absolute_url(), post_figures(good_figures(), action="submit"))
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Value.objects.exists())


class StaffPageTests(ReportingTestCase):
    def test_review_queue_then_return_with_reason_shown_to_the_enterprise(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        client = self.login(self.reviewer)
        self.assertContains(client.get(reverse("reporting:review_queue")), "甲纺织有限公司")
        page = client.get(self.sub_a.get_absolute_url())
        self.assertContains(page, 'id="return-form"')
        self.assertNotContains(page, 'name="gross_output"')  # staff never edit figures
        version = self.fresh().version
        client.post(
            reverse("reporting:submission_return", args=[self.sub_a.pk]),
            {"reason": "请核实用电量", "version": version},
        )
        self.assertEqual(self.fresh().status, Status.RETURNED)
        response = self.login(self.reporter_a).get(reverse("reporting:inbox"))
        self.assertContains(response, "退回原因:请核实用电量")

    def test_stale_approve_is_refused_with_a_message(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        stale = self.fresh().version
        return_submission(actor=self.admin, submission=self.sub_a, reason="先退回", source=WEB)
        response = self.login(self.reviewer).post(
            reverse("reporting:submission_approve", args=[self.sub_a.pk]), {"version": stale}, follow=True
        )
        self.assertContains(response, "报表刚被其他人处理,本次操作未生效")
        self.assertEqual(self.fresh().status, Status.RETURNED)

    def test_board_counts_due_done_owed_late(self):
        response = self.login(self.reviewer).get(
            reverse("reporting:board"), {"form": "ind-monthly", "zone": "kashgar"}
        )
        totals = response.context["totals"]
        self.assertEqual((totals["due"], totals["done"], totals["owed"], totals["late"]), (1, 0, 1, 1))
        self.assertContains(response, "甲纺织有限公司")

    def test_staff_add_a_rule_and_a_bad_expression_is_explained(self):
        url = reverse("reporting:form_detail", args=["ind-monthly"])
        client = self.login(self.reviewer)
        data = {
            "code": "cost_share",
            "name": "成本占比",
            "severity": "warning",
            "applies_to": "form",
            "message": "成本 {cost}",
        }
        response = client.post(url, {**data, "expression": "cost <= revenu"})
        self.assertContains(response, "未知的字段或名称“revenu”")
        self.assertFalse(Rule.objects.filter(code="cost_share").exists())
        response = client.post(url, {**data, "expression": "cost <= (revenue > 0)"})
        self.assertContains(response, "表达式无法计算")
        response = client.post(url, {**data, "expression": "cost - revenue"})
        self.assertContains(response, "审核公式应是一个条件")
        self.assertFalse(Rule.objects.filter(code="cost_share").exists())
        client.post(url, {**data, "expression": "cost <= revenue"})
        rule = Rule.objects.get(code="cost_share")
        url = reverse("reporting:rule_toggle", args=[rule.pk])
        self.assertContains(client.post(url, {"active": "0"}), "确认停用")  # asks first
        rule.refresh_from_db()
        self.assertTrue(rule.is_active)
        client.post(url, {"active": "0", "confirmed": "1"})
        rule.refresh_from_db()
        self.assertFalse(rule.is_active)

    def test_reporters_cannot_change_rules(self):
        rule = Rule.objects.filter(form=self.form).first()
        response = self.login(self.reporter_a).post(
            reverse("reporting:rule_toggle", args=[rule.pk]), {"active": "0"}
        )
        self.assertEqual(response.status_code, 403)
        rule.refresh_from_db()
        self.assertTrue(rule.is_active)
