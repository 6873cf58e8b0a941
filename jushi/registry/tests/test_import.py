from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase, make_code
from jushi.lib.tabular import Table, read_table, write_table
from jushi.registry.columns import HEADERS
from jushi.registry.models import Enterprise
from jushi.registry.services.importing import import_enterprises


def row(code, name="新企业有限公司", zone="kashgar", park="energy", industry="3841", **extra):
    values = {
        "统一社会信用代码": code,
        "企业名称": name,
        "开发区代码": zone,
        "园区代码": park,
        "行业代码": industry,
    }
    values.update(extra)
    return values


def table(rows, headers=None):
    headers = headers or list(dict.fromkeys(h for r in rows for h in r))
    return Table(headers=headers, rows=[{h: r.get(h, "") for h in headers} for r in rows])


class ImportServiceTests(PersonaTestCase):
    def run_import(self, rows, headers=None, **kwargs):
        kwargs.setdefault("source", "import")
        return import_enterprises(
            actor=kwargs.pop("actor", self.reviewer), table=table(rows, headers), **kwargs
        )

    def test_every_bad_row_is_named_and_nothing_is_saved(self):
        before = Enterprise.objects.count()
        result = self.run_import(
            [
                row(make_code(10), name="好企业一"),
                row("91350100M000100Y44", name="坏代码"),
                row(make_code(11), name="坏行业", industry="9999"),
                row(make_code(12), name="坏园区", park="nowhere"),
                row(make_code(10), name="重复"),
                row(self.ent_a.credit_code, name="已存在", park="nowhere"),
                row(make_code(13), name="坏日期", **{"入区日期": "2024-13-01"}),
                row(make_code(14), name="坏状态", **{"状态": "营业中"}),
            ]
        )
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 3 行 统一社会信用代码: 校验位错误:第 18 位应为 3,实际为 4",
                "第 4 行 行业代码: 未知的行业代码“9999”(应为 GB/T 4754-2017 代码)",
                "第 5 行 园区代码: 开发区“kashgar”中没有代码为“nowhere”的园区",
                "第 6 行 统一社会信用代码: 与第 2 行重复",
                "第 7 行 园区代码: 开发区“kashgar”中没有代码为“nowhere”的园区",
                "第 8 行 入区日期: 输入一个有效的日期。",
                "第 9 行 状态: 未知的状态“营业中”,应为 在营、在建、停产、迁出、注销",
            ],
        )
        self.assertEqual(Enterprise.objects.count(), before)
        self.assertEqual(ChangeLog.objects.count(), 0)

    def test_missing_columns_list_the_expected_headers(self):
        result = self.run_import([{"企业名称": "x"}])
        self.assertEqual(len(result.errors), 1)
        message = str(result.errors[0])
        self.assertIn("缺少必需的列:统一社会信用代码、开发区代码", message)
        self.assertIn("期望的列为:" + "、".join(HEADERS), message)

    def test_unknown_zone_or_zone_outside_scope(self):
        result = self.run_import([row(make_code(20), zone="other")])
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 2 行 开发区代码: 未知的开发区代码“other”,或无权导入到该开发区"],
        )

    def test_default_zone_fills_blank_zone_cells(self):
        result = self.run_import([row(make_code(21), zone="")], zone=self.kashgar)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(Enterprise.objects.get(credit_code=make_code(21)).zone, self.kashgar)

    def test_update_changes_only_what_differs_and_keeps_missing_columns(self):
        result = self.run_import(
            [
                {
                    "统一社会信用代码": self.ent_a.credit_code,
                    "企业名称": "甲纺织有限公司",
                    "开发区代码": "kashgar",
                    "状态": "停产",
                },
                {
                    "统一社会信用代码": self.ent_b.credit_code,
                    "企业名称": "乙锂电有限公司",
                    "开发区代码": "kashgar",
                },
            ],
        )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 1, 1))
        self.ent_a.refresh_from_db()
        self.assertEqual(
            (self.ent_a.status, self.ent_a.park, self.ent_a.size_years()), ("suspended", self.textile, [2024])
        )
        log = ChangeLog.objects.get()
        self.assertEqual(log.changes(), [("状态", "operating", "suspended")])
        self.assertEqual((log.source, log.batch), ("import", result.batch))

    def test_dry_run_reports_the_plan_and_writes_nothing(self):
        result = self.run_import([row(make_code(30))], dry_run=True)
        self.assertEqual((result.ok, result.created), (True, 1))
        self.assertFalse(Enterprise.objects.filter(credit_code=make_code(30)).exists())

    def test_leader_may_not_import(self):
        with self.assertRaises(PermissionDenied):
            self.run_import([row(make_code(31))], actor=self.leader)
        self.assertFalse(Enterprise.objects.filter(credit_code=make_code(31)).exists())

    def test_existing_code_in_a_zone_outside_scope_cannot_be_updated(self):
        result = self.run_import([row(self.ent_c.credit_code, name="抢注")])
        self.assertEqual(
            [str(e) for e in result.errors],
            [f"第 2 行 统一社会信用代码: {self.ent_c.credit_code} 已登记在其他开发区,无权修改"],
        )
        self.ent_c.refresh_from_db()
        self.assertEqual(self.ent_c.name, "丙电池有限公司")


