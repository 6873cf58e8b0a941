from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError

from jushi.core.choices import ChangeSource
from jushi.lib.periods import Period
from jushi.lib.tabular import Table, read_table
from jushi.reporting.choices import EventKind, Status
from jushi.reporting.columns import headers_for
from jushi.reporting.exporters import PeriodExporter
from jushi.reporting.models import Submission, SubmissionEvent, Value
from jushi.reporting.services.importing import import_period
from jushi.reporting.services.submissions import submit_report

from .base import WEB, D, ReportingTestCase, good_figures

JUNE = Period.parse("2024-06")


class PeriodImportTests(ReportingTestCase):
    def table(self, rows) -> Table:
        headers = headers_for(self.form.fields.all())
        return Table(headers=headers, rows=[dict(zip(headers, r, strict=False)) for r in rows])

    def row(self, code=None, name="", figures=None, note=""):
        figures = figures or good_figures()
        cells = [code or self.ent_a.credit_code, name, ""]
        for f in self.form.fields.all():
            now, ly = figures[f.code]
            cells += [str(now), str(ly)]
        return [*cells, note]

    def run_import(self, rows, **kw):
        return import_period(
            actor=self.reviewer,
            form=self.form,
            period=JUNE,
            table=self.table(rows),
            source=ChangeSource.IMPORT,
            **kw,
        )

    def test_a_clean_file_is_saved_approved_with_history(self):
        result = self.run_import([self.row()])
        self.assertEqual((result.errors, result.count("create")), ([], 1))
        sub = self.fresh()
        self.assertEqual(sub.status, Status.APPROVED)
        value = Value.objects.get(submission=sub, field__code="gross_output")
        self.assertEqual((value.current, value.approved_current), (D(10000), D(10000)))
        self.assertEqual(list(sub.events.values_list("kind", flat=True)), [EventKind.IMPORTED])

    def test_dry_run_writes_nothing(self):
        result = self.run_import([self.row()], dry_run=True)
        self.assertTrue(result.ok)
        self.assertFalse(Value.objects.exists())
        self.assertEqual(self.fresh().status, Status.PENDING)

    def test_every_bad_row_is_named_and_nothing_is_saved(self):
        bad = good_figures()
        bad["export_value"] = (D(20000), D(400))
        rows = [
            self.row(),
            self.row(),  # duplicate
            self.row(code=self.ent_b.credit_code),  # not in the 2024 set
            self.row(code="91653101MA0000000X"),  # not registered (invalid code, too)
            self.row(code=self.ent_c.credit_code),  # other zone: not visible
        ]
        text = self.row()
        text[3] = "一万"
        rows.append(text)
        result = self.run_import(rows)
        messages = [str(e) for e in result.errors]
        self.assertIn("第 3 行 统一社会信用代码: " + self.ent_a.credit_code + " 与第 2 行重复", messages)
        self.assertTrue(
            any(m.startswith("第 4 行 统一社会信用代码: “乙锂电有限公司”不在2024年1-6月") for m in messages)
        )
        self.assertTrue(
            any(m.startswith("第 5 行 统一社会信用代码: ") and "未在企业名录中登记" in m for m in messages)
        )
        self.assertTrue(
            any(m.startswith("第 6 行 统一社会信用代码: ") and "未在企业名录中登记" in m for m in messages)
        )
        self.assertFalse(Value.objects.exists())
        result = self.run_import([self.row(figures=bad)])
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 2 行 整行: 出口交货值 20,000 大于工业销售产值 9,800;出口交货值是销售产值的一部分"],
        )
        self.assertFalse(Value.objects.exists())

    def test_text_negative_and_missing_columns_are_named(self):
        bad = self.row()
        bad[3] = "abc"  # gross_output current
        bad[5] = "-5"  # sales_output current
        result = self.run_import([bad])
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 2 行 工业总产值(当年价格)(千元): “abc”不是数字",
                "第 2 行 工业销售产值(当年价格)(千元): 不能为负数",
            ],
        )
        headers = headers_for(self.form.fields.all())
        table = Table(headers=[h for h in headers if h != "营业收入(千元)"] + ["神秘列"], rows=[{}])
        result = import_period(actor=self.reviewer, form=self.form, period=JUNE, table=table, source="import")
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 1 行 表头: 未知的列:神秘列", "第 1 行 表头: 缺少必需的列:营业收入(千元)"],
        )

    def test_warnings_are_kept_with_the_rows_note(self):
        figures = good_figures()
        figures["taxes"] = (D(900), D(290))
        self.run_import([self.row(figures=figures, note="补缴税款")])
        check = self.fresh().check_results.get()
        self.assertEqual((check.key, check.explanation), ("yoy_30:taxes", "补缴税款"))

    def test_export_then_import_is_unchanged(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        self.run_import([self.row()])
        _, _, data = PeriodExporter(actor=self.reviewer, form=self.form, period=JUNE, fmt="xlsx").render()
        table = read_table(data, "x.xlsx", max_bytes=10**7)
        result = import_period(actor=self.reviewer, form=self.form, period=JUNE, table=table, source="import")
        self.assertEqual((result.errors, result.count("unchanged")), ([], 1))

    def test_reimport_of_approved_changes_is_a_new_revision(self):
        self.run_import([self.row()])
        figures = good_figures()
        figures["cost"] = (D(8600), D("7727.3"))
        result = self.run_import([self.row(figures=figures)])
        self.assertEqual(result.count("update"), 1)
        sub = self.fresh()
        self.assertEqual((sub.revision, sub.status), (2, Status.APPROVED))
        self.assertEqual(Value.objects.get(submission=sub, field__code="cost").approved_current, D(8600))

    def test_reporters_cannot_import(self):
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            import_period(
                actor=self.reporter_a, form=self.form, period=JUNE, table=self.table([self.row()]), source="x"
            )


class CommandTests(ReportingTestCase):
    def test_export_import_and_remind_from_the_command_line(self, tmp=None):
        import tempfile
        from pathlib import Path

        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "june.xlsx"
            out = StringIO()
            call_command(
                "reporting", "export", str(path), "--period", "2024-06", "--zone", "kashgar", stdout=out
            )
            self.assertIn("已导出", out.getvalue())
            out = StringIO()
            call_command(
                "reporting",
                "import",
                str(path),
                "--period",
                "2024-06",
                "--dry-run",
                stdout=out,
                stderr=StringIO(),
            )
            self.assertIn("[试运行] 将新报 0 家企业,将更新 1 家企业", out.getvalue())
            self.assertIn("状态: 已报送待审核 → 已审核", out.getvalue())
            self.assertEqual(self.fresh().status, Status.SUBMITTED)
        with self.assertRaisesMessage(CommandError, "--period: 无法识别的期别“2024-13”"):
            call_command("reporting", "remind", "--period", "2024-13")
        out = StringIO()
        call_command("reporting", "remind", "--period", "2024-06", stdout=out)
        self.assertIn("共催报 0 家企业", out.getvalue())  # ent_a has submitted
        self.assertEqual(SubmissionEvent.objects.filter(kind=EventKind.REMINDED).count(), 0)
        self.assertEqual(Submission.objects.count(), 1)
