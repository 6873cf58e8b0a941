"""Enterprise import as an upsert: the dry run says what is created, updated (old → new) and unchanged;
an unchanged re-import of the system's own export is clean; the confirmation uses the stashed file."""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jushi.core.importing import Change
from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase, make_code
from jushi.lib.tabular import Table, read_table, write_table
from jushi.registry.columns import HEADERS
from jushi.registry.exporters import EnterpriseExporter
from jushi.registry.models import Enterprise, SizeMembership
from jushi.registry.services.importing import import_enterprises

ROOT = Path(__file__).resolve().parents[2]


def table(rows: list[dict]) -> Table:
    headers = list(dict.fromkeys(h for r in rows for h in r))
    return Table(headers=headers, rows=[{h: r.get(h, "") for h in headers} for r in rows])


def xlsx_table(data: bytes) -> Table:
    return read_table(data, "list.xlsx", max_bytes=10**7)


def edit_cell(data: bytes, credit_code: str, header: str, value) -> bytes:
    """The workbook with one cell changed, as a user would in Excel."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    col = headers.index(header) + 1
    for row in ws.iter_rows(min_row=2):
        if row[0].value == credit_code:
            row[col - 1].value = value
            break
    else:
        raise AssertionError(f"{credit_code} not in the file")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class DemoLikeRegistry(PersonaTestCase):
    """A registry like the demo's: every kind of field filled somewhere, some left empty."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ent_a.address = "喀什市深喀大道 88 号"
        cls.ent_a.established_on = dt.date(2015, 3, 12)
        cls.ent_a.land_area_mu = Decimal("120.50")
        cls.ent_a.contact_name = "艾力"
        cls.ent_a.contact_phone = "13899887766"
        cls.ent_a.notes = "=SUM(A1:A2)"
        cls.ent_a.save()
        cls.ent_b.land_area_mu = Decimal("80")
        cls.ent_b.status = "building"
        cls.ent_b.save()
        for serial in range(100, 110):
            e = Enterprise.objects.create(
                zone=cls.kashgar,
                park=cls.energy if serial % 2 else cls.textile,
                industry=cls.battery if serial % 3 else None,
                name=f"演示企业{serial}有限公司",
                credit_code=make_code(serial),
                entered_on=dt.date(2020, 1, 1) + dt.timedelta(days=serial),
                land_area_mu=Decimal(serial) / 4 if serial % 2 else None,
                contact_phone=f"0998-{serial:07d}",
            )
            if serial % 4 == 0:
                SizeMembership.objects.create(enterprise=e, year=2023)
                SizeMembership.objects.create(enterprise=e, year=2024)

    def export(self, fmt: str = "xlsx") -> bytes:
        queryset = Enterprise.objects.restrict(self.admin, "export")
        _, _, data = EnterpriseExporter(fmt, queryset).render()
        return data


