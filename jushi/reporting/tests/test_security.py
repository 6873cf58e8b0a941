"""Issue 13, points 2 and 3: national rules are national admins' business, a zone switches one off for
itself only and keeps its own rules; every change is logged with the zone it affects; bad input is
refused with the field named, never cut or widened."""

from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog, Notification
from jushi.lib.periods import Period
from jushi.lib.tabular import Table
from jushi.reporting.checks import Checker
from jushi.reporting.columns import headers_for
from jushi.reporting.models import Rule, RuleOverride, Submission, SubmissionEvent, Value
from jushi.reporting.services.errors import ReportingError
from jushi.reporting.services.importing import import_period
from jushi.reporting.services.rules import add_rule, set_rule_active, set_rule_override
from jushi.reporting.services.submissions import submit_report

from .base import WEB, ReportingTestCase, good_figures

JUNE = Period.parse("2024-06")


class NationalRuleTests(ReportingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.national = User.objects.create_superuser("national", password="x" * 12)
        cls.rule = Rule.objects.get(form=cls.form, code="export_within_sales")

    def toggle(self, user, rule=None, **data):
        """Switch as confirmed on the confirmation page (switching off asks first: test_rule_confirm)."""
        url = reverse("reporting:rule_toggle", args=[(rule or self.rule).pk])
        return self.login(user).post(url, {**data, "confirmed": "1"})

    def rule_codes(self, zone):
        return {r.code for r in Checker.for_form(self.form, zone.pk).rules}

    def test_zone_staff_switch_a_national_rule_off_for_their_zone_only(self):
        response = self.toggle(self.reviewer, active="0", reason="本区出口企业按海关口径另行核对")
        self.assertEqual(response.status_code, 302)
        self.rule.refresh_from_db()
        self.assertTrue(self.rule.is_active)  # still on nationally, for every other zone
        override = RuleOverride.objects.get(rule=self.rule)
        self.assertEqual((override.zone, override.enabled), (self.kashgar, False))
        self.assertEqual(
            (override.changed_by, override.reason), (self.reviewer, "本区出口企业按海关口径另行核对")
        )
        self.assertNotIn("export_within_sales", self.rule_codes(self.kashgar))
        self.assertIn("export_within_sales", self.rule_codes(self.other))
        log = ChangeLog.objects.get(object_id=str(override.pk), content_type__model="ruleoverride")
        self.assertEqual((log.zone_id, log.user), (self.kashgar.pk, self.reviewer))
        self.assertIn(log, ChangeLog.objects.restrict(self.admin))  # the zone admin's audit page
        self.assertNotIn(log, ChangeLog.objects.restrict(self.other_admin))

    def test_the_override_decides_the_checks_of_that_zones_submissions(self):
        figures = good_figures()
        figures["export_value"] = (figures["sales_output"][0] + 1, figures["export_value"][1])
        blocked = submit_report(actor=self.reporter_a, submission=self.sub_a, figures=figures, source=WEB)
        self.assertIn("export_within_sales", {f.rule_code for f in blocked.blocking})
        set_rule_override(
            actor=self.reviewer,
            rule=self.rule,
            zone=self.kashgar,
            enabled=False,
            reason="另行核对",
            source=WEB,
        )
        outcome = submit_report(actor=self.reporter_a, submission=self.fresh(), figures=figures, source=WEB)
        self.assertNotIn("export_within_sales", {f.rule_code for f in outcome.findings})

    def test_switching_a_national_rule_off_for_a_zone_needs_a_reason(self):
        self.toggle(self.reviewer, active="0")
        self.assertFalse(RuleOverride.objects.exists())
        with self.assertRaisesMessage(ReportingError, "须说明原因"):
            set_rule_override(
                actor=self.reviewer, rule=self.rule, zone=self.kashgar, enabled=False, source=WEB
            )

    def test_zone_staff_cannot_change_a_national_rule_through_the_service(self):
        before = ChangeLog.objects.count()
        with self.assertRaisesMessage(Exception, "全国审核规则只能由全国管理员修改"):
            set_rule_active(actor=self.admin, rule=self.rule, active=False, source=WEB)
        self.rule.refresh_from_db()
        self.assertTrue(self.rule.is_active)
        self.assertEqual(ChangeLog.objects.count(), before)

    def test_zone_staff_cannot_add_a_national_rule(self):
        rule = Rule(
            form=self.form,
            code="national_try",
            name="试",
            expression="cost <= revenue",
            message="成本 {cost}",
            severity="warning",
        )
        with self.assertRaisesMessage(Exception, "全国审核规则只能由全国管理员修改"):
            add_rule(actor=self.reviewer, rule=rule, source=WEB)
        self.assertFalse(Rule.objects.filter(code="national_try").exists())

    def test_a_national_admin_changes_a_national_rule_logged_as_national(self):
        self.toggle(self.national, active="0")
        self.rule.refresh_from_db()
        self.assertFalse(self.rule.is_active)
        log = ChangeLog.objects.get(object_id=str(self.rule.pk), content_type__model="rule")
        self.assertIsNone(log.zone_id)
        self.assertIn(log, ChangeLog.objects.restrict(self.national))
        self.assertNotIn(log, ChangeLog.objects.restrict(self.admin))
        self.assertNotIn("export_within_sales", self.rule_codes(self.other))
        page = self.login(self.national).get(reverse("reporting:form_detail", args=["ind-monthly"]))
        self.assertContains(page, "您是全国管理员")
        self.assertContains(page, "全国(全部开发区)")  # a new rule may be national

    def test_a_zones_own_rule_is_its_own(self):
        data = {
            "code": "cost_share",
            "name": "成本占比",
            "severity": "warning",
            "applies_to": "form",
            "expression": "cost <= revenue",
            "message": "成本 {cost}",
        }
        self.login(self.reviewer).post(reverse("reporting:form_detail", args=["ind-monthly"]), data)
        rule = Rule.objects.get(code="cost_share")
        self.assertEqual(rule.zone, self.kashgar)
        log = ChangeLog.objects.get(object_id=str(rule.pk), content_type__model="rule")
        self.assertEqual(log.zone_id, self.kashgar.pk)
        self.assertIn("cost_share", self.rule_codes(self.kashgar))
        self.assertNotIn("cost_share", self.rule_codes(self.other))
        # Another zone neither sees nor switches it, on the page or in the API.
        page = self.login(self.other_admin).get(reverse("reporting:form_detail", args=["ind-monthly"]))
        self.assertNotContains(page, "cost_share")
        api = self.login(self.other_admin).get("/api/reporting/forms/ind-monthly/").json()
        self.assertNotIn("cost_share", {r["code"] for r in api["rules"]})
        self.assertEqual(self.toggle(self.other_admin, rule, active="0").status_code, 404)
        rule.refresh_from_db()
        self.assertTrue(rule.is_active)
        # Its own zone switches it off for itself, logged with the zone.
        self.toggle(self.reviewer, rule, active="0")
        rule.refresh_from_db()
        self.assertFalse(rule.is_active)
        self.assertEqual(
            ChangeLog.objects.filter(object_id=str(rule.pk), content_type__model="rule").first().zone_id,
            self.kashgar.pk,
        )

    def test_the_rules_page_shows_the_national_state_and_the_zones_own(self):
        set_rule_override(
            actor=self.reviewer,
            rule=self.rule,
            zone=self.kashgar,
            enabled=False,
            reason="另行核对",
            source=WEB,
        )
        page = self.login(self.reviewer).get(reverse("reporting:form_detail", args=["ind-monthly"]))
        rows = {row["rule"].code: row for row in page.context["rule_rows"]}
        self.assertTrue(rows["export_within_sales"]["rule"].is_active)
        self.assertFalse(rows["export_within_sales"]["in_force"])
        self.assertContains(page, "另行核对")
        self.assertContains(page, "本开发区恢复")

    def test_django_admin_keeps_national_objects_to_national_admins(self):
        # Even with the admin site's model permissions, a zone admin changes nothing national there.
        self.admin.is_staff = True
        self.admin.save()
        self.admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="reporting"))
        request = RequestFactory().get("/admin/")
        request.user = User.objects.get(pk=self.admin.pk)
        self.assertTrue(request.user.has_perm("reporting.change_rule"))
        for model in (Rule, self.form.__class__):
            model_admin = admin.site._registry[model]
            self.assertFalse(
                model_admin.has_change_permission(request, self.rule if model is Rule else self.form)
            )
            self.assertFalse(model_admin.has_delete_permission(request))
        request.user = self.national
        self.assertTrue(admin.site._registry[Rule].has_change_permission(request, self.rule))


