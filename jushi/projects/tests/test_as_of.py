"""The ledger as of a period's end (DOMAIN §3a): contract changes count from their effective date, so a
closed period's signings keep their amounts; the funds rule holds on every day."""

from decimal import Decimal

from django.test import override_settings

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog

from .. import services
from ..models import ContractChange, FundsRecord, Project
from ..services.funds import agreed_on
from .base import D, LedgerTestCase
from .test_ledger import figure

WEB = ChangeSource.WEB


@override_settings(JUSHI_TODAY="2024-09-10")
class ContractAsOfTests(LedgerTestCase):
    def setUp(self):
        self.project = self.sign(
            self.lead(lead_on=D(2024, 1, 5)), on=D(2024, 3, 1), amount="9000", talks_on=D(2024, 2, 1)
        )  # 0.9 亿元

    def change(self, on, amount, reason="补充协议"):
        return services.change_contract(
            actor=self.admin,
            project=self.project,
            effective_on=on,
            new_investment=amount,
            reason=reason,
            source=WEB,
        )

    def test_a_change_counts_from_its_effective_date(self):
        self.change(D(2024, 8, 1), "12000")
        self.assertEqual(figure(self.kashgar, "INV_SIGN_AMT", "2024H1").value, Decimal("0.9"))
        self.assertEqual(figure(self.kashgar, "INV_BIG_N", "2024H1").value, Decimal(0))
        self.assertEqual(figure(self.kashgar, "INV_SIGN_AMT", "2024-07").value, Decimal("0.9"))
        self.assertEqual(figure(self.kashgar, "INV_SIGN_AMT", "2024-08").value, Decimal("1.2"))
        self.assertEqual(figure(self.kashgar, "INV_BIG_N", "2024-08").value, Decimal(1))
        self.assertEqual(figure(self.kashgar, "INV_SIGN_N", "2024-08").value, Decimal(1))
        change = ContractChange.objects.get()
        self.assertEqual((change.on, change.effective_on), (D(2024, 9, 10), D(2024, 8, 1)))  # recorded today

    def test_a_change_recorded_later_but_effective_earlier_slots_in(self):
        self.change(D(2024, 8, 1), "20000")
        self.change(D(2024, 7, 1), "18000")
        rows = list(
            ContractChange.objects.order_by("effective_on").values_list("old_investment", "new_investment")
        )
        self.assertEqual(rows, [(Decimal("9000"), Decimal("18000")), (Decimal("18000"), Decimal("20000"))])
        self.project.refresh_from_db()
        self.assertEqual(self.project.agreed_investment, Decimal("20000"))
        self.assertEqual(
            [agreed_on(self.project, d) for d in (D(2024, 6, 30), D(2024, 7, 15), D(2024, 8, 1))],
            [Decimal("9000"), Decimal("18000"), Decimal("20000")],
        )
        as_of = Project.objects.with_agreed_as_of(D(2024, 7, 31)).get(pk=self.project.pk).agreed_then
        self.assertEqual(as_of, Decimal("18000"))
        self.assertEqual(figure(self.kashgar, "INV_SIGN_AMT", "2024-07").value, Decimal("1.8"))

    def test_a_change_before_signing_or_after_today_is_refused_and_nothing_changes(self):
        for on, message in (
            (D(2024, 2, 29), "生效日期不能早于签约日期 2024-03-01"),
            (D(2024, 9, 11), "不能晚于今天"),
            (None, "必填"),
        ):
            with self.assertRaises(services.ProjectError) as caught:
                self.change(on, "12000")
            self.assertEqual(caught.exception.errors, {"effective_on": message})
        self.project.refresh_from_db()
        self.assertEqual((self.project.agreed_investment, self.project.version), (Decimal("9000"), 2))
        self.assertFalse(ContractChange.objects.exists())
        self.assertFalse(ChangeLog.objects.filter(reason__startswith="合同变更").exists())

    def test_funds_fit_the_contract_as_it_stood_on_their_date(self):
        self.change(D(2024, 8, 1), "12000")
        with self.assertRaises(services.ProjectError) as caught:  # dated before the change took effect
            services.record_funds(
                actor=self.admin,
                project=self.project,
                on=D(2024, 7, 1),
                amount_wan="10000",
                evidence="bank",
                source=WEB,
            )
        self.assertEqual(
            caught.exception.errors,
            {
                "amount": "到 2024-07-01 累计到位资金将达 10,000.00 万元,超过当时的协议总投资 9,000.00 万元;请先登记合同变更"
            },
        )
        self.assertFalse(FundsRecord.objects.exists())
        services.record_funds(
            actor=self.admin,
            project=self.project,
            on=D(2024, 8, 2),
            amount_wan="10000",
            evidence="bank",
            source=WEB,
        )
        with self.assertRaises(services.ProjectError) as caught:  # would undercut funds already in place
            self.change(D(2024, 8, 5), "9500", reason="缩减")
        self.assertEqual(
            caught.exception.errors,
            {
                "new_investment": "不能低于已到位资金:到 2024-08-05 已到位 10,000.00 万元,变更后当时的协议投资只有 9,500.00 万元"
            },
        )
        self.project.refresh_from_db()
        self.assertEqual(
            (self.project.agreed_investment, self.project.funds_in_place),
            (Decimal("12000"), Decimal("10000")),
        )
        self.assertEqual(ContractChange.objects.count(), 1)

    def test_the_api_takes_the_effective_date_and_names_it_in_errors(self):
        self.client.force_login(self.admin)
        url = f"/api/projects/projects/{self.project.pk}/contract/"
        refused = self.client.post(
            url,
            {"effective_on": "2024-02-01", "new_investment": "12000", "reason": "扩产"},
            content_type="application/json",
        )
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(refused.json()["errors"], {"effective_on": "生效日期不能早于签约日期 2024-03-01"})
        missing = self.client.post(
            url, {"new_investment": "12000", "reason": "扩产"}, content_type="application/json"
        )
        self.assertEqual(missing.status_code, 400)
        self.assertIn("effective_on", missing.json()["errors"])
        self.assertFalse(ContractChange.objects.exists())
        made = self.client.post(
            url,
            {"effective_on": "2024-08-01", "new_investment": "12000", "reason": "扩产"},
            content_type="application/json",
        )
        self.assertEqual(made.status_code, 201, made.content)
        body = made.json()
        self.assertEqual(
            (body["effective_on"], body["on"], body["old_investment"], body["new_investment"]),
            ("2024-08-01", "2024-09-10", "9000.00", "12000.00"),
        )
