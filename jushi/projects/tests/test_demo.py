"""The Kashgar demo ledger reproduces the seed report's investment figures, and keeps the ledger's rules."""

from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase, override_settings

from jushi.core.choices import ChangeSource
from jushi.indicators import demo as indicators_demo
from jushi.lib.periods import Period
from jushi.registry import demo as registry_demo
from jushi.registry.models import Zone
from jushi.reporting import demo as reporting_demo

from .. import demo, ledger, services
from ..choices import COUNTED, EVIDENCED, DuplicateStatus
from ..models import Event, FundsRecord, Project
from ..services import find_duplicates


class DemoLedgerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for module in (registry_demo, reporting_demo, indicators_demo, demo):
            module.load(StringIO(), password="demo-pass-1")
        cls.zone = Zone.objects.get(code="kashgar-edz")

    def test_the_bulletin_prints_the_investment_figures_and_the_earlier_six(self):
        out = StringIO()
        call_command("bulletin", zone="kashgar-edz", period="2024H1", stdout=out)
        text = out.getvalue()
        for phrase in (
            "招商引资到位资金58.32亿元,同比增长7.0%",
            "新签订招商引资合同项目20个,总投资58.8亿元",
            "新建亿元以上项目26个,同比增长30%",
            "地区生产总值54.4亿元,同比增长14.3%",
            "同比增长30.6%",
            "规上工业增加值同比增长5.4%",
            "一般公共预算收入5.26亿元,同比增长32.5%",
            "新增市场经营主体651户,同比增长5.2%",
        ):
            self.assertIn(phrase, text)

    def test_published_projects(self):
        h1 = Project.objects.filter(zone=self.zone, signed_on__range=("2024-01-01", "2024-06-30"))
        counted = h1.filter(duplicate_status__in=COUNTED)
        self.assertEqual(counted.count(), 20)
        self.assertEqual(counted.aggregate(s=Sum("agreed_investment"))["s"], Decimal("588000"))
        drone = counted.get(investor__name="中天智控科技控股股份有限公司")
        self.assertEqual((drone.agreed_investment, drone.event.name), (Decimal("15000"), demo.EXPO))
        self.assertTrue(counted.filter(investor__name__startswith="山东小蚁").exists())
        electronics = counted.filter(park__code="electronics")
        self.assertEqual(electronics.count(), 12)
        self.assertEqual(electronics.aggregate(s=Sum("agreed_investment"))["s"], Decimal("200500"))
        self.assertEqual(electronics.aggregate(s=Sum("expected_output"))["s"], Decimal("221000"))
        port = Project.objects.get(investor__name="新疆金正实业集团有限公司")
        self.assertEqual((port.agreed_investment, port.stage.code), (Decimal("25000"), "started"))
        snow = Project.objects.get(name="启迪冰雪文旅综合体项目")
        self.assertEqual(snow.stage.code, "land")
        self.assertIsNotNone(snow.land_on)

    def test_the_second_drone_signing_is_flagged_by_the_guard_itself(self):
        twice = Project.objects.get(duplicate_status=DuplicateStatus.FLAGGED)
        self.assertEqual([p.pk for p in find_duplicates(twice)], [twice.duplicate_of_id])

    def test_funds_by_half_year_and_the_ledger_rules(self):
        def evidenced(start, end):
            rows = FundsRecord.objects.filter(zone=self.zone, on__range=(start, end), evidence__in=EVIDENCED)
            return rows.aggregate(s=Sum("amount"))["s"]

        self.assertEqual(evidenced("2024-01-01", "2024-06-30"), Decimal("583200"))
        self.assertEqual(evidenced("2023-01-01", "2023-06-30"), Decimal("545000"))
        for project in Project.objects.filter(zone=self.zone).prefetch_related("funds"):
            funds = [f for f in project.funds.all()]
            self.assertEqual(project.funds_in_place, sum((f.amount for f in funds), Decimal(0)), project.name)
            if funds:
                self.assertLessEqual(sum(f.amount for f in funds), project.agreed_investment, project.name)
                self.assertGreaterEqual(min(f.on for f in funds), project.signed_on, project.name)
        self.assertTrue(Event.objects.filter(zone=self.zone, name=demo.EXPO).exists())

    def test_overdue_problems_are_escalated_and_milestones_late(self):
        from ..models import Milestone, Problem

        open_problems = Problem.objects.filter(project__zone=self.zone, status="open")
        self.assertGreaterEqual(open_problems.count(), 3)
        self.assertFalse(open_problems.filter(escalation=0).exists())  # all long past due: escalated
        late = [m for m in Milestone.objects.filter(project__zone=self.zone) if m.light() == "red"]
        self.assertTrue(late)

    def test_loading_twice_changes_nothing(self):
        before = Project.objects.count(), FundsRecord.objects.count()
        demo.load(StringIO(), password="demo-pass-1")
        self.assertEqual((Project.objects.count(), FundsRecord.objects.count()), before)

    @override_settings(JUSHI_TODAY="2024-07-20")
    def test_recording_today_about_today_changes_no_closed_period(self):
        from jushi.indicators import engine
        from jushi.indicators.models import Indicator, Result

        def figure(code, period):
            indicator = Indicator.objects.get(code=code)
            return ledger.ledger_figures(indicator, self.zone, Period.parse(period)).value

        def stored(code, period):
            return Result.objects.get(
                zone=self.zone,
                scope="zone",
                indicator__code=code,
                period=engine.stored_period(Period.parse(period)),
            ).value

        self.assertEqual(figure("INV_SIGN_AMT", "2024H1"), Decimal("58.8"))
        self.assertEqual(figure("INV_FUND", "2024H1"), Decimal("58.32"))
        from jushi.core.commanding import ActorCommand

        system = ActorCommand().actor("system")
        drone = Project.objects.get(investor__name="中天智控科技控股股份有限公司", duplicate_status="")
        with self.captureOnCommitCallbacks(execute=True):
            services.change_contract(
                actor=system,
                project=drone,
                effective_on="2024-07-20",
                new_investment="25000",
                reason="二期扩产补充协议",
                source=ChangeSource.CLI,
            )
            services.record_funds(
                actor=system,
                project=drone,
                on="2024-07-20",
                amount_wan="5000",
                evidence="bank",
                source=ChangeSource.CLI,
            )
        self.assertEqual(figure("INV_SIGN_AMT", "2024H1"), Decimal("58.8"))  # the issue saw 59.8
        self.assertEqual(figure("INV_BIG_N", "2024H1"), figure("INV_BIG_N", "2024-07"))
        self.assertEqual(figure("INV_FUND", "2024H1"), Decimal("58.32"))
        self.assertEqual(figure("INV_SIGN_AMT", "2024-07"), Decimal("59.8"))  # from its effective date on
        self.assertEqual(figure("INV_FUND", "2024-07"), figure("INV_FUND", "2024-06") + Decimal("0.5"))
        self.assertEqual(stored("INV_SIGN_AMT", "2024H1"), Decimal("58.8"))
        self.assertEqual(stored("INV_FUND", "2024H1"), Decimal("58.32"))
