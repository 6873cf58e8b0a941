"""The target-company pool import as an upsert: new, updated (old → new) and unchanged companies; the
pool export imports back clean; the page confirms from the stashed file; the API returns the counts."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jushi.core.choices import ChangeSource
from jushi.core.importing import Change
from jushi.core.models import ChangeLog
from jushi.lib.tabular import read_table, write_table

from .. import services
from ..exporters import PoolExporter
from ..models import PoolCompany
from .test_services import HEADERS, ChainTestCase

WEB = ChangeSource.WEB


class PoolFixture(ChainTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.jia = PoolCompany.objects.create(
            zone=cls.kashgar,
            name="甲正极材料股份有限公司",
            region="湖南省",
            products="三元正极",
            node=cls.cathode,
            size="large",
            listed=True,
        )
        cls.yi = PoolCompany.objects.create(
            zone=cls.kashgar, name="乙储能科技有限公司", region="广东省", node=cls.storage, size="medium"
        )

    def pool_import(self, table, **kw):
        kw.setdefault("dry_run", True)
        return services.import_pool(actor=self.admin, zone=self.kashgar, table=table, source=WEB, **kw)


class PoolUpsertServiceTests(PoolFixture):
    def test_rows_are_new_updated_or_unchanged_with_old_and_new_values(self):
        result = self.pool_import(
            self.table(
                ("甲正极材料股份有限公司", "", "湖南省", "三元正极", "lithium", "cathode", "大型", "是"),
                ("乙储能科技有限公司", "", "江苏省", "", "lithium", "cells", "中型", "否"),
                ("丙隔膜有限公司", "", "江苏省", "隔膜", "lithium", "cathode", "小型", "否"),
            )
        )
        self.assertEqual(result.errors, [])
        plan = result.groups()
        self.assertEqual((len(plan.created), len(plan.updated), plan.unchanged), (1, 1, 1))
        self.assertEqual(str(plan.created[0]), "第 4 行 丙隔膜有限公司(锂电产业链 · 正极材料)")
        self.assertEqual(plan.updated[0].title, "乙储能科技有限公司")
        self.assertEqual(
            plan.updated[0].changes,
            [
                Change("所在地区", "广东省", "江苏省"),
                Change("产业链 · 节点", "锂电产业链 · 储能应用", "锂电产业链 · 电池制造"),
            ],
        )
        self.yi.refresh_from_db()
        self.assertEqual(self.yi.region, "广东省")  # a dry run writes nothing

    def test_confirmed_import_updates_and_adds_in_one_logged_batch(self):
        result = self.pool_import(
            self.table(
                ("乙储能科技有限公司", "", "江苏省", "", "lithium", "storage", "大型", "否"),
                ("丙隔膜有限公司", "", "江苏省", "隔膜", "lithium", "cathode", "小型", "否"),
            ),
            dry_run=False,
        )
        self.assertEqual((result.errors, result.created_count, result.updated_count), ([], 1, 1))
        self.yi.refresh_from_db()
        self.assertEqual((self.yi.region, self.yi.size), ("江苏省", "large"))
        logs = ChangeLog.objects.order_by("pk")
        self.assertEqual([log.action for log in logs], ["update", "create"])
        self.assertEqual({log.batch for log in logs}, {result.batch})
        self.assertEqual(logs[0].changes(), [("所在地区", "广东省", "江苏省"), ("规模", "medium", "large")])

    def test_a_row_of_another_zone_in_an_export_is_refused(self):
        headers = [*HEADERS, "开发区"]
        rows = [
            (
                "甲正极材料股份有限公司",
                "",
                "湖南省",
                "三元正极",
                "lithium",
                "cathode",
                "大型",
                "是",
                "另一开发区",
            )
        ]
        table = read_table(write_table(headers, rows, "csv"), "p.csv", max_bytes=10**6)
        result = self.pool_import(table)
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 2 行 开发区: 该行属于“另一开发区”,不是导入的开发区“喀什经济开发区”;请删去该行或分开导入"],
        )


class PoolRoundTripTests(PoolFixture):
    def export(self) -> bytes:
        companies = PoolCompany.objects.filter(zone=self.kashgar).select_related("zone", "node__chain")
        _, _, data = PoolExporter("xlsx", companies, actor=self.admin, zone=self.kashgar).render()
        return data

    def test_the_export_imports_back_clean_and_one_edit_is_one_update(self):
        data = self.export()
        result = self.pool_import(read_table(data, "pool.xlsx", max_bytes=10**7))
        self.assertEqual(
            (result.errors, result.created_count, result.updated_count, result.unchanged), ([], 0, 0, 2)
        )
        wb = load_workbook(io.BytesIO(data))
        ws = wb.worksheets[0]
        headers = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "甲正极材料股份有限公司":
                row[headers.index("主要产品")].value = "磷酸铁锂"
        out = io.BytesIO()
        wb.save(out)
        result = self.pool_import(read_table(out.getvalue(), "pool.xlsx", max_bytes=10**7))
        self.assertEqual((result.created_count, result.updated_count, result.unchanged), (0, 1, 1))
        self.assertEqual([str(c) for c in result.updates[0].changes], ["主要产品: 三元正极 → 磷酸铁锂"])


class PoolPageAndApiTests(PoolFixture):
    ROWS = [
        ("乙储能科技有限公司", "", "江苏省", "", "lithium", "storage", "中型", "否"),
        ("丙隔膜有限公司", "", "江苏省", "隔膜", "lithium", "cathode", "小型", "否"),
    ]

    def test_dry_run_page_shows_groups_and_confirm_uses_the_stashed_file(self):
        self.client.force_login(self.admin)
        data = write_table(HEADERS, self.ROWS, "csv")
        response = self.client.post(
            reverse("chains:pool_import"), {"file": SimpleUploadedFile("pool.csv", data), "zone": "kashgar"}
        )
        self.assertNotContains(response, "import-errors")
        self.assertContains(response, '将新建 <b id="count-created">1</b> 家企业')
        self.assertContains(response, "所在地区:<del>广东省</del> → <ins>江苏省</ins>", html=False)
        self.assertContains(response, "未变化 0")
        token = response.context["token"]
        done = self.client.post(reverse("chains:pool_import"), {"token": token}, follow=True)  # no file
        self.assertContains(done, "新增 1 家,更新 1 家,未变化 0 家目标企业")
        self.yi.refresh_from_db()
        self.assertEqual(self.yi.region, "江苏省")
        spent = self.client.post(reverse("chains:pool_import"), {"token": token}, follow=True)
        self.assertContains(spent, "导入文件已失效,请重新上传")

    def test_api_keeps_dry_run_and_returns_the_three_counts(self):
        self.client.force_login(self.admin)
        data = write_table(HEADERS, self.ROWS, "csv")
        response = self.client.post(
            "/api/chains/pool/import/", {"file": SimpleUploadedFile("pool.csv", data), "zone": "kashgar"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(
            (body["dry_run"], body["created"], body["updated"], body["unchanged"]), (True, 1, 1, 0)
        )
        self.assertEqual([c["name"] for c in body["companies"]], ["丙隔膜有限公司"])
        self.assertFalse(PoolCompany.objects.filter(name="丙隔膜有限公司").exists())
        response = self.client.post(
            "/api/chains/pool/import/",
            {"file": SimpleUploadedFile("pool.csv", data), "zone": "kashgar", "dry_run": "false"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual((response.json()["created"], response.json()["updated"]), (1, 1))
        again = self.client.post(
            "/api/chains/pool/import/", {"file": SimpleUploadedFile("pool.csv", data), "zone": "kashgar"}
        )
        self.assertEqual(
            (again.json()["created"], again.json()["updated"], again.json()["unchanged"]), (0, 0, 2)
        )
