from decimal import Decimal
from io import StringIO

from django.test import TestCase
from django.urls import reverse

from jushi.lib.growth import naive, percent
from jushi.registry import demo as registry_demo
from jushi.registry.models import Zone
from jushi.reporting import demo
from jushi.reporting.choices import Status
from jushi.reporting.models import ReportForm, Submission
from jushi.reporting.services.aggregate import approved_total, same_caliber_growth


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
        published = naive(
            approved_total(period_code="2024-06", **args), approved_total(period_code="2023-06", **args)
        )
        self.assertNotEqual(percent(published), Decimal("30.6"))

    def test_every_period_from_2023_02_to_2024_06_and_the_set_changes(self):
        codes = sorted(set(Submission.objects.values_list("period__code", flat=True)))
        self.assertEqual(codes[0], "2023-02")
        self.assertEqual(codes[-1], "2024-06")
        self.assertEqual(len(codes), 16)
        set_2023 = set(Submission.objects.filter(period__code="2023-06").values_list("enterprise", flat=True))
        set_2024 = set(Submission.objects.filter(period__code="2024-06").values_list("enterprise", flat=True))
        self.assertTrue(set_2023 - set_2024 and set_2024 - set_2023)
        self.assertTrue(all(Submission.objects.values_list("is_synthetic", flat=True)))

    def test_board_for_june_2024_shows_late_and_returned(self):
        from django.contrib.auth import get_user_model

        self.client.force_login(get_user_model().objects.get(username="tongji"))
        response = self.client.get(
            reverse("reporting:board"), {"form": "ind-monthly", "zone": "kashgar-edz", "period": "2024-06"}
        )
        totals = response.context["totals"]
        self.assertEqual(totals["returned"], 2)
        self.assertGreaterEqual(totals["late"], 4)  # three still owed, one sent after the deadline
        self.assertContains(response, "喀什市长盛纺织科技有限公司")
        self.assertContains(response, "工业用电量较上月变化与产值不匹配")
        statuses = set(Submission.objects.filter(period__code="2024-06").values_list("status", flat=True))
        self.assertEqual(statuses, set(Status.values))

    def test_loading_twice_changes_nothing(self):
        count = Submission.objects.count()
        out = StringIO()
        demo.load(out, password="demo-pass-1")
        self.assertIn("已存在", out.getvalue())
        self.assertEqual(Submission.objects.count(), count)
