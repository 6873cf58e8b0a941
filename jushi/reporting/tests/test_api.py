from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from jushi.core.testing import PersonaTestCase
from jushi.lib.periods import Period
from jushi.reporting.models import CheckResult, ReportForm, Submission, SubmissionEvent, Value, ValueChange
from jushi.reporting.services.periods import open_period

# A complete, consistent set: profit identity holds (150 + 10 − 5 = 155), export ≤ sales, sales/gross
# 0.96, every field within ±30% of last year.
GOOD = {
    "gross_output": ("1200.5", "1000"),
    "sales_output": ("1150", "1000"),
    "export_value": ("300", "280"),
    "revenue": ("1180", "1000"),
    "cost": ("900", "800"),
    "operating_profit": ("150", "130"),
    "non_op_income": ("10", "10"),
    "non_op_expense": ("5", "5"),
    "total_profit": ("155", "135"),
    "taxes": ("40", "35"),
    "receivables": ("500", "450"),
    "electricity": ("12.34", "11"),
    "energy": ("56.78", "50"),
    "employees": ("120", "110"),
    "rd_spending": ("20", "18"),
}


def values(overrides=None, **changes):
    figures = {**GOOD, **(overrides or {}), **changes}
    return {code: {"current": cur, "last_year": ly} for code, (cur, ly) in figures.items()}


class ReportingApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.form = ReportForm.objects.get(code="ind-monthly")
        cls.period, _ = open_period(
            actor=cls.admin, form=cls.form, zone=cls.kashgar, period=Period.parse("2024-06")
        )
        cls.sub = Submission.objects.get(period=cls.period, enterprise=cls.ent_a)

    def url(self, action="", submission=None):
        base = f"/api/reporting/submissions/{(submission or self.sub).pk}/"
        return f"{base}{action}/" if action else base

    def post(self, client, action, body, submission=None, **extra):
        return client.post(self.url(action, submission), body, content_type="application/json", **extra)

    def submit_good(self):
        response = self.post(self.login(self.reporter_a), "submit", {"values": values()})
        self.assertEqual(response.status_code, 200, response.content)
        self.sub.refresh_from_db()
        return response

    def figure(self, code, part="current"):
        return (
            Value.objects.filter(submission=self.sub, field__code=code).values_list(part, flat=True).first()
        )

    # Reading ----------------------------------------------------------------------------------------

    def test_forms_list_fields_and_active_rules(self):
        client = self.login(self.reporter_a)
        form = client.get("/api/reporting/forms/ind-monthly/").json()
        self.assertEqual(len(form["fields"]), 15)
        self.assertEqual(
            form["fields"][0],
            {
                "code": "gross_output",
                "label": "工业总产值(当年价格)",
                "unit": "千元",
                "value_type": "decimal",
                "decimals": 1,
                "aggregation": "flow",
                "allow_negative": False,
                "required": True,
                "help_text": "",
            },
        )
        rule = next(r for r in form["rules"] if r["code"] == "export_within_sales")
        self.assertEqual((rule["severity"], rule["applies_to"]), ("blocking", "form"))
        self.assertEqual(rule["expression"], "export_value <= sales_output")
        self.form.rules.filter(code="yoy_30").update(is_active=False)
        form = client.get("/api/reporting/forms/ind-monthly/").json()
        self.assertNotIn("yoy_30", [r["code"] for r in form["rules"]])
        codes = [f["code"] for f in client.get("/api/reporting/forms/").json()["results"]]
        self.assertEqual(codes, ["ind-monthly", "svc-quarterly"])

    def test_periods_are_restricted_and_filtered(self):
        other, _ = open_period(
            actor=self.other_admin, form=self.form, zone=self.other, period=Period.parse("2024-06")
        )
        codes = lambda user, **p: [  # noqa: E731
            (r["zone"], r["code"])
            for r in self.login(user).get("/api/reporting/periods/", p).json()["results"]
        ]
        self.assertEqual(codes(self.reporter_a), [("kashgar", "2024-06")])
        self.assertEqual(codes(self.regional), [("kashgar", "2024-06"), ("other", "2024-06")])
        self.assertEqual(codes(self.regional, zone="other"), [("other", "2024-06")])
        self.assertEqual(codes(self.regional, form="svc-quarterly"), [])
        self.assertEqual(codes(self.regional, code="2024-05"), [])
        row = self.login(self.reviewer).get(f"/api/reporting/periods/{self.period.pk}/").json()
        self.assertEqual(
            (row["form"], row["label"], row["closed"]), ("ind-monthly", self.period.label, False)
        )
        self.assertTrue(row["opens_at"].startswith("2024-07-01"))
        self.assertTrue(row["deadline"].startswith("2024-07-16T12:00"))
        self.assertEqual(
            self.login(self.reviewer).get(f"/api/reporting/periods/{other.pk}/").status_code, 404
        )

    def test_reporter_obligations_are_their_own(self):
        open_period(actor=self.other_admin, form=self.form, zone=self.other, period=Period.parse("2024-06"))
        Submission.objects.create(period=self.period, enterprise=self.ent_b)
        rows = self.login(self.reporter_a).get("/api/reporting/obligations/").json()["results"]
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual(
            row["enterprise"],
            {"id": self.ent_a.pk, "name": "甲纺织有限公司", "credit_code": self.ent_a.credit_code},
        )
        self.assertEqual((row["period"]["form"], row["period"]["code"]), ("ind-monthly", "2024-06"))
        self.assertEqual((row["status"], row["is_overdue"]), ("pending", True))  # the deadline is past
        staff = self.login(self.reviewer).get("/api/reporting/obligations/").json()["results"]
        self.assertEqual([r["enterprise"]["name"] for r in staff], ["乙锂电有限公司", "甲纺织有限公司"])
        client = self.login(self.reporter_a)
        self.assertEqual(client.get("/api/reporting/obligations/", {"done": "true"}).json()["count"], 0)
        self.assertEqual(client.get("/api/reporting/obligations/", {"done": "false"}).json()["count"], 1)
        self.assertEqual(client.get("/api/reporting/obligations/", {"status": "approved"}).json()["count"], 0)
        self.assertEqual(client.get("/api/reporting/obligations/", {"period": "2024-05"}).json()["count"], 0)
        self.submit_good()
        self.assertEqual(client.get("/api/reporting/obligations/", {"done": "true"}).json()["count"], 1)

    def test_submission_list_filters(self):
        Submission.objects.create(period=self.period, enterprise=self.ent_b)
        client = self.login(self.reviewer)
        names = lambda **p: [  # noqa: E731
            r["enterprise"]["name"] for r in client.get("/api/reporting/submissions/", p).json()["results"]
        ]
        self.assertEqual(sorted(names()), ["乙锂电有限公司", "甲纺织有限公司"])
        self.assertEqual(names(enterprise=self.ent_b.credit_code), ["乙锂电有限公司"])
        self.assertEqual(len(names(form="ind-monthly", period="2024-06", zone="kashgar")), 2)
        self.assertEqual(names(zone="other"), [])
        self.submit_good()
        self.assertEqual(names(status="submitted"), ["甲纺织有限公司"])

    # Submitting -------------------------------------------------------------------------------------

    def test_token_submit_then_same_again_is_already(self):
        token = Token.objects.create(user=self.reporter_a)
        auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
        response = self.post(self.client, "submit", {"values": values()}, **auth)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["submitted"], body["already"], body["status"]), (True, False, "submitted"))
        self.assertEqual(
            (body["blocking"], body["warnings_missing_explanation"], body["findings"]), ([], [], [])
        )
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, "submitted")
        self.assertEqual(self.figure("gross_output"), Decimal("1200.5"))
        self.assertEqual(self.figure("electricity", "last_year"), Decimal("11"))
        event = SubmissionEvent.objects.get(submission=self.sub, kind="submitted")
        self.assertEqual((event.source, event.actor_name), ("api", "reporter_a"))
        self.assertEqual(ValueChange.objects.get(submission=self.sub).source, "api")

        version = self.sub.version
        events = SubmissionEvent.objects.count()
        again = self.post(self.client, "submit", {"values": values()}, **auth)
        self.assertEqual(again.status_code, 200, again.content)
        self.assertEqual((again.json()["submitted"], again.json()["already"]), (True, True))
        self.sub.refresh_from_db()
        self.assertEqual((self.sub.version, SubmissionEvent.objects.count()), (version, events))

        detail = self.client.get(self.url(), **auth).json()
        self.assertEqual(
            detail["values"]["gross_output"],
            {"current": "1200.5", "last_year": "1000", "approved_current": None, "approved_last_year": None},
        )
        self.assertEqual([e["kind"] for e in detail["events"]], ["submitted"])
        self.assertEqual(detail["version"], version)

    def test_numbers_may_be_json_numbers_and_missing_parts_keep_their_figure(self):
        client = self.login(self.reporter_a)
        response = self.post(client, "save", {"values": {"electricity": {"current": 12.34, "last_year": 11}}})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["changed"], ["electricity"])
        response = self.post(client, "save", {"values": {"electricity": {"current": "13"}}})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (self.figure("electricity"), self.figure("electricity", "last_year")),
            (Decimal("13"), Decimal("11")),
        )
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, "draft")

    def test_blocking_error_is_422_and_the_draft_is_saved(self):
        response = self.post(
            self.login(self.reporter_a), "submit", {"values": values(export_value=("1200", "280"))}
        )
        self.assertEqual(response.status_code, 422, response.content)
        body = response.json()
        self.assertEqual((body["submitted"], body["already"], body["status"]), (False, False, "draft"))
        self.assertEqual([f["key"] for f in body["blocking"]], ["export_within_sales"])
        self.assertEqual(body["blocking"][0]["severity"], "blocking")
        self.assertIn("出口交货值 1,200 大于工业销售产值 1,150", body["blocking"][0]["message"])
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, "draft")
        self.assertEqual(self.figure("export_value"), Decimal("1200"))
        self.assertEqual(self.figure("gross_output"), Decimal("1200.5"))
        self.assertFalse(CheckResult.objects.exists())

    def test_warning_needs_an_explanation_which_is_stored(self):
        client = self.login(self.reporter_a)
        body = {"values": values(gross_output=("1200.5", "800"))}  # +50% on last year
        response = self.post(client, "submit", body)
        self.assertEqual(response.status_code, 422, response.content)
        data = response.json()
        self.assertEqual(data["blocking"], [])
        self.assertEqual([f["key"] for f in data["warnings_missing_explanation"]], ["yoy_30:gross_output"])
        self.assertEqual(data["warnings_missing_explanation"][0]["field"], "gross_output")
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, "draft")

        response = self.post(client, "submit", {**body, "explanations": {"yoy_30:gross_output": "新线投产"}})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual((response.json()["submitted"], response.json()["status"]), (True, "submitted"))
        result = CheckResult.objects.get(submission=self.sub)
        self.assertEqual(
            (result.key, result.severity, result.explanation), ("yoy_30:gross_output", "warning", "新线投产")
        )
        checks = client.get(self.url()).json()["check_results"]
        self.assertEqual(
            [(c["key"], c["field"], c["explanation"]) for c in checks],
            [("yoy_30:gross_output", "gross_output", "新线投产")],
        )

    def test_bad_values_name_the_field_and_save_nothing(self):
        client = self.login(self.reporter_a)
        for action in ("save", "submit"):
            response = self.post(client, action, {"values": {**values(), "foo": {"current": "1"}}})
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json(), {"values": {"foo": ["未知的指标代码"]}})
            response = self.post(client, action, {"values": values(gross_output=("abc", "1000"))})
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json(), {"values": {"gross_output.current": ["“abc”不是数字"]}})
        response = self.post(
            client,
            "save",
            {
                "values": {
                    "employees": {"current": "1.5"},
                    "revenue": {"last_year": "-3"},
                    "cost": {"current": True},
                    "taxes": "12",
                    "rd_spending": {"now": "1"},
                }
            },
        )
        self.assertEqual(response.status_code, 400)
        errors = response.json()["values"]
        self.assertEqual(errors["employees.current"], ["应为整数"])
        self.assertEqual(errors["revenue.last_year"], ["不能为负数"])
        self.assertEqual(
            set(errors),
            {"employees.current", "revenue.last_year", "cost.current", "taxes", "rd_spending.now"},
        )
        missing = dict(values())
        del missing["employees"]
        response = self.post(client, "submit", {"values": missing})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"values": {"employees.current": ["必填;本期没有发生请填 0"]}})
        self.sub.refresh_from_db()
        self.assertEqual((self.sub.status, self.sub.version), ("pending", 0))
        self.assertFalse(Value.objects.exists())
        self.assertFalse(ValueChange.objects.exists())
        self.assertFalse(SubmissionEvent.objects.exists())

    def test_other_enterprise_gets_404_and_nothing_changes(self):
        self.submit_good()
        self.post(self.login(self.reporter_a), "save", {"values": {}})  # no-op
        version = self.sub.version
        client = self.login(self.reporter_b)
        self.assertEqual(client.get(self.url()).status_code, 404)
        for action in ("save", "submit", "approve", "return"):
            response = self.post(client, action, {"values": values(gross_output=("9999", "9999"))})
            self.assertEqual(response.status_code, 404, action)
        self.sub.refresh_from_db()
        self.assertEqual((self.sub.status, self.sub.version), ("submitted", version))
        self.assertEqual(self.figure("gross_output"), Decimal("1200.5"))

    def test_staff_may_not_fill_in(self):
        client = self.login(self.reviewer)
        for action in ("save", "submit"):
            response = self.post(client, action, {"values": values()})
            self.assertEqual(response.status_code, 403, action)
            self.assertIn("只有本企业的填报员", response.json()["detail"])
        self.assertFalse(Value.objects.exists())

    def test_reporter_may_not_approve(self):
        self.submit_good()
        response = self.post(self.login(self.reporter_a), "approve", {})
        self.assertEqual(response.status_code, 403)
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, "submitted")

    def test_submitted_figures_cannot_be_changed_by_submitting_again(self):
        self.submit_good()
        response = self.post(self.login(self.reporter_a), "submit", {"values": values(cost=("901", "800"))})
        self.assertEqual(response.status_code, 400)
        self.assertIn("已报送", response.json()["detail"])
        self.assertEqual(self.figure("cost"), Decimal("900"))

    # Reviewing --------------------------------------------------------------------------------------

    def test_staff_approve_fills_the_approved_figures(self):
        self.submit_good()
        response = self.post(
            self.login(self.reviewer), "approve", {"version": self.sub.version, "note": "ok"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["status"], "approved")
        self.assertEqual(body["values"]["gross_output"]["approved_current"], "1200.5")
        self.assertEqual(body["values"]["employees"]["approved_last_year"], "110")
        self.assertEqual(body["events"][-1]["kind"], "approved")
        self.assertEqual(body["events"][-1]["source"], "api")
        self.assertEqual(self.figure("gross_output", "approved_current"), Decimal("1200.5"))
        again = self.post(self.login(self.reviewer), "approve", {})
        self.assertEqual(again.status_code, 400)
        self.assertIn("已审核", again.json()["detail"])

    def test_return_needs_a_reason(self):
        self.submit_good()
        client = self.login(self.reviewer)
        response = self.post(client, "return", {"reason": "  "})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"detail": "退回原因: 必填,企业会看到这段说明"})
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, "submitted")
        response = self.post(client, "return", {"reason": "利润数请核对", "version": self.sub.version})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["status"], response.json()["return_reason"]), ("returned", "利润数请核对")
        )

    def test_second_reviewer_with_a_stale_version_gets_409(self):
        self.submit_good()
        seen = self.sub.version
        response = self.post(self.login(self.admin), "return", {"reason": "请核对", "version": seen})
        self.assertEqual(response.status_code, 200, response.content)
        response = self.post(self.login(self.reviewer), "approve", {"version": seen})
        self.assertEqual(response.status_code, 409)
        self.assertIn("报表刚被其他人处理", response.json()["detail"])
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, "returned")
        self.assertFalse(Value.objects.filter(approved_current__isnull=False).exists())

    # Performance and schema -------------------------------------------------------------------------

    def test_submission_list_query_count_is_fixed(self):
        client = self.login(self.reporter_a)
        self.submit_good()

        def count():
            client.get("/api/reporting/submissions/")
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/api/reporting/submissions/")
            return len(queries), response.json()["count"]

        one = count()
        for code in ("2024-05", "2024-04"):
            open_period(actor=self.admin, form=self.form, zone=self.kashgar, period=Period.parse(code))
        three = count()
        self.assertEqual((one[1], three[1]), (1, 3))
        self.assertEqual(one[0], three[0])
        with self.assertNumQueries(10):
            client.get("/api/reporting/submissions/")

    def test_schema_has_the_reporting_endpoints(self):
        schema = (
            self.login(self.leader).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        )
        for path in (
            "/api/reporting/forms/{code}/",
            "/api/reporting/periods/",
            "/api/reporting/obligations/",
            "/api/reporting/submissions/",
            "/api/reporting/submissions/{id}/save/",
            "/api/reporting/submissions/{id}/submit/",
            "/api/reporting/submissions/{id}/approve/",
            "/api/reporting/submissions/{id}/return/",
        ):
            self.assertIn(path, schema["paths"])
        submit = schema["paths"]["/api/reporting/submissions/{id}/submit/"]["post"]
        self.assertEqual(set(submit["responses"]) >= {"200", "422", "400", "403", "404", "409"}, True)
        params = {p["name"] for p in schema["paths"]["/api/reporting/submissions/"]["get"]["parameters"]}
        self.assertTrue({"form", "period", "zone", "status", "enterprise"} <= params)

    def test_anonymous_gets_nothing(self):
        self.assertIn(self.client.get("/api/reporting/submissions/").status_code, (401, 403))
        self.assertIn(
            self.client.post(self.url("submit"), {}, content_type="application/json").status_code, (401, 403)
        )