class UpsertServiceTests(DemoLikeRegistry):
    def test_rows_are_created_updated_or_unchanged_with_old_and_new_values(self):
        result = import_enterprises(
            actor=self.reviewer,
            table=table(
                [
                    {  # unchanged, though typed differently: 120.5 for 120.50, a lower-case code
                        "统一社会信用代码": self.ent_a.credit_code.lower(),
                        "企业名称": "甲纺织有限公司",
                        "开发区代码": "kashgar",
                        "占地面积(亩)": "120.5",
                        "成立日期": "2015-03-12",
                        "地址": "喀什市深喀大道 88 号",
                    },
                    {  # updated: two fields
                        "统一社会信用代码": self.ent_b.credit_code,
                        "企业名称": "乙锂电股份有限公司",
                        "开发区代码": "kashgar",
                        "占地面积(亩)": "80.00",
                        "地址": "新能源大道 1 号",
                    },
                    {  # created
                        "统一社会信用代码": make_code(50),
                        "企业名称": "新来的企业",
                        "开发区代码": "kashgar",
                    },
                ]
            ),
            dry_run=True,
            source="import",
        )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual([p.action for p in result.plan], ["unchanged", "update", "create"])
        plan = result.groups()
        self.assertEqual([line.row for line in plan.created], [4])
        self.assertEqual(plan.created[0].title, f"新来的企业({make_code(50)})")
        self.assertEqual(plan.unchanged, 1)
        self.assertEqual(len(plan.updated), 1)
        self.assertEqual(
            plan.updated[0].changes,
            [
                Change("企业名称", "乙锂电有限公司", "乙锂电股份有限公司"),
                Change("地址", "", "新能源大道 1 号"),
            ],
        )
        self.assertEqual(
            [str(c) for c in plan.updated[0].changes],
            ["企业名称: 乙锂电有限公司 → 乙锂电股份有限公司", "地址: (空) → 新能源大道 1 号"],
        )
        self.assertEqual(plan.summary(), "将新建 1 家企业,将更新 1 家企业,未变化 1 家企业")
        self.assertEqual(ChangeLog.objects.count(), 0)  # a dry run writes nothing
        self.ent_b.refresh_from_db()
        self.assertEqual(self.ent_b.name, "乙锂电有限公司")

    def test_confirmed_import_applies_creates_and_updates_in_one_logged_batch(self):
        result = import_enterprises(
            actor=self.reviewer,
            table=table(
                [
                    {
                        "统一社会信用代码": self.ent_b.credit_code,
                        "企业名称": "乙",
                        "开发区代码": "kashgar",
                        "状态": "在营",
                    },
                    {"统一社会信用代码": make_code(51), "企业名称": "丁", "开发区代码": "kashgar"},
                ]
            ),
            source="import",
        )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.created, result.updated, result.unchanged), (1, 1, 0))
        logs = ChangeLog.objects.order_by("pk")
        self.assertEqual([log.action for log in logs], ["update", "create"])
        self.assertEqual({log.batch for log in logs}, {result.batch})
        self.assertEqual(
            logs[0].changes(), [("企业名称", "乙锂电有限公司", "乙"), ("状态", "building", "operating")]
        )

    def test_status_change_is_shown_by_its_label(self):
        result = import_enterprises(
            actor=self.reviewer,
            table=table(
                [
                    {
                        "统一社会信用代码": self.ent_b.credit_code,
                        "企业名称": "乙锂电有限公司",
                        "开发区代码": "kashgar",
                        "状态": "停产",
                    }
                ]
            ),
            dry_run=True,
            source="import",
        )
        self.assertEqual([str(c) for c in result.groups().updated[0].changes], ["状态: 在建 → 停产"])


class ExportRoundTripTests(DemoLikeRegistry):
    def test_unchanged_reimport_of_the_xlsx_export_is_clean(self):
        data = self.export("xlsx")
        result = import_enterprises(actor=self.admin, table=xlsx_table(data), dry_run=True, source="import")
        self.assertEqual(result.errors, [])
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 12))
        self.assertTrue(result.groups().empty)

    def test_one_changed_cell_is_exactly_one_update_naming_the_field(self):
        data = edit_cell(self.export("xlsx"), self.ent_a.credit_code, "联系电话", "13900001111")
        result = import_enterprises(actor=self.admin, table=xlsx_table(data), dry_run=True, source="import")
        self.assertEqual(result.errors, [])
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 1, 11))
        line = result.groups().updated[0]
        self.assertEqual(line.title, f"甲纺织有限公司({self.ent_a.credit_code})")
        self.assertEqual([str(c) for c in line.changes], ["联系电话: 13899887766 → 13900001111"])

    def test_typed_number_and_date_cells_compare_by_value(self):
        data = self.export("xlsx")
        # a user retypes the area as a number with a trailing zero and the date as a date
        data = edit_cell(data, self.ent_a.credit_code, "占地面积(亩)", 120.5)
        data = edit_cell(data, self.ent_a.credit_code, "成立日期", dt.datetime(2015, 3, 12))
        result = import_enterprises(actor=self.admin, table=xlsx_table(data), dry_run=True, source="import")
        self.assertEqual((result.errors, result.updated, result.unchanged), ([], 0, 12))
        data = edit_cell(data, self.ent_a.credit_code, "占地面积(亩)", 121)
        result = import_enterprises(actor=self.admin, table=xlsx_table(data), dry_run=True, source="import")
        self.assertEqual([str(c) for c in result.groups().updated[0].changes], ["占地面积(亩): 120.5 → 121"])

    def test_csv_export_round_trips_too(self):
        result = import_enterprises(
            actor=self.admin,
            table=read_table(self.export("csv"), "list.csv", max_bytes=10**7),
            dry_run=True,
            source="import",
        )
        self.assertEqual((result.errors, result.unchanged), ([], 12))


