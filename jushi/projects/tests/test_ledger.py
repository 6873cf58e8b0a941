"""The LEDGER indicator source: what each investment indicator counts, and the refresh after a change."""

from decimal import Decimal

from jushi.core.choices import ChangeSource
from jushi.indicators import engine
from jushi.indicators.models import Indicator, Result
from jushi.lib.periods import Period

from .. import ledger, services
from .base import D, LedgerTestCase

WEB = ChangeSource.WEB


def figure(zone, code, period="2024H1"):
    return ledger.ledger_figures(Indicator.objects.get(code=code), zone, Period.parse(period))


class LedgerFigureTests(LedgerTestCase):
    def setUp(self):
        drone = self.sign(self.lead(park="textile"), amount="15000")  # 1.5 亿元, out of province (default)
        local = self.sign(
            self.lead(
                name="本地配套项目", investor="喀什本地公司", source_region="local", lead_on=D(2024, 2, 1)
            ),
            on=D(2024, 5, 10),
            amount="8000",
            contract_no="L-1",
        )
        self.last_year = self.sign(
            self.lead(name="去年项目", investor="去年公司", lead_on=D(2023, 1, 5)),
            on=D(2023, 3, 1),
            amount="12000",
            contract_no="O-1",
            talks_on=D(2023, 1, 9),
        )
        for project, on, amount, evidence in (
            (drone, D(2024, 6, 28), "5000", "bank"),
            (drone, D(2024, 6, 29), "2000", "self"),  # self-reported: graded D, not counted
            (local, D(2024, 5, 20), "1000", "verified"),
            (local, D(2024, 7, 2), "500", "invoice"),  # after June: not in H1
            (self.last_year, D(2023, 4, 1), "4000", "bank"),
        ):
            services.record_funds(
                actor=self.admin, project=project, on=on, amount_wan=amount, evidence=evidence, source=WEB
            )
        services.advance_stage(
            actor=self.admin,
            project=self.last_year,
            to_stage="started",
            data={"land_on": D(2023, 5, 1), "parcel": "KS-1", "land_mu": "50", "started_on": D(2024, 3, 1)},
            source=WEB,
        )

    def test_funds_count_evidenced_amounts_dated_in_the_span(self):
        funds = figure(self.kashgar, "INV_FUND")
        self.assertEqual((funds.value, funds.last_year, funds.units), (Decimal("0.6"), Decimal("0.4"), 2))
        self.assertEqual(figure(self.kashgar, "INV_FUND", "2024-07").value, Decimal("0.65"))
        self.assertEqual(
            figure(self.kashgar, "INV_FUND_OUT").value, Decimal("0.5")
        )  # the local 1000 left out
        self.assertEqual(funds.parts[("park", "textile")].current, Decimal("0.5"))
        self.assertEqual(funds.parts[("industry", "38")].current, Decimal("0.6"))

    def test_signings_and_big_projects(self):
        self.assertEqual(figure(self.kashgar, "INV_SIGN_N").value, 2)
        self.assertEqual(figure(self.kashgar, "INV_SIGN_N").last_year, 1)
        self.assertEqual(figure(self.kashgar, "INV_SIGN_AMT").value, Decimal("2.3"))
        self.assertEqual(figure(self.kashgar, "INV_BIG_N").value, 1)  # 8,000 万元 is under 1 亿
        started = figure(self.kashgar, "INV_BIG_START")
        self.assertEqual((started.value, started.last_year), (1, 0))

    def test_a_flagged_duplicate_is_not_counted(self):
        twice = self.lead(name="中天智控无人机项目", lead_on=D(2024, 6, 20))
        self.sign(twice, on=D(2024, 6, 28), contract_no="DUP", talks_on=D(2024, 6, 21))
        self.assertEqual(figure(self.kashgar, "INV_SIGN_N").value, 2)
        self.assertEqual(figure(self.kashgar, "INV_SIGN_AMT").value, Decimal("2.3"))

    def test_no_ledger_no_figure_and_other_zones_apart(self):
        self.assertIsNone(figure(self.other, "INV_FUND"))
        self.assertIsNone(figure(self.kashgar, "INV_FUND", "2021H1"))
        self.assertIsNone(figure(self.kashgar, "INV_FUND", "2024H1").official_growth)

    def test_periods_and_refresh_after_new_funds(self):
        codes = ledger.periods_with_activity(self.kashgar)
        self.assertIn("2024-06", codes)
        self.assertIn("2023-12", codes)
        self.assertNotIn("2023-01", codes)  # 1–2月 are one period in the statistics
        engine.rebuild(self.kashgar)
        stored = Result.objects.get(
            zone=self.kashgar, indicator__code="INV_FUND", period="2024-06", scope="zone"
        )
        self.assertEqual(stored.value, Decimal("0.6"))
        self.assertEqual(stored.growth, Decimal("0.5"))
        project = self.last_year
        with self.captureOnCommitCallbacks(execute=True):
            services.record_funds(
                actor=self.admin,
                project=project,
                on=D(2024, 6, 1),
                amount_wan="3000",
                evidence="bank",
                source=WEB,
            )
        for period, value in (("2024-06", "0.9"), ("2024-07", "0.95"), ("2024-05", "0.1")):
            with self.subTest(period=period):
                self.assertEqual(
                    Result.objects.get(
                        zone=self.kashgar, indicator__code="INV_FUND", period=period, scope="zone"
                    ).value,
                    Decimal(value),
                )
