"""The engine on the Kashgar demo reports: same-caliber growth as published, breakdowns, ratios, refresh."""

from decimal import Decimal
from io import StringIO

from django.test import TestCase

from jushi.indicators import engine
from jushi.indicators.models import DeptFigure, Indicator, Result
from jushi.lib.growth import percent
from jushi.registry import demo as registry_demo
from jushi.registry.models import Zone
from jushi.reporting import demo as reporting_demo


class EngineOnTheDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        registry_demo.load(StringIO(), password="demo-pass-1")
        reporting_demo.load(StringIO(), password="demo-pass-1")
        cls.zone = Zone.objects.get(code="kashgar-edz")
        engine.refresh(cls.zone, "2024H1")

    def result(self, code, scope="zone", key=""):
        return Result.objects.get(
            zone=self.zone, indicator__code=code, period="2024-06", scope=scope, scope_key=key
        )

    def test_h1_gross_output_grows_30_6_percent_same_caliber(self):
        go = self.result("IND_GO")
        self.assertEqual(percent(go.growth), Decimal("30.6"))
        self.assertEqual(go.growth_method, "SC")
        self.assertEqual(go.price_basis, "nominal")
        self.assertGreater(go.units, 0)

    def test_breakdowns_add_up_to_the_zone(self):
        go = self.result("IND_GO")
        parks = Result.objects.filter(
            zone=self.zone, indicator__code="IND_GO", period="2024-06", scope="park"
        )
        self.assertTrue(parks.exists())
        self.assertEqual(sum(r.value for r in parks), go.value)  # every demo enterprise has a park
        self.assertEqual(sum(r.last_year for r in parks), go.last_year)

    def test_ratio_indicator_is_a_ratio_of_sums_with_a_change_in_points(self):
        ratio = self.result("RD_RATIO")
        rd, rev = self.result("IND_RD"), self.result("IND_REV")
        self.assertAlmostEqual(ratio.value, rd.value / rev.value * 100, places=10)
        self.assertEqual(ratio.growth_method, "PP")
        self.assertIsNone(ratio.growth)
        self.assertIsNotNone(ratio.change)

    def test_a_department_figure_with_official_growth_passes_through_and_refresh_touches_one_period(self):
        gdp = Indicator.objects.get(code="GDP")
        DeptFigure.objects.create(
            zone=self.zone,
            indicator=gdp,
            period="2024H1",
            value=Decimal("54.4"),
            official_growth=Decimal("0.143"),
        )
        before = Result.objects.filter(zone=self.zone).exclude(period="2024-06").count()
        engine.refresh(self.zone, "2024-06")
        result = self.result("GDP")
        self.assertEqual((result.value, result.growth), (Decimal("54.4"), Decimal("0.143")))
        self.assertEqual(result.price_basis, "real")
        self.assertEqual(Result.objects.filter(zone=self.zone).exclude(period="2024-06").count(), before)

    def test_rebuild_covers_every_reported_period(self):
        periods, rows = engine.rebuild(self.zone)
        self.assertEqual(periods, 17)  # 2023-02 … 2024-07 (July being reported)
        self.assertTrue(
            Result.objects.filter(zone=self.zone, indicator__code="IND_GO", period="2023-02").exists()
        )
        self.assertGreater(rows, periods)


class DemoBase(TestCase):
    @classmethod
    def setUpTestData(cls):
        from jushi.indicators import demo as indicators_demo

        registry_demo.load(StringIO(), password="demo-pass-1")
        reporting_demo.load(StringIO(), password="demo-pass-1")
        cls.out = StringIO()
        indicators_demo.load(cls.out, password="demo-pass-1")
        cls.zone = Zone.objects.get(code="kashgar-edz")


class DemoAndApprovalTests(DemoBase):
    def test_the_seed_figures_come_out_as_published(self):
        def get(code):
            return Result.objects.get(zone=self.zone, indicator__code=code, period="2024-06", scope="zone")

        self.assertEqual((get("GDP").value, percent(get("GDP").growth)), (Decimal("54.4"), Decimal("14.3")))
        self.assertEqual(percent(get("IND_GO").growth), Decimal("30.6"))
        self.assertEqual((get("IND_VA").value, percent(get("IND_VA").growth)), (None, Decimal("5.4")))
        self.assertEqual(
            (get("FISC_GPB").value, percent(get("FISC_GPB").growth)), (Decimal("5.26"), Decimal("32.5"))
        )
        self.assertEqual(
            (get("MKT_NEW").value, percent(get("MKT_NEW").growth)), (Decimal("651"), Decimal("5.2"))
        )

    def test_approving_a_report_refreshes_its_period(self):
        from jushi.core.commanding import ActorCommand
        from jushi.reporting.choices import Status
        from jushi.reporting.models import Submission
        from jushi.reporting.services.submissions import approve_submission

        waiting = Submission.objects.filter(
            period__zone=self.zone, period__code="2024-07", status=Status.SUBMITTED
        ).first()
        go = {"zone": self.zone, "indicator__code": "IND_GO", "period": "2024-07", "scope": "zone"}
        self.assertFalse(Result.objects.filter(**go).exists())  # nothing of July approved yet
        with self.captureOnCommitCallbacks(execute=True):
            approve_submission(actor=ActorCommand().actor("system"), submission=waiting, source="web")
        after = Result.objects.get(**go)
        self.assertEqual((after.units, after.frame_units, after.provisional), (1, 28, True))
        self.assertEqual(after.coverage_text, "1/28 家已审核")


class BulletinTests(DemoBase):
    def test_h1_2024_bulletin_reads_like_the_seed(self):
        from django.core.management import call_command

        out = StringIO()
        call_command("bulletin", zone="kashgar-edz", period="2024H1", stdout=out)
        text = out.getvalue().strip()
        self.assertTrue(text.startswith("2024年上半年,喀什经济开发区"), text)
        for phrase in (
            "地区生产总值54.4亿元,同比增长14.3%",
            "规上工业总产值",
            "同比增长30.6%",
            "规上工业增加值同比增长5.4%",
            "一般公共预算收入5.26亿元,同比增长32.5%",
            "新增市场经营主体651户,同比增长5.2%",
        ):
            self.assertIn(phrase, text)
        self.assertRegex(
            text, r"规上工业企业数\d+家,比上年同期(增加|减少)\d+家"
        )  # the set, against last year's
        # Funds in place come from the project ledger's demo: jushi/projects/tests/test_demo.py.
        self.assertNotIn("实际使用外资", text)  # no figure for it: no sentence, never a zero
        self.assertTrue(text.endswith("。"))

    def test_bad_period_and_unknown_zone_are_named(self):
        from django.core.management import CommandError, call_command

        with self.assertRaisesMessage(CommandError, "--period"):
            call_command("bulletin", zone="kashgar-edz", period="2024H3", stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "--zone"):
            call_command("bulletin", zone="nowhere", period="2024H1", stdout=StringIO())
