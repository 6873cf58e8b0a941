"""Reporting personas: the kashgar zone's 2024-06 monthly period is open; ent_a must report it."""

from decimal import Decimal

from jushi.core.choices import ChangeSource
from jushi.core.testing import PersonaTestCase
from jushi.lib.periods import Period
from jushi.reporting.models import ReportForm, Submission
from jushi.reporting.services.periods import open_period

D = Decimal
WEB = ChangeSource.WEB


def good_figures(scale: int = 1) -> dict[str, tuple[Decimal, Decimal]]:
    """A complete, consistent report: no check fires (growth 10%, identities hold)."""
    now = {
        "gross_output": D(10000),
        "sales_output": D(9800),
        "export_value": D(500),
        "revenue": D(10100),
        "cost": D(8500),
        "operating_profit": D(900),
        "non_op_income": D(20),
        "non_op_expense": D(10),
        "total_profit": D(910),
        "taxes": D(320),
        "receivables": D(2000),
        "electricity": D("25.5"),
        "energy": D("31.3"),
        "employees": D(300),
        "rd_spending": D(101),
    }
    figures = {k: (v * scale, (v * scale / D("1.1")).quantize(D("0.1"))) for k, v in now.items()}
    figures["employees"] = (D(300), D(280))
    return figures


class ReportingTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.form = ReportForm.objects.get(code="ind-monthly")
        cls.period, added = open_period(
            actor=cls.admin, form=cls.form, zone=cls.kashgar, period=Period.parse("2024-06")
        )
        cls.sub_a = Submission.objects.get(period=cls.period, enterprise=cls.ent_a)

    def fresh(self, submission=None) -> Submission:
        return Submission.objects.get(pk=(submission or self.sub_a).pk)
