"""Every XLSX export, through its real door, holds cells people compute with (issue 14 point 3).

On the demo (enterprises, reports with explanations, department figures, published H1 2024, the ledger,
the lithium chain and the target-company pool), a statistics clerk downloads each file as the pages offer
it; each workbook is opened with openpyxl: figure columns are numeric cells, date columns date cells,
codes text, the header frozen with an autofilter, and the second sheet 说明 names the user. An exported
enterprise list and reporting period read back (lib.tabular.read_table) as the same text as their CSV.
"""

import datetime as dt
import io
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from openpyxl import load_workbook

from jushi.chains import demo as chains_demo
from jushi.chains.models import Chain
from jushi.indicators import demo as indicators_demo
from jushi.indicators import publishing
from jushi.lib.tabular import format_cell, read_table
from jushi.projects import demo as projects_demo
from jushi.registry import demo as registry_demo
from jushi.registry.columns import ENTERPRISE_COLUMNS, form_data_from
from jushi.registry.models import Enterprise, Zone
from jushi.reporting import demo as reporting_demo
from jushi.reporting.exporters import explanation_text
from jushi.reporting.models import CheckResult, Submission, Value

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MB = 1024 * 1024


class ExportCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        for module in (registry_demo, reporting_demo, indicators_demo, projects_demo, chains_demo):
            module.load(StringIO(), password="demo-pass-1")
        cls.zone = Zone.objects.get(code="kashgar-edz")
        cls.clerk = get_user_model().objects.get(username="tongji")
        cls.clerk.full_name = "王统计"
        cls.clerk.save()
        publishing.publish(actor=cls.clerk, zone=cls.zone, period="2024H1", reason="", source="web")

    def setUp(self):
        self.client.force_login(self.clerk)

    def download(self, url, **params):
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertEqual(response["Content-Type"], XLSX)
        return response.content

    def book(self, data):
        return load_workbook(io.BytesIO(data))

    def column(self, ws, header, header_row=1) -> list:
        headers = [c.value for c in ws[header_row]]
        self.assertIn(header, headers, f"{ws.title}: no column {header}")
        index = headers.index(header)
        return [row[index] for row in ws.iter_rows(min_row=header_row + 1, values_only=True)]

    def assertTyped(self, ws, *, numbers=(), dates=(), codes=(), header_row=1):
        for header in numbers:
            values = [v for v in self.column(ws, header, header_row) if v is not None]
            self.assertTrue(values, f"{ws.title}/{header}: no figures to check")
            wrong = [v for v in values if isinstance(v, bool) or not isinstance(v, int | float)]
            self.assertFalse(wrong, f"{ws.title}/{header}: not numeric cells {wrong[:5]}")
        for header in dates:
            values = [v for v in self.column(ws, header, header_row) if v is not None]
            self.assertTrue(values, f"{ws.title}/{header}: no dates to check")
            wrong = [v for v in values if not isinstance(v, dt.datetime)]
            self.assertFalse(wrong, f"{ws.title}/{header}: not date cells {wrong[:5]}")
        for header in codes:
            values = [v for v in self.column(ws, header, header_row) if v is not None]
            self.assertTrue(values, f"{ws.title}/{header}: no codes to check")
            wrong = [v for v in values if not isinstance(v, str)]
            self.assertFalse(wrong, f"{ws.title}/{header}: codes not text {wrong[:5]}")
        self.assertEqual(ws.freeze_panes, f"A{header_row + 1}", f"{ws.title}: header not frozen")
        self.assertTrue(
            (ws.auto_filter.ref or "").startswith(f"A{header_row}:"), f"{ws.title}: no autofilter"
        )
        self.assertTrue(ws.cell(row=header_row, column=1).font.b, f"{ws.title}: header not bold")

    def about(self, wb, *, data_sheet: str | None = None) -> dict:
        """The 说明 sheet, second after the one data sheet; it names the user and the time."""
        if data_sheet is not None:
            self.assertEqual(wb.sheetnames, [data_sheet, "说明"])
        self.assertEqual(wb.sheetnames[-1], "说明")
        lines = {row[0]: row[1] for row in wb["说明"].iter_rows(values_only=True)}
        self.assertEqual(lines["导出人"], "王统计(tongji)")
        self.assertRegex(lines["导出时间"], r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
        self.assertIn("筛选条件", lines)
        self.assertIn("开发区", lines)
        return lines


class EveryExportTests(ExportCase):
    def test_enterprises(self):
        data = self.download(
            reverse("registry:enterprise_export"), format="xlsx", zone="kashgar-edz", status="operating"
        )
        wb = self.book(data)
        about = self.about(wb, data_sheet="企业名录")
        ws = wb["企业名录"]
        self.assertTyped(
            ws,
            numbers=["占地面积(亩)"],
            dates=["成立日期", "入区日期"],
            codes=["统一社会信用代码", "开发区代码", "园区代码", "行业代码"],
        )
        self.assertTrue(all(code.isdigit() for code in self.column(ws, "行业代码") if code))
        self.assertEqual(ws["J1"].value, "占地面积(亩)")
        self.assertIn("开发区代码:kashgar-edz", about["筛选条件"])
        self.assertIn("状态:在营", about["筛选条件"])
        self.assertEqual(about["开发区"], self.zone.name)
        self.assertEqual(
            about["行数"], str(Enterprise.objects.filter(zone=self.zone, status="operating").count())
        )
        widths = {ws.column_dimensions[c].width for c in "ABF"}
        self.assertTrue(all(8 <= w <= 52 for w in widths), widths)

    def test_enterprises_from_the_command_line(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "qiye.xlsx"
            call_command("export", "enterprises", str(path), "--user", "tongji", stdout=StringIO())
            wb = self.book(path.read_bytes())
        self.about(wb, data_sheet="企业名录")
        self.assertTyped(wb["企业名录"], numbers=["占地面积(亩)"], dates=["入区日期"], codes=["行业代码"])

    def test_ledger_from_the_command_line_is_typed_and_audited(self):
        import tempfile
        from pathlib import Path

        from jushi.core.choices import AuditKind
        from jushi.core.models import AuditEvent

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "ledger.xlsx"
            call_command("projects", "export", str(path), "--user", "tongji", stdout=StringIO())
            wb = self.book(path.read_bytes())
        self.about(wb, data_sheet="招商项目台账")
        self.assertTyped(
            wb["招商项目台账"], numbers=["协议总投资(万元)"], dates=["签约日期"], codes=["项目编号"]
        )
        event = AuditEvent.objects.filter(kind=AuditKind.EXPORT).latest("seq")
        self.assertEqual((event.user_name, event.object_repr), ("tongji", "ledger.xlsx"))

    def test_reporting_period(self):
        data = self.download(
            reverse("reporting:period_export"),
            form="ind-monthly",
            period="2024-06",
            zone="kashgar-edz",
            format="xlsx",
        )
        wb = self.book(data)
        name = wb.sheetnames[0]
        self.assertTrue(name.endswith("2024年1-6月") and len(name) <= 31, name)
        about = self.about(wb, data_sheet=name)
        ws = wb[name]
        headers = [c.value for c in ws[1]]
        figures = [h for h in headers if h.startswith("工业总产值(当年价格)")]
        self.assertEqual(figures, ["工业总产值(当年价格)(千元)", "工业总产值(当年价格)(千元)上年同期"])
        self.assertTyped(ws, numbers=[*figures, "期末从业人员(人)"], codes=["统一社会信用代码"])
        cells = sum(1 for row in ws.iter_rows(min_row=2, min_col=4, max_col=len(headers) - 1) for c in row)
        text = sum(
            1
            for row in ws.iter_rows(min_row=2, min_col=4, max_col=len(headers) - 1)
            for c in row
            if isinstance(c.value, str)
        )
        self.assertGreater(cells, 100)
        self.assertEqual(text, 0)  # not one figure cell of the period is a string
        self.assertIn("2024年1-6月", about["筛选条件"])

    def test_department_figures(self):
        data = self.download(reverse("indicators:figures"), export="xlsx")
        wb = self.book(data)
        about = self.about(wb, data_sheet="部门数据")
        self.assertTyped(
            wb["部门数据"], numbers=["数值", "官方增速(%)"], codes=["开发区代码", "指标代码", "报告期"]
        )
        self.assertIn("GDP 地区生产总值(亿元)", about["单位"])
        page = self.client.get(reverse("indicators:figures"))
        self.assertContains(page, "?export=xlsx")

    def test_monthly_table_says_the_revision(self):
        data = self.download(
            reverse("indicators:dashboard"), zone="kashgar-edz", period="2024-06", export="monthly"
        )
        wb = self.book(data)
        name = wb.sheetnames[0]
        about = self.about(wb, data_sheet=name)
        self.assertTyped(wb[name], numbers=["1-6月", "同比(%)"])
        self.assertEqual(about["数据"], "已发布数据 第1版")
        self.assertIn("tongji", about["发布"])  # who published it

    def test_indicator(self):
        data = self.download(
            reverse("indicators:indicator", args=["IND_GO"]), zone="kashgar-edz", export="xlsx"
        )
        wb = self.book(data)
        name = wb.sheetnames[0]
        about = self.about(wb, data_sheet=name)
        ws = wb[name]
        unit = about["单位"]
        self.assertTyped(ws, numbers=[f"本期({unit})", f"上年同期({unit})", "增速(%)", "应报(家)"])
        self.assertIn("第1版", about["已发布版本"])

    def test_ledger(self):
        data = self.download(reverse("projects:ledger"), export="xlsx")
        wb = self.book(data)
        about = self.about(wb, data_sheet="招商项目台账")
        self.assertTyped(
            wb["招商项目台账"],
            numbers=["协议总投资(万元)", "累计到位资金(万元)"],
            dates=["签约日期"],
            codes=["项目编号", "行业代码"],
        )
        self.assertEqual(about["开发区"], self.zone.name)
        filtered = self.book(self.download(reverse("projects:ledger"), export="xlsx", stage="signed"))
        self.assertIn("阶段:签约", self.about(filtered)["筛选条件"])

    def test_chain(self):
        chain = Chain.objects.get(zone=self.zone, code="lithium")
        wb = self.book(self.download(reverse("chains:chain_export", args=[chain.pk])))
        self.assertEqual(wb.sheetnames, ["节点", "缺口", "说明"])
        about = self.about(wb)
        self.assertTyped(
            wb["节点"],
            numbers=["企业(家)", "协议投资(万元)", "当前产值(亿元)"],
            codes=["节点代码"],
            header_row=2,
        )
        self.assertTyped(wb["缺口"], numbers=["薄弱阈值"], codes=["节点代码"], header_row=2)
        self.assertIn(chain.name, about["筛选条件"])

    def test_pool(self):
        response = self.client.get(reverse("chains:pool_list"))
        self.assertContains(response, reverse("chains:pool_export"))
        chain = Chain.objects.get(zone=self.zone, code="lithium")
        wb = self.book(self.download(reverse("chains:pool_export"), chain=chain.pk, format="xlsx"))
        about = self.about(wb, data_sheet="目标企业库")
        ws = wb["目标企业库"]
        self.assertTyped(ws, codes=["产业链代码", "节点代码"])
        self.assertEqual(set(self.column(ws, "产业链代码")), {"lithium"})
        self.assertIn(f"产业链:{chain.name}", about["筛选条件"])


class RoundTripTests(ExportCase):
    def test_enterprises_read_back_as_the_text_of_their_values(self):
        url = reverse("registry:enterprise_export")
        xlsx = read_table(self.download(url, format="xlsx"), "e.xlsx", max_bytes=10 * MB)
        csv = read_table(self.client.get(url, {"format": "csv"}).content, "e.csv", max_bytes=10 * MB)
        self.assertEqual(xlsx.headers, csv.headers)
        self.assertEqual(xlsx.rows, csv.rows)
        by_code = {e.credit_code: e for e in Enterprise.objects.filter(zone=self.zone)}
        self.assertEqual(len(xlsx.rows), len(by_code))
        for row in xlsx.rows:
            expected = form_data_from(by_code[row["统一社会信用代码"]])
            got = {c.key: row[c.header] for c in ENTERPRISE_COLUMNS}
            self.assertEqual(got, expected)

    def test_a_reporting_period_reads_back_as_the_text_of_its_figures(self):
        params = {"form": "ind-monthly", "period": "2024-06", "zone": "kashgar-edz"}
        url = reverse("reporting:period_export")
        xlsx = read_table(self.download(url, **params, format="xlsx"), "p.xlsx", max_bytes=10 * MB)
        csv = read_table(
            self.client.get(url, {**params, "format": "csv"}).content, "p.csv", max_bytes=10 * MB
        )
        self.assertEqual(xlsx.rows, csv.rows)
        values = {
            (v.submission.enterprise.credit_code, v.field.code): v
            for v in Value.objects.filter(
                submission__period__zone=self.zone,
                submission__period__code="2024-06",
                submission__period__form__code="ind-monthly",
            ).select_related("submission__enterprise", "field")
        }
        self.assertTrue(values)
        checked = 0
        for (code, field), value in values.items():
            row = next(r for r in xlsx.rows if r["统一社会信用代码"] == code)
            header = f"{value.field.label}({value.field.unit})"
            self.assertEqual(row[header], format_cell(value.current), (code, field))
            self.assertEqual(row[header + "上年同期"], format_cell(value.last_year), (code, field))
            checked += 1
        self.assertGreater(checked, 100)


class ExplanationOnceTests(ExportCase):
    def test_one_explanation_is_written_once_and_several_name_their_fields(self):
        submission = (
            Submission.objects.filter(
                period__zone=self.zone, period__code="2024-06", period__form__code="ind-monthly"
            )
            .select_related("period__form")
            .first()
        )
        fields = {f.code: f for f in submission.period.form.fields.all()}
        CheckResult.objects.filter(submission=submission).delete()

        def warn(field, text, n=1):
            for i in range(n):
                CheckResult.objects.create(
                    submission=submission,
                    revision=submission.revision,
                    key=f"rule{i}:{field}",
                    field_code=field,
                    severity="warning",
                    message="请核对",
                    explanation=text,
                )

        warn("gross_output", "新增订单,产量增加", n=13)
        url = reverse("reporting:period_export")
        params = {"form": "ind-monthly", "period": "2024-06", "zone": "kashgar-edz", "format": "xlsx"}
        wb = self.book(self.download(url, **params))
        ws = wb.worksheets[0]
        row = next(
            r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == submission.enterprise.credit_code
        )
        self.assertEqual(row[-1], "新增订单,产量增加")  # once, not 13 times
        warn("employees", "季节性用工", n=2)
        warn("revenue", "新增订单,产量增加")
        wb = self.book(self.download(url, **params))
        ws = wb.worksheets[0]
        row = next(
            r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == submission.enterprise.credit_code
        )
        gross, revenue, people = (fields[c].label for c in ("gross_output", "revenue", "employees"))
        self.assertEqual(row[-1], f"{gross}、{revenue}:新增订单,产量增加;{people}:季节性用工")

    def test_explanation_text(self):
        class R:
            def __init__(self, field, text):
                self.field_code, self.explanation = field, text

        self.assertEqual(explanation_text([R("a", " "), R("b", "")], {}), "")
        self.assertEqual(explanation_text([R("a", "x"), R("b", "x")], {"a": "甲"}), "x")
        self.assertEqual(explanation_text([R("a", "x"), R("", "y")], {"a": "甲"}), "甲:x;y")


class HeaderSpellingTests(SimpleTestCase):
    """The importers find a column by its header with the unit (as exported), with ASCII brackets, or
    without the unit, as people type them."""

    def test_enterprise_headers(self):
        from jushi.registry.columns import BY_HEADER, HEADERS

        self.assertIn("占地面积(亩)", HEADERS)
        for spelling in ("占地面积(亩)", "占地面积(亩)", "占地面积", "land_area_mu"):
            self.assertEqual(BY_HEADER[spelling].key, "land_area_mu", spelling)
        self.assertNotIn("占地", BY_HEADER)

    def test_period_headers(self):
        from types import SimpleNamespace

        from jushi.reporting.columns import header_map, headers_for

        fields = [
            SimpleNamespace(code="gross_output", label="工业总产值", unit="千元", decimals=1),
            SimpleNamespace(code="employees", label="期末从业人员", unit="人", decimals=0),
        ]
        self.assertEqual(headers_for(fields)[3:5], ["工业总产值(千元)", "工业总产值(千元)上年同期"])
        mapping = header_map(fields)
        for spelling, part in (
            ("工业总产值(千元)", "current"),
            ("工业总产值(千元)", "current"),
            ("工业总产值", "current"),
            ("gross_output", "current"),
            ("工业总产值(千元)上年同期", "last_year"),
            ("工业总产值(千元)上年同期", "last_year"),
            ("工业总产值上年同期(千元)", "last_year"),
            ("工业总产值上年同期", "last_year"),
            ("gross_output__ly", "last_year"),
        ):
            column = mapping[spelling]
            self.assertEqual((column.field_code, column.part), ("gross_output", part), spelling)
        self.assertEqual(mapping["期末从业人员(人)"].field_code, "employees")
