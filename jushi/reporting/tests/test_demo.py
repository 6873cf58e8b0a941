import datetime as dt
from decimal import Decimal
from io import StringIO

from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from jushi.lib.growth import naive, percent
from jushi.registry import demo as registry_demo
from jushi.registry.models import Zone
from jushi.reporting import demo
from jushi.reporting.choices import Status
from jushi.reporting.models import (
    CheckResult,
    PlausibilityFlag,
    ReportForm,
    ReportingPeriod,
    Submission,
    SubmissionEvent,
    Value,
    ValueChange,
)
from jushi.reporting.services.aggregate import approved_pairs, approved_total, same_caliber_growth
from jushi.reporting.services.plausibility import open_flags


class KashgarReportingDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        registry_demo.load(StringIO(), password="demo-pass-1")
        demo.load(StringIO(), password="demo-pass-1")
        cls.form = ReportForm.objects.get(code="ind-monthly")
        cls.zone = Zone.objects.get(code="kashgar-edz")

    def test_h1_2024_gross_output_grows_30_6_percent_same_caliber_unlike_naive(self):
        args = {"form": self.form, "zone": self.zone, "field_code": "gross_output"}
        growth = same_caliber_growth(period_code="2024-06", **args)
        self.assertEqual(percent(growth), Decimal("30.6"))
        pairs = [(now, ly) for _, now, ly in approved_pairs(period_code="2024-06", **args) if ly is not None]
        self.assertEqual(len(pairs), 28)  # every enterprise of the frame, approved, with a last-year value
        exact = sum(now for now, _ in pairs) / sum(ly for _, ly in pairs) - 1
        self.assertEqual(percent(exact), Decimal("30.6"))
        published = naive(
            approved_total(period_code="2024-06", **args), approved_total(period_code="2023-06", **args)
        )
        self.assertNotEqual(percent(published), Decimal("30.6"))

    def test_every_period_from_2023_02_to_2024_07_and_the_set_changes(self):
        codes = sorted(set(Submission.objects.values_list("period__code", flat=True)))
        self.assertEqual(codes[0], "2023-02")
        self.assertEqual(codes[-1], "2024-07")
        self.assertEqual(len(codes), 17)
        set_2023 = set(Submission.objects.filter(period__code="2023-06").values_list("enterprise", flat=True))
        set_2024 = set(Submission.objects.filter(period__code="2024-06").values_list("enterprise", flat=True))
        self.assertTrue(set_2023 - set_2024 and set_2024 - set_2023)
        self.assertTrue(all(Submission.objects.values_list("is_synthetic", flat=True)))

    def test_june_2024_is_approved_in_full_every_report_with_a_last_year_value(self):
        june = Submission.objects.filter(period__code="2024-06")
        self.assertEqual(june.count(), 28)
        self.assertEqual(set(june.values_list("status", flat=True)), {Status.APPROVED})
        self.assertEqual(
            set(Submission.objects.exclude(period__code="2024-07").values_list("status", flat=True)),
            {Status.APPROVED},
        )
        values = Value.objects.filter(submission__period__code__startswith="2024-")
        self.assertFalse(values.filter(current__isnull=False, last_year__isnull=True).exists())
        self.assertFalse(CheckResult.objects.filter(severity="blocking").exists())
        self.assertFalse(CheckResult.objects.filter(explanation="").exists())

    def test_the_cumulative_output_rises_month_by_month_in_both_years(self):
        for year in (2023, 2024):
            totals = [
                (
                    sum(
                        Value.objects.filter(submission__period=p, field__code="gross_output").values_list(
                            "approved_current", flat=True
                        )
                    ),
                    sum(
                        Value.objects.filter(submission__period=p, field__code="gross_output").values_list(
                            "approved_last_year", flat=True
                        )
                    ),
                )
                for p in ReportingPeriod.objects.filter(zone=self.zone, code__startswith=f"{year}-")
                .exclude(code="2024-07")
                .order_by("code")
            ]
            self.assertEqual(len(totals), 11 if year == 2023 else 5)
            for before, after in zip(totals, totals[1:]):
                self.assertLess(before[0], after[0])
                self.assertLess(before[1], after[1])

    @override_settings(JUSHI_TODAY="2024-07-20")
    def test_board_for_july_2024_shows_the_cycle_in_progress_none_late_yet(self):
        from django.contrib.auth import get_user_model

        self.client.force_login(get_user_model().objects.get(username="tongji"))
        response = self.client.get(reverse("reporting:board"), {"form": "ind-monthly", "zone": "kashgar-edz"})
        self.assertEqual(response.context["period"].code, "2024-07")  # the default: the newest open period
        totals = response.context["totals"]
        self.assertEqual(
            (
                totals["due"],
                totals["done"],
                totals["submitted"],
                totals["returned"],
                totals["approved"],
                totals["late"],
            ),
            (28, 2, 2, 2, 0, 0),
        )
        self.assertContains(response, "喀什市长盛纺织科技有限公司")
        self.assertContains(response, "工业用电量较上月变化与产值不匹配")
        self.assertContains(response, "填报中")
        july = Submission.objects.filter(period__code="2024-07")
        self.assertEqual(july.get(enterprise__name=demo.SHENGYUE).status, Status.DRAFT)
        self.assertEqual(july.get(enterprise__name=demo.CHANGSHENG).status, Status.RETURNED)
        self.assertEqual(set(july.values_list("status", flat=True)), set(Status.values) - {Status.APPROVED})
        self.assertEqual(
            list(Submission.objects.overdue().values_list("period__code", flat=True)), ["2024-05"]
        )  # sent after the May deadline, then approved
        self.assertTrue(
            CheckResult.objects.filter(
                submission__period__code="2024-07", submission__status=Status.SUBMITTED
            ).exists()
        )
        june = self.client.get(
            reverse("reporting:board"), {"form": "ind-monthly", "zone": "kashgar-edz", "period": "2024-06"}
        )
        self.assertEqual((june.context["totals"]["approved"], june.context["totals"]["late"]), (28, 0))
        self.assertContains(june, "本期已审核数据的全区合计没有异常波动")

    def test_every_action_is_dated_no_later_than_the_demo_date(self):
        last = max(
            max(SubmissionEvent.objects.values_list("time", flat=True)),
            max(ValueChange.objects.values_list("time", flat=True)),
        )
        self.assertLessEqual(timezone.localtime(last).date(), dt.date(2024, 7, 20))

    def test_plausibility_flags_are_reviewed_with_the_demo_note(self):
        self.assertFalse(PlausibilityFlag.objects.filter(status="open").exists())
        self.assertEqual(open_flags(self.zone, "2024H1"), [])

    def test_loading_twice_changes_nothing(self):
        count = Submission.objects.count()
        out = StringIO()
        demo.load(out, password="demo-pass-1")
        self.assertIn("已存在", out.getvalue())
        self.assertEqual(Submission.objects.count(), count)
