"""Zone-level plausibility: a zone total that jumps implausibly after approvals is flagged and must be
reviewed with a note. The case of the issue: one enterprise reports in 元 instead of 千元 (×1000),
explains its warnings away and is approved."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from jushi.core.changelog import ChangeLog
from jushi.core.choices import ChangeSource
from jushi.lib.periods import Period
from jushi.lib.tabular import Table
from jushi.registry.models import Enterprise, SizeMembership
from jushi.reporting.choices import FlagKind, FlagStatus
from jushi.reporting.columns import headers_for
from jushi.reporting.models import PlausibilityFlag, Submission
from jushi.reporting.services.errors import ReportingError
from jushi.reporting.services.importing import import_period
from jushi.reporting.services.plausibility import assess, open_flags, refresh_flags, review_flag
from jushi.reporting.services.submissions import approve_submission, start_correction, submit_report

from .base import WEB, D, ReportingTestCase, good_figures

FLOWS = [
    "gross_output",
    "sales_output",
    "export_value",
    "revenue",
    "cost",
    "operating_profit",
    "non_op_income",
    "non_op_expense",
    "total_profit",
    "taxes",
    "electricity",
    "energy",
    "rd_spending",
]


def in_yuan() -> dict:
    """This year's figures typed in 元 (×1000), last year's correctly in 千元."""
    figures = {k: (now * 1000, ly) for k, (now, ly) in good_figures().items()}
    figures["employees"] = good_figures()["employees"]
    return figures


class AssessTests(TestCase):
    """The rules on plain numbers: (enterprise, current, last year)."""

    def test_growth_above_300_percent_is_a_surge_and_below_minus_75_a_plunge(self):
        self.assertEqual(assess([(1, D(250), D(100)), (2, D(251), D(100))]), None)  # +150.5%
        surge = assess([(1, D(451), D(100)), (2, D(450), D(100))])  # +350.5%
        self.assertEqual((surge.kind, surge.growth, surge.dominant), (FlagKind.SURGE, D("3.505"), 1))
        self.assertEqual(surge.share, D(351) / D(701))
        plunge = assess([(1, D(20), D(100)), (2, D(29), D(100))])  # −75.5%
        self.assertEqual((plunge.kind, plunge.growth), (FlagKind.PLUNGE, D("-0.755")))
        self.assertEqual(assess([(1, D(25), D(100)), (2, D(26), D(100))]), None)  # −74.5%

    def test_one_enterprise_over_80_percent_of_a_material_change(self):
        flag = assess([(1, D(1300), D(1000)), (2, D(1010), D(1000))])  # +15.5%, 1 makes 300 of 310
        self.assertEqual(flag.kind, FlagKind.CONCENTRATED)
        self.assertEqual((flag.dominant, flag.share.quantize(D("0.0001"))), (1, D("0.9677")))
        self.assertEqual(flag.growth, D("0.155"))
        # The same 94% share of a change of 1.6% of the base is ordinary noise: not flagged.
        self.assertEqual(assess([(1, D(1030), D(1000)), (2, D(1002), D(1000))]), None)
        # 80% exactly is not more than 80%.
        self.assertEqual(assess([(1, D(1080), D(1000)), (2, D(1020), D(1000))]), None)
        # One enterprise alone always makes all of its zone's change.
        self.assertEqual(assess([(1, D(1500), D(1000))]), None)

    def test_a_blank_last_year_is_left_out_of_both_sides(self):
        flag = assess([(1, D(900), D(100)), (2, D(50000), None), (3, D(100), D(100))])
        self.assertEqual(
            (flag.kind, flag.enterprises, flag.current, flag.base), (FlagKind.SURGE, 2, D(1000), D(200))
        )

    def test_a_base_that_is_not_positive_has_no_rate_but_may_be_concentrated(self):
        flag = assess([(1, D(500), D(-400)), (2, D(-100), D(-110))])  # a loss turned into a profit
        self.assertEqual((flag.kind, flag.growth, flag.dominant), (FlagKind.CONCENTRATED, None, 1))


class ThousandfoldSlipTests(ReportingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        SizeMembership.objects.create(enterprise=cls.ent_b, year=2024)
        cls.ent_d = Enterprise.objects.create(
            zone=cls.kashgar,
            park=cls.energy,
            industry=cls.battery,
            name="丁锂电有限公司",
            credit_code="91653101000000004X",
            entered_on=dt.date(2020, 1, 1),
        )
        SizeMembership.objects.create(enterprise=cls.ent_d, year=2024)
        from jushi.accounts.choices import Role
        from jushi.accounts.models import User
        from jushi.registry.models import UserScope

        cls.reporter_d = User.objects.create_user("reporter_d", password="x-pass-12345", role=Role.REPORTER)
        UserScope.objects.create(user=cls.reporter_d, enterprise=cls.ent_d)
        from jushi.reporting.services.periods import open_period

        open_period(actor=cls.admin, form=cls.form, zone=cls.kashgar, period=Period.parse("2024-06"))
        cls.sub_b = Submission.objects.get(period=cls.period, enterprise=cls.ent_b)
        cls.sub_d = Submission.objects.get(period=cls.period, enterprise=cls.ent_d)

    def report(self, reporter, submission, figures):
        outcome = submit_report(actor=reporter, submission=submission, figures=figures, source=WEB)
        if not outcome.submitted:
            self.assertEqual(outcome.blocking, [])
            explained = {f.key: "订单大增(已说明)" for f in outcome.missing}
            outcome = submit_report(
                actor=reporter, submission=submission, figures=figures, explanations=explained, source=WEB
            )
        self.assertTrue(outcome.submitted)
        approve_submission(actor=self.reviewer, submission=submission, source=WEB)
        return outcome

    def approve_all(self):
        self.report(self.reporter_a, self.sub_a, good_figures())
        self.report(self.reporter_b, self.sub_b, good_figures(2))
        return self.report(self.reporter_d, self.sub_d, in_yuan())

    def test_the_slip_explained_and_approved_is_flagged_naming_the_enterprise_and_field(self):
        outcome = self.approve_all()
        self.assertIn("unit_scale:gross_output", {f.key for f in outcome.findings})  # explained away
        flags = {f.field.code: f for f in PlausibilityFlag.objects.filter(period=self.period)}
        self.assertEqual(sorted(flags), sorted(FLOWS))
        flag = flags["gross_output"]
        # Σ now 10,000 + 20,000 + 10,000,000 = 10,030,000; Σ last year 9,090.9 + 18,181.8 + 9,090.9 = 36,363.6
        self.assertEqual(
            (flag.current_total, flag.base_total, flag.enterprises), (D(10030000), D("36363.6"), 3)
        )
        six = D("0.000001")  # the database keeps about 15 significant digits (SQLite's REAL)
        self.assertEqual(flag.growth.quantize(six), (D(10030000) / D("36363.6") - 1).quantize(six))
        self.assertEqual(flag.growth.quantize(D("0.01")), D("274.83"))
        self.assertEqual(
            (flag.kind, flag.dominant, flag.status), (FlagKind.SURGE, self.ent_d, FlagStatus.OPEN)
        )
        # The enterprise's change 9,990,909.1 of the zone's 9,993,636.4
        self.assertEqual(flag.dominant_share.quantize(D("0.000001")), D("0.999727"))
        self.assertEqual(
            flag.detail,
            "2024年1-6月工业总产值(当年价格)全区合计 10,030,000 千元,上年同期 36,363.6 千元,"
            "同口径增长274.8倍(3家企业同口径);变动主要来自丁锂电有限公司,占变动的100.0%。"
            "增幅超过300%,请核实是否有单位错误(如以元代千元)或异常数据",
        )
        self.assertEqual([f.field.code for f in open_flags(self.kashgar, "2024H1")], FLOWS)
        self.assertEqual(len(open_flags(self.kashgar, "2024-06")), 13)
        self.assertEqual(open_flags(self.kashgar, "2024-05"), [])
        self.assertEqual(open_flags(self.other, "2024H1"), [])

    def test_before_the_slip_the_zone_is_plausible(self):
        self.report(self.reporter_a, self.sub_a, good_figures())
        self.report(self.reporter_b, self.sub_b, good_figures(2))
        self.assertFalse(PlausibilityFlag.objects.exists())

    def test_review_needs_a_note_and_the_right_in_the_zone(self):
        self.approve_all()
        flag = PlausibilityFlag.objects.get(field__code="gross_output")
        with self.assertRaisesMessage(ReportingError, "核实说明: 必填"):
            review_flag(actor=self.reviewer, flag=flag, note="  ")
        for user in (self.reporter_d, self.leader, self.other_admin, self.regional):
            with self.assertRaises(PermissionDenied):
                review_flag(actor=user, flag=flag, note="看过了")
        flag.refresh_from_db()
        self.assertEqual((flag.status, flag.review_note, flag.reviewed_by), (FlagStatus.OPEN, "", None))
        review_flag(actor=self.reviewer, flag=flag, note="已电话核实:丁锂电误以元填报,已通知更正")
        flag.refresh_from_db()
        self.assertEqual((flag.status, flag.reviewed_by), (FlagStatus.REVIEWED, self.reviewer))
        self.assertEqual(ChangeLog.objects.filter(object_id=str(flag.pk)).get().reason, flag.review_note)
        self.assertNotIn(flag, open_flags(self.kashgar, "2024H1"))
        self.assertEqual(len(open_flags(self.kashgar, "2024H1")), 12)

    def test_the_board_lists_the_flags_and_reviews_with_a_note(self):
        self.approve_all()
        flag = PlausibilityFlag.objects.get(field__code="gross_output")
        url = reverse("reporting:board") + "?form=ind-monthly&zone=kashgar&period=2024-06"
        response = self.login(self.reviewer).get(url)
        self.assertContains(response, "丁锂电有限公司,占变动的100.0%")
        self.assertContains(response, reverse("reporting:flag_review", args=[flag.pk]))
        self.assertEqual(response.context["open_flags"], 13)
        review = reverse("reporting:flag_review", args=[flag.pk])
        response = self.client.post(review, {"note": ""}, follow=True)
        self.assertContains(response, "核实说明: 必填")
        self.assertEqual(PlausibilityFlag.objects.get(pk=flag.pk).status, FlagStatus.OPEN)
        response = self.client.post(review, {"note": "已核实,企业将更正"}, follow=True)
        self.assertContains(response, "已核实,企业将更正")
        self.assertEqual(PlausibilityFlag.objects.get(pk=flag.pk).status, FlagStatus.REVIEWED)
        leader_page = self.login(self.leader).get(url)  # sees the flags, gets no review form
        self.assertContains(leader_page, "丁锂电有限公司")
        self.assertNotContains(leader_page, reverse("reporting:flag_review", args=[flag.pk]))
        self.assertEqual(self.client.post(review, {"note": "x"}).status_code, 403)
        self.assertEqual(self.login(self.other_admin).post(review, {"note": "x"}).status_code, 403)

    def test_a_review_stands_while_the_figures_stand_and_reopens_when_they_change(self):
        self.approve_all()
        flag = PlausibilityFlag.objects.get(field__code="gross_output")
        review_flag(actor=self.reviewer, flag=flag, note="已核实")
        refresh_flags(self.period)
        flag.refresh_from_db()
        self.assertEqual((flag.status, flag.review_note), (FlagStatus.REVIEWED, "已核实"))
        # 丁 corrects its report into 千元: the flags go away once the correction is approved.
        start_correction(actor=self.reporter_d, submission=self.sub_d, reason="误以元填报", source=WEB)
        fixed = good_figures()
        fixed["gross_output"] = (D(50000), D("9090.9"))  # still far too high: one flag stays, reopened
        fixed["sales_output"] = (D(49000), D("8909.1"))
        self.report(self.reporter_d, self.sub_d, fixed)
        flags = {f.field.code: f for f in PlausibilityFlag.objects.filter(period=self.period)}
        self.assertEqual(sorted(flags), ["gross_output", "sales_output"])
        self.assertEqual(
            (flags["gross_output"].status, flags["gross_output"].review_note), (FlagStatus.OPEN, "")
        )
        self.assertEqual(flags["gross_output"].current_total, D(80000))

    def test_an_import_with_the_slip_raises_the_flags(self):
        headers = headers_for(self.form.fields.all())
        rows = []
        for enterprise, figures in ((self.ent_a, good_figures()), (self.ent_d, in_yuan())):
            cells = [enterprise.credit_code, "", ""]
            for f in self.form.fields.all():
                cells += [str(x) for x in figures[f.code]]
            rows.append(dict(zip(headers, [*cells, "按统计局数据"], strict=True)))
        result = import_period(
            actor=self.reviewer,
            form=self.form,
            period=Period.parse("2024-06"),
            table=Table(headers=headers, rows=rows),
            source=ChangeSource.IMPORT,
        )
        self.assertEqual(result.errors, [])
        flag = PlausibilityFlag.objects.get(field__code="gross_output")
        self.assertEqual(
            (flag.kind, flag.dominant, flag.current_total), (FlagKind.SURGE, self.ent_d, D(10010000))
        )

    def test_the_api_lists_and_reviews(self):
        self.approve_all()
        flag = PlausibilityFlag.objects.get(field__code="gross_output")
        client = self.login(self.reviewer)
        body = client.get(
            "/api/reporting/flags/", {"zone": "kashgar", "period": "2024-06", "status": "open"}
        ).json()
        self.assertEqual(body["count"], 13)
        first = next(r for r in body["results"] if r["field"] == "gross_output")
        self.assertEqual(
            (first["kind"], first["dominant"]["name"], first["current_total"], first["base_total"]),
            ("surge", "丁锂电有限公司", "10030000", "36363.6"),
        )
        url = f"/api/reporting/flags/{flag.pk}/review/"
        response = client.post(url, {"note": ""}, content_type="application/json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("核实说明: 必填", response.json()["detail"])
        response = self.login(self.reporter_d).post(url, {"note": "x"}, content_type="application/json")
        self.assertEqual(response.status_code, 404)  # a reporter sees no zone flags
        response = self.login(self.leader).post(url, {"note": "x"}, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        client = self.login(self.reviewer)
        response = client.post(url, {"note": "已核实"}, content_type="application/json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual((response.json()["status"], response.json()["review_note"]), ("reviewed", "已核实"))
        response = client.post(url, {"note": "again"}, content_type="application/json")
        self.assertEqual(response.status_code, 409)
        self.assertEqual(PlausibilityFlag.objects.get(pk=flag.pk).review_note, "已核实")
        self.assertIn("该提示已核实(由 reviewer 于 ", response.json()["detail"])