class ReportingInputTests(ReportingTestCase):
    def table(self, note: str) -> Table:
        headers = headers_for(self.form.fields.all())
        cells = [self.ent_a.credit_code, "", ""]
        for f in self.form.fields.all():
            now, ly = good_figures()[f.code]
            cells += [str(now), str(ly)]
        return Table(headers=headers, rows=[dict(zip(headers, [*cells, note], strict=False))])

    def test_an_import_note_too_long_is_a_row_error_and_nothing_is_written(self):
        counts = (Value.objects.count(), SubmissionEvent.objects.count(), ChangeLog.objects.count())
        result = import_period(
            actor=self.reviewer,
            form=self.form,
            period=JUNE,
            table=self.table("说" * 1001),
            source=ChangeSource.IMPORT,
        )
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 2 行 情况说明: 最多 1000 个字,现有 1001 个字;请删减后再导入"],
        )
        self.assertEqual(
            (Value.objects.count(), SubmissionEvent.objects.count(), ChangeLog.objects.count()), counts
        )

    def test_an_import_reason_too_long_is_refused_not_cut(self):
        with self.assertRaisesMessage(ReportingError, "导入原因最多 500 个字"):
            import_period(
                actor=self.reviewer,
                form=self.form,
                period=JUNE,
                table=self.table(""),
                source=ChangeSource.IMPORT,
                reason="因" * 501,
            )
        self.assertFalse(Value.objects.exists())

    def test_a_long_explanation_is_refused_not_cut(self):
        figures = good_figures()
        with self.assertRaisesMessage(ReportingError, "情况说明(yoy_30:gross_output): 不能超过 1000 字"):
            submit_report(
                actor=self.reporter_a,
                submission=self.sub_a,
                figures=figures,
                explanations={"yoy_30:gross_output": "说" * 1001},
                source=WEB,
            )
        self.assertFalse(Value.objects.exists())

    def test_period_filters_that_name_no_period_are_400_naming_the_field(self):
        client = self.login(self.reviewer)
        for url, field in [
            ("/api/reporting/submissions/?period=abc", "period"),
            ("/api/reporting/periods/?code=1e30", "code"),
            ("/api/reporting/flags/?period=0000-00", "period"),
            ("/api/reporting/obligations/?period=99999999999999999999", "period"),
        ]:
            response = client.get(url)
            self.assertEqual(response.status_code, 400, url)
            self.assertIn(field, response.json(), url)

    def test_an_api_version_beyond_the_field_is_400(self):
        sub = Submission.objects.get(pk=self.sub_a.pk)
        response = self.login(self.reviewer).post(
            f"/api/reporting/submissions/{sub.pk}/approve/",
            {"version": 99999999999999999999},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("version", response.json())

    def test_a_bad_enterprise_id_does_not_remind_every_enterprise(self):
        url = reverse("reporting:board_remind", args=[self.period.pk])
        for bad in ("abc", "99999999999999999999", "-1"):
            response = self.login(self.reviewer).post(url, {"enterprise": [bad]}, follow=True)
            self.assertContains(response, "企业: 编号无效,未催报任何企业")
            self.assertFalse(Notification.objects.exists())


def test_a_figure_finer_than_its_field_is_refused_naming_the_smallest_unit():
    from decimal import Decimal

    from jushi.reporting.checks import FieldSpec, parse_number

    spec = FieldSpec("gross_output", "工业总产值", "千元", "flow", False, "decimal", 1, False)
    for text in ("0.01", "0.001"):
        try:
            parse_number(text, spec)
        except ValueError as exc:
            assert str(exc) == "最多 1 位小数,最小单位为 0.1 千元"
        else:
            raise AssertionError(f"{text} was accepted")
    assert parse_number("0.1", spec) == Decimal("0.1")