class RoundTripTests(PersonaTestCase):
    def test_exported_file_imports_back_with_no_change(self):
        self.ent_a.contact_phone = "+86 998 1234567"
        self.ent_a.notes = '=HYPERLINK("http://x")'
        self.ent_a.land_area_mu = "120.50"
        self.ent_a.save()
        client = self.login(self.admin)
        for fmt in ("csv", "xlsx"):
            data = client.get(reverse("registry:enterprise_export") + f"?format={fmt}").content
            exported = read_table(data, f"x.{fmt}", max_bytes=10**6)
            self.assertEqual(exported.headers, HEADERS)
            result = import_enterprises(actor=self.admin, table=exported, source="import")
            self.assertTrue(result.ok, result.errors)
            self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 2))
        self.assertEqual(ChangeLog.objects.count(), 0)

    def test_export_escapes_formulas(self):
        self.ent_a.notes = "=1+1"
        self.ent_a.save()
        data = (
            self.login(self.admin).get(reverse("registry:enterprise_export") + "?format=csv").content.decode()
        )
        self.assertIn(",'=1+1", data)


class ImportPageTests(PersonaTestCase):
    def upload(self, rows, name="list.csv", **options):
        data = write_table(HEADERS, [[r.get(h, "") for h in HEADERS] for r in rows], "csv")
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(
            reverse("registry:enterprise_import"), {"file": SimpleUploadedFile(name, data), **options}
        )

    def test_dry_run_then_confirm(self):
        self.login(self.reviewer)
        response = self.upload([row(make_code(40), name="新企业甲"), row(make_code(41), name="新企业乙")])
        self.assertContains(response, '将新建 <b id="count-created">2</b> 家企业')
        self.assertFalse(Enterprise.objects.filter(credit_code=make_code(40)).exists())
        response = self.client.post(
            reverse("registry:enterprise_import"), {"token": response.context["token"]}
        )
        self.assertEqual(Enterprise.objects.filter(credit_code__in=[make_code(40), make_code(41)]).count(), 2)
        batch = ChangeLog.objects.filter(source="import").values_list("batch", flat=True).first()
        self.assertRedirects(response, reverse("registry:enterprise_list") + f"?batch={batch}")
        listed = self.client.get(response.url)
        self.assertEqual({e.name for e in listed.context["page"]}, {"新企业甲", "新企业乙"})

    def test_bad_row_is_shown_and_no_confirm_is_offered(self):
        self.login(self.reviewer)
        response = self.upload([row(make_code(42)), row("123", name="短代码")])
        self.assertContains(response, "第 3 行 统一社会信用代码: 应为 18 位,实际 3 位")
        self.assertNotIn("token", response.context)

    def test_wrong_file_type_is_refused(self):
        self.login(self.reviewer)
        response = self.upload([row(make_code(43))], name="list.pdf")
        self.assertContains(response, "不是 CSV 或 XLSX 文件")

    def test_token_of_another_session_is_refused(self):
        self.login(self.reviewer)
        token = self.upload([row(make_code(44))]).context["token"]
        self.login(self.admin)
        response = self.client.post(reverse("registry:enterprise_import"), {"token": token}, follow=True)
        self.assertContains(response, "导入文件已失效")
        self.assertFalse(Enterprise.objects.filter(credit_code=make_code(44)).exists())
