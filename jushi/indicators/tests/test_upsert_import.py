"""Department figures import as an upsert: new, updated (old → new per column) and unchanged figures;
the system's own export imports back clean; the page confirms from the stashed file."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jushi.core.choices import ChangeSource
from jushi.core.importing import Change
from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase
from jushi.indicators.models import DeptFigure, Indicator
from jushi.indicators.services import import_figures, save_figure
from jushi.lib.tabular import Table, read_table, write_table

HEAD = ["开发区代码", "指标代码", "报告期", "数值", "上年同期", "官方增速(%)", "口径", "备注", "情况说明"]


def table(*rows) -> Table:
    return Table(headers=HEAD, rows=[dict(zip(HEAD, r, strict=False)) for r in rows])


def xlsx(*rows) -> bytes:
    return write_table(HEAD, rows, "xlsx")


class StoredFigures(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.gdp = Indicator.objects.get(code="GDP")
        cls.budget = Indicator.objects.get(code="FISC_GPB")
        save_figure(
            actor=cls.admin,
            zone=cls.kashgar,
            indicator=cls.budget,
            period="2024H1",
            value="5.260",
            last_year="3.97",
            official_growth_pct="32.5",
            caliber="自然口径",
            source=ChangeSource.WEB,
            refresh=False,
        )
        save_figure(
            actor=cls.admin,
            zone=cls.kashgar,
            indicator=cls.gdp,
            period="2024H1",
            value="54.4",
            official_growth_pct="14.3",
            caliber="可比价",
            source=ChangeSource.WEB,
            refresh=False,
        )

    def run_import(self, tbl: Table, **kw):
        kw.setdefault("dry_run", True)
        return import_figures(actor=self.admin, table=tbl, source=ChangeSource.IMPORT, **kw)


class FigureUpsertTests(StoredFigures):
    def test_new_updated_and_unchanged_rows_with_old_and_new_values(self):
        result = self.run_import(
            table(
                # unchanged, typed otherwise: 5.26 for 5.260, 32.50 for 32.5
                ["kashgar", "fisc_gpb", "2024H1", "5.26", "3.970", "32.50", "自然口径", "", ""],
                # updated: the value and the caliber
                ["kashgar", "GDP", "2024H1", "54.6", "", "14.3", "现价", "", ""],
                # new
                ["kashgar", "GDP", "2023H1", "47.7", "", "", "", "", ""],
            )
        )
        self.assertEqual(result.errors, [])
        plan = result.groups()
        self.assertEqual((len(plan.created), len(plan.updated), plan.unchanged), (1, 1, 1))
        self.assertEqual(plan.created[0].row, 4)
        self.assertEqual(plan.updated[0].title, "喀什经开区 地区生产总值 2024H1")
        self.assertEqual(
            plan.updated[0].changes,
            [Change("数值(亿元)", Decimal("54.4"), Decimal("54.6")), Change("口径", "可比价", "现价")],
        )
        self.assertEqual(
            [str(c) for c in plan.updated[0].changes], ["数值(亿元): 54.4 → 54.6", "口径: 可比价 → 现价"]
        )
        self.assertEqual(ChangeLog.objects.filter(source=ChangeSource.IMPORT).count(), 0)

    def test_growth_change_is_shown_in_percent(self):
        result = self.run_import(table(["kashgar", "GDP", "2024H1", "54.4", "", "14.5", "可比价"]))
        self.assertEqual([str(c) for c in result.groups().updated[0].changes], ["官方增速(%): 14.3 → 14.5"])

    def test_confirmed_import_writes_only_new_and_changed_figures_in_one_batch(self):
        with self.captureOnCommitCallbacks(execute=True):
            result = self.run_import(
                table(
                    ["kashgar", "fisc_gpb", "2024H1", "5.26", "3.97", "32.5", "自然口径"],
                    ["kashgar", "GDP", "2024H1", "54.6", "", "14.3", "可比价"],
                    ["kashgar", "GDP", "2023H1", "47.7"],
                ),
                dry_run=False,
            )
        self.assertTrue(result.ok, result.errors)
        logs = ChangeLog.objects.filter(source=ChangeSource.IMPORT).order_by("pk")
        self.assertEqual([log.action for log in logs], ["update", "create"])
        self.assertEqual({log.batch for log in logs}, {result.batch})
        self.assertEqual(
            DeptFigure.objects.get(indicator=self.budget).source, ChangeSource.WEB
        )  # the unchanged figure was not rewritten


class FigureRoundTripTests(StoredFigures):
    def export(self) -> bytes:
        from jushi.indicators.exporters import FigureExporter

        _, _, data = FigureExporter("xlsx", DeptFigure.objects.all(), zones=[self.kashgar]).render()
        return data

    def test_unchanged_reimport_of_the_export_is_clean_and_one_edit_is_one_update(self):
        data = self.export()
        result = self.run_import(read_table(data, "f.xlsx", max_bytes=10**7))
        self.assertEqual((result.errors, result.count("create"), result.count("update")), ([], 0, 0))
        self.assertEqual(result.count("unchanged"), 2)
        wb = load_workbook(io.BytesIO(data))
        ws = wb.worksheets[0]
        headers = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            if row[1].value == "GDP":
                row[headers.index("数值")].value = 55.1
        out = io.BytesIO()
        wb.save(out)
        result = self.run_import(read_table(out.getvalue(), "f.xlsx", max_bytes=10**7))
        plan = result.groups()
        self.assertEqual((len(plan.updated), plan.unchanged), (1, 1))
        self.assertEqual([str(c) for c in plan.updated[0].changes], ["数值(亿元): 54.4 → 55.1"])


class FigureImportPageTests(StoredFigures):
    def test_dry_run_shows_groups_and_confirm_uses_the_stashed_file(self):
        self.login(self.admin)
        data = xlsx(
            ["kashgar", "FISC_GPB", "2024H1", 5.26, 3.97, 32.5, "自然口径"],
            ["kashgar", "GDP", "2024H1", 54.6, None, 14.3, "可比价"],
            ["kashgar", "GDP", "2023H1", 47.7],
        )
        response = self.client.post(
            reverse("indicators:figures"), {"form": "import", "file": SimpleUploadedFile("f.xlsx", data)}
        )
        self.assertNotContains(response, "import-errors")
        self.assertContains(response, '将新建 <b id="count-created">1</b> 条数据')
        self.assertContains(response, "未变化 1 条数据")
        self.assertContains(response, "数值(亿元):<del>54.4</del> → <ins>54.6</ins>", html=False)
        token = response.context["token"]
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("indicators:figures"), {"token": token})  # no file
        self.assertRedirects(response, reverse("indicators:figures"), fetch_redirect_response=False)
        self.assertEqual(DeptFigure.objects.get(indicator=self.gdp, period="2024H1").value, Decimal("54.6"))
        self.assertTrue(DeptFigure.objects.filter(indicator=self.gdp, period="2023H1").exists())
        again = self.client.post(reverse("indicators:figures"), {"token": token}, follow=True)
        self.assertContains(again, "导入文件已失效,请重新上传")
