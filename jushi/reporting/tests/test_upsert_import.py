"""The period import's dry run as three groups (new reports, updated with old → new per figure,
unchanged), its rule for approved reports, the round trip of the system's own export, and the page's
confirmation from the stashed file."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jushi.core.choices import ChangeSource
from jushi.core.importing import Change
from jushi.core.testing import make_code
from jushi.lib.periods import Period
from jushi.lib.tabular import read_table
from jushi.registry.models import Enterprise, SizeMembership
from jushi.reporting.choices import Status
from jushi.reporting.columns import header_map
from jushi.reporting.exporters import PeriodExporter
from jushi.reporting.models import Submission, Value, ValueChange
from jushi.reporting.services.importing import import_period
from jushi.reporting.services.periods import open_period
from jushi.reporting.services.submissions import submit_report

from .base import WEB, D, ReportingTestCase, good_figures

JUNE = Period.parse("2024-06")


class ApprovedPeriod(ReportingTestCase):
    """Four enterprises owe June; all four are approved by an import of their figures."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.more = []
        for serial in (70, 71, 72):
            e = Enterprise.objects.create(
                zone=cls.kashgar,
                park=cls.energy,
                industry=cls.battery,
                name=f"规上企业{serial}",
                credit_code=make_code(serial),
            )
            SizeMembership.objects.create(enterprise=e, year=2024)
            cls.more.append(e)
        open_period(actor=cls.admin, form=cls.form, zone=cls.kashgar, period=JUNE)
        cls.firms = [cls.ent_a, *cls.more]

    def export(self) -> bytes:
        _, _, data = PeriodExporter(actor=self.reviewer, form=self.form, period=JUNE, fmt="xlsx").render()
        return data

    def import_file(self, data: bytes, *, dry_run=True):
        return import_period(
            actor=self.reviewer,
            form=self.form,
            period=JUNE,
            table=read_table(data, "june.xlsx", max_bytes=10**7),
            dry_run=dry_run,
            source=ChangeSource.IMPORT,
        )

    def approve_all(self):
        """Every firm's figures imported (and so approved), each firm's a little different."""
        _, _, data = PeriodExporter(actor=self.reviewer, form=self.form, period=JUNE, fmt="xlsx").render()
        wb = load_workbook(io.BytesIO(data))
        ws = wb.worksheets[0]
        columns = header_map(self.form.fields.all())
        headers = [c.value for c in ws[1]]
        for n, row in enumerate(ws.iter_rows(min_row=2), start=1):
            figures = good_figures(scale=n)
            for cell, header in zip(row, headers, strict=False):
                column = columns.get(header)
                if column is not None:
                    now, ly = figures[column.field_code]
                    cell.value = float(now if column.part == "current" else ly)
        out = io.BytesIO()
        wb.save(out)
        result = self.import_file(out.getvalue(), dry_run=False)
        assert result.ok, result.errors
        return result

    def edit(self, data: bytes, credit_code: str, field_code: str, part: str, value) -> bytes:
        wb = load_workbook(io.BytesIO(data))
        ws = wb.worksheets[0]
        columns = header_map(self.form.fields.all())
        headers = [c.value for c in ws[1]]
        col = next(
            i
            for i, h in enumerate(headers)
            if h in columns and (columns[h].field_code, columns[h].part) == (field_code, part)
        )
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == credit_code)
        row[col].value = value
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