class ImportPageTests(DemoLikeRegistry):
    def upload(self, data: bytes, name: str = "list.xlsx"):
        return self.client.post(
            reverse("registry:enterprise_import"), {"file": SimpleUploadedFile(name, data)}
        )

    def test_dry_run_page_shows_the_three_groups(self):
        self.login(self.reviewer)
        data = edit_cell(self.export("xlsx"), self.ent_b.credit_code, "地址", "新能源大道 1 号")
        wb = load_workbook(io.BytesIO(data))
        wb.worksheets[0].append([make_code(60), "新企业戊", "kashgar"])
        out = io.BytesIO()
        wb.save(out)
        response = self.upload(out.getvalue())
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "import-errors")
        self.assertContains(response, '将新建 <b id="count-created">1</b> 家企业')
        self.assertContains(response, '更新 <b id="count-updated">1</b> 家企业')
        self.assertContains(response, "未变化 11")
        self.assertContains(response, f"第 14 行 新企业戊({make_code(60)})")
        self.assertContains(response, "地址:<del>(空)</del> → <ins>新能源大道 1 号</ins>", html=False)
        self.assertNotContains(response, "更新已有企业")  # no switch to find: an import is an upsert

    def test_confirm_uses_the_stashed_file_without_a_new_upload(self):
        self.login(self.reviewer)
        data = edit_cell(self.export("xlsx"), self.ent_b.credit_code, "地址", "新能源大道 1 号")
        token = self.upload(data).context["token"]
        response = self.client.post(reverse("registry:enterprise_import"), {"token": token})  # no file
        self.assertEqual(response.status_code, 302)
        self.ent_b.refresh_from_db()
        self.assertEqual(self.ent_b.address, "新能源大道 1 号")
        log = ChangeLog.objects.get()
        self.assertEqual(log.changes(), [("地址", "", "新能源大道 1 号")])
        again = self.client.post(reverse("registry:enterprise_import"), {"token": token}, follow=True)
        self.assertContains(again, "导入文件已失效,请重新上传")
        self.assertEqual(ChangeLog.objects.count(), 1)

    def test_unchanged_reimport_offers_a_confirm_that_changes_nothing(self):
        self.login(self.admin)
        response = self.upload(self.export("xlsx"))
        self.assertContains(response, "未变化 12 家企业")
        self.assertContains(response, "确认导入不会做任何改动")
        self.assertIn("token", response.context)


class NoCommandLineHintsTests(PersonaTestCase):
    def test_no_page_or_message_tells_a_user_to_use_a_command_line_flag(self):
        hint = re.compile(r"[((]\s*--[a-z]")
        offenders = []
        for path in ROOT.rglob("*"):
            if path.suffix not in (".html", ".py") or "tests" in path.parts or "migrations" in path.parts:
                continue
            if "management" in path.parts:  # a command's own help names its flags
                continue
            text = path.read_text(encoding="utf-8")
            if hint.search(text) or "更新模式" in text:
                offenders.append(str(path.relative_to(ROOT)))
        self.assertEqual(offenders, [])

    def test_the_cli_keeps_update_as_a_no_op(self):
        csv = write_table(HEADERS[:3], [[self.ent_a.credit_code, "甲纺织有限公司", "kashgar"]], "csv")
        import tempfile

        from django.core.management import call_command

        path = Path(tempfile.mkdtemp()) / "a.csv"
        path.write_bytes(csv)
        out = io.StringIO()
        call_command("import", "enterprises", str(path), "--update", stdout=out, stderr=io.StringIO())
        self.assertIn("未变化 1 家企业", out.getvalue())
