"""Blank is not zero: a figure with its last-year value left empty is refused on the page, through the
API and in a period import; a real zero is entered as 0."""

from django.test import override_settings

from jushi.core.choices import ChangeSource
from jushi.lib.periods import Period
from jushi.lib.tabular import Table
from jushi.reporting.choices import Status
from jushi.reporting.columns import headers_for
from jushi.reporting.models import CheckResult, Rule, Value
from jushi.reporting.services.importing import import_period
from jushi.reporting.services.submissions import submit_report

from .base import WEB, D, ReportingTestCase, good_figures
from .test_pages import post_figures

MESSAGE = "上年同期为空:请填写上年同期数,新投产企业填 0 并说明"


@override_settings(JUSHI_TODAY="2024-07-10")
class BlankLastYearTests(ReportingTestCase):
    def blank_rd(self):
        figures = good_figures()
        figures["rd_spending"] = (D(101), None)
        return figures

    def test_the_rule_is_shipped_blocking_for_every_field_of_both_forms(self):
        rules = Rule.objects.filter(code="last_year_blank").order_by("form__code")
        self.assertEqual(
            [(r.form.code, r.severity, r.applies_to, r.message) for r in rules],
            [
                ("ind-monthly", "blocking", "each_field", MESSAGE),
                ("svc-quarterly", "blocking", "each_field", MESSAGE),
            ],
        )

    def test_the_page_refuses_a_blank_last_year_and_keeps_the_draft(self):
        data = post_figures(self.blank_rd(), action="submit")
        data["rd_spending__ly"] = ""
        response = self.login(self.reporter_a).post(self.sub_a.get_absolute_url(), data)
        self.assertContains(response, MESSAGE, status_code=response.status_code)
        sub = self.fresh()
        self.assertEqual(sub.status, Status.DRAFT)
        value = Value.objects.get(submission=sub, field__code="rd_spending")
        self.assertEqual((value.current, value.last_year), (D(101), None))
        self.assertFalse(CheckResult.objects.exists())

    def test_the_service_names_the_field_and_an_explanation_does_not_help(self):
        outcome = submit_report(
            actor=self.reporter_a,
            submission=self.sub_a,
            figures=self.blank_rd(),
            explanations={"last_year_blank:rd_spending": "去年没有研发"},
            source=WEB,
        )
        self.assertFalse(outcome.submitted)
        self.assertEqual(
            [(f.key, f.message) for f in outcome.blocking], [("last_year_blank:rd_spending", MESSAGE)]
        )

    def test_a_blank_current_figure_needs_no_last_year(self):
        figures = good_figures()
        figures["rd_spending"] = (None, None)  # not required, not reported this year
        outcome = submit_report(actor=self.reporter_a, submission=self.sub_a, figures=figures, source=WEB)
        self.assertEqual((outcome.submitted, outcome.findings), (True, []))

    def test_a_real_zero_passes_the_rule(self):
        figures = good_figures()
        figures["rd_spending"] = (D(101), D(0))  # a new R&D budget: last year really 0
        outcome = submit_report(actor=self.reporter_a, submission=self.sub_a, figures=figures, source=WEB)
        self.assertEqual(outcome.blocking, [])
        self.assertEqual(outcome.submitted, True)

    def test_the_api_answers_422_with_the_rule(self):
        body = {
            "values": {
                code: {"current": str(now), "last_year": None if ly is None else str(ly)}
                for code, (now, ly) in self.blank_rd().items()
            }
        }
        response = self.login(self.reporter_a).post(
            f"/api/reporting/submissions/{self.sub_a.pk}/submit/", body, content_type="application/json"
        )
        self.assertEqual(response.status_code, 422, response.content)
        blocking = response.json()["blocking"]
        self.assertEqual(
            [(f["key"], f["field"], f["message"]) for f in blocking],
            [("last_year_blank:rd_spending", "rd_spending", MESSAGE)],
        )
        self.assertEqual(self.fresh().status, Status.DRAFT)

    def test_the_import_refuses_the_row_and_saves_nothing(self):
        headers = headers_for(self.form.fields.all())
        cells = [self.ent_a.credit_code, "", ""]
        for f in self.form.fields.all():
            now, ly = self.blank_rd()[f.code]
            cells += [str(now), "" if ly is None else str(ly)]
        table = Table(headers=headers, rows=[dict(zip(headers, [*cells, ""], strict=True))])
        result = import_period(
            actor=self.reviewer,
            form=self.form,
            period=Period.parse("2024-06"),
            table=table,
            source=ChangeSource.IMPORT,
        )
        self.assertEqual(
            [str(e) for e in result.errors], [f"第 2 行 研究与试验发展(R&D)经费支出(千元): {MESSAGE}"]
        )
        self.assertFalse(Value.objects.exists())
        self.assertEqual(self.fresh().status, Status.PENDING)