class PeriodUpsertTests(ApprovedPeriod):
    def test_groups_new_updated_and_unchanged_with_old_and_new_figures(self):
        self.approve_all()
        data = self.export()
        data = self.edit(data, self.more[0].credit_code, "cost", "current", 8600 * 2)
        data = self.edit(data, self.more[0].credit_code, "electricity", "last_year", 46.5)
        result = self.import_file(data)
        self.assertEqual(result.errors, [])
        plan = result.groups()
        self.assertEqual((len(plan.created), len(plan.updated), plan.unchanged), (0, 1, 3))
        line = plan.updated[0]
        self.assertEqual(line.title, f"规上企业70({self.more[0].credit_code})")
        self.assertEqual(
            line.changes,
            [
                Change("营业成本(千元)", "17000", "17200"),
                Change("工业用电量(万千瓦时)上年同期", "46.4", "46.5"),
            ],
        )
        self.assertEqual(line.note, "已审核的报表,将以导入数据替换并记为第 2 次修订")
        self.assertIn("已审核的报表:数值与文件相同的不做改动", " ".join(plan.notes))

    def test_a_report_not_yet_approved_shows_its_status_change(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        result = self.import_file(self.export())
        self.assertEqual(result.errors, [])
        plan = result.groups()
        self.assertEqual(len(plan.updated), 1)
        self.assertEqual(
            [str(c) for c in plan.updated[0].changes], ["状态: 已报送待审核 → 已审核"]
        )  # the same figures; only the status changes

    def test_first_figures_are_new_reports(self):
        data = self.edit(self.export(), self.more[1].credit_code, "gross_output", "current", 10000)
        for f in self.form.fields.all():
            now, ly = good_figures()[f.code]
            data = self.edit(data, self.more[1].credit_code, f.code, "current", float(now))
            data = self.edit(data, self.more[1].credit_code, f.code, "last_year", float(ly))
        result = self.import_file(data)
        self.assertEqual(result.errors, [])
        plan = result.groups()
        self.assertEqual(plan.summary(), "将新报 1 家企业,将更新 0 家企业,未变化 0 家企业")
        self.assertEqual(plan.created[0].title, f"规上企业71({self.more[1].credit_code})")
        self.assertEqual(result.skipped, [2, 3, 5])  # the others have reported nothing


class PeriodRoundTripTests(ApprovedPeriod):
    def test_unchanged_reimport_of_the_export_is_clean(self):
        self.approve_all()
        result = self.import_file(self.export())
        self.assertEqual(result.errors, [])
        self.assertEqual(
            (result.count("create"), result.count("update"), result.count("unchanged")), (0, 0, 4)
        )
        self.assertTrue(result.groups().empty)
        result = self.import_file(self.export(), dry_run=False)
        self.assertEqual(ValueChange.objects.filter(batch=result.batch).count(), 0)

    def test_one_changed_cell_is_one_update_naming_the_field(self):
        self.approve_all()
        data = self.edit(self.export(), self.ent_a.credit_code, "taxes", "current", 333)
        result = self.import_file(data)
        self.assertEqual(result.errors, [])
        plan = result.groups()
        self.assertEqual((len(plan.updated), plan.unchanged), (1, 3))
        self.assertEqual([str(c) for c in plan.updated[0].changes], ["税金总额(千元): 320 → 333"])
        result = self.import_file(data, dry_run=False)
        sub = self.fresh()
        self.assertEqual((sub.revision, sub.status), (2, Status.APPROVED))
        self.assertEqual(Value.objects.get(submission=sub, field__code="taxes").approved_current, D(333))
        change = ValueChange.objects.get(submission=sub, batch=result.batch)
        self.assertEqual(change.changes, {"taxes": {"current": ["320", "333"]}})


class PeriodImportPageTests(ApprovedPeriod):
    def post_file(self, data: bytes):
        return self.client.post(
            reverse("reporting:period_import"),
            {"form": "ind-monthly", "period": "2024-06", "file": SimpleUploadedFile("june.xlsx", data)},
        )

    def test_dry_run_shows_the_groups_and_confirm_uses_the_stashed_file(self):
        self.approve_all()
        self.login(self.reviewer)
        data = self.edit(self.export(), self.ent_a.credit_code, "taxes", "current", 333)
        response = self.post_file(data)
        self.assertNotContains(response, "import-errors")
        self.assertContains(response, '将新报 <b id="count-created">0</b> 家企业')
        self.assertContains(response, '更新 <b id="count-updated">1</b> 家企业')
        self.assertContains(response, "未变化 3 家企业")
        self.assertContains(response, "税金总额(千元):<del>320</del> → <ins>333</ins>", html=False)
        self.assertContains(response, "将以导入数据替换并记为第 2 次修订")
        token = response.context["token"]
        response = self.client.post(reverse("reporting:period_import"), {"token": token})  # no file
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            Value.objects.get(submission=self.sub_a, field__code="taxes").approved_current, D(333)
        )
        expired = self.client.post(reverse("reporting:period_import"), {"token": token}, follow=True)
        self.assertContains(expired, "导入文件已失效,请重新上传")

    def test_unchanged_file_says_so(self):
        self.approve_all()
        self.login(self.reviewer)
        response = self.post_file(self.export())
        self.assertContains(response, "未变化 4 家企业")
        self.assertContains(response, "确认导入不会做任何改动")
        self.assertEqual(Submission.objects.filter(revision=1, status=Status.APPROVED).count(), 4)
