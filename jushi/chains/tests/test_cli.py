"""`jushi chains import-pool|gaps|export`: thin over the services, every row error printed, non-zero
exit (a CommandError is exit status 1 from the command line) with nothing saved on bad input."""

import io
import shutil
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import load_workbook

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog
from jushi.lib.tabular import write_table
from jushi.projects.tests.base import D

from .. import services
from ..exporters import GAP_HEADERS, NODE_HEADERS
from ..models import Chain, Node, PoolCompany
from .test_services import HEADERS, ChainTestCase

ROWS = [
    ("甲正极材料股份有限公司", "", "湖南省", "三元正极", "lithium", "cathode", "大型", "是"),
    ("乙储能科技有限公司", "", "广东省", "储能系统", "lithium", "storage", "中型", "否"),
]


class CliTestCase(ChainTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.link(
            actor=cls.admin,
            node=cls.cells,
            enterprise=cls.ent_b,
            role="leader",
            landed_on=D(2020, 1, 1),
            investment="30000",
            expected_output="50000",
            source=ChangeSource.WEB,
        )
        cls.far_chain = Chain.objects.create(zone=cls.other, code="lithium", name="另区锂电产业链")
        Node.objects.create(chain=cls.far_chain, code="cells", name="电芯", segment="mid")

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def write(self, rows, name="pool.csv"):
        path = self.tmp / name
        path.write_bytes(write_table(HEADERS, rows, path.suffix[1:]))
        return path

    def call(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command("chains", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def fails(self, message, *args):
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, message) as caught:
            call_command("chains", *args, stdout=io.StringIO(), stderr=err)
        self.assertEqual(caught.exception.returncode, 1)
        return err.getvalue()


class ImportPoolTests(CliTestCase):
    def test_dry_run_lists_the_companies_and_saves_nothing_then_the_import(self):
        path = self.write(ROWS, "pool.xlsx")
        out, _ = self.call("import-pool", str(path), "--zone", "kashgar", "--dry-run")
        self.assertIn("新增 甲正极材料股份有限公司 → 锂电产业链/正极材料(大型)", out)
        self.assertIn("[试运行] 2 行校验通过,将新建 2 家企业,将更新 0 家企业,未变化 0 家企业", out)
        self.assertFalse(PoolCompany.objects.exists())
        out, _ = self.call("import-pool", str(path), "--zone", "kashgar", "--user", "admin")
        self.assertIn("已导入目标企业到 kashgar:已新建 2 家企业,已更新 0 家企业,未变化 0 家企业", out)
        self.assertEqual(
            sorted(PoolCompany.objects.values_list("name", "node__code", "size", "listed")),
            [
                ("乙储能科技有限公司", "storage", "medium", False),
                ("甲正极材料股份有限公司", "cathode", "large", True),
            ],
        )
        self.assertEqual(ChangeLog.objects.filter(source=ChangeSource.CLI).count(), 2)

    def test_every_row_error_is_printed_the_exit_is_non_zero_and_nothing_is_saved(self):
        path = self.write(
            [
                *ROWS,
                ("甲正极材料有限公司", "", "", "", "lithium", "cathode", "大型", "是"),
                ("丙隔膜公司", "", "", "", "lithium", "separator", "中型", "也许"),
            ]
        )
        err = self.fails("3 处错误,未导入任何数据", "import-pool", str(path), "--zone", "kashgar")
        self.assertEqual(
            err.splitlines()[1:],
            [
                "第 4 行 企业名称: 与第 2 行是同一家企业",
                "第 5 行 节点代码: 产业链“lithium”中没有节点“separator”",
                "第 5 行 是否上市: 应为 是 或 否",
            ],
        )
        self.assertFalse(PoolCompany.objects.exists())

    def test_bad_files_zones_and_users_are_refused(self):
        path = self.write(ROWS)
        self.fails("--zone", "import-pool", str(path))
        self.fails("不是 CSV 或 XLSX 文件", "import-pool", str(self.tmp / "pool.txt"), "--zone", "kashgar")
        self.fails("文件不存在", "import-pool", str(self.tmp / "none.csv"), "--zone", "kashgar")
        bogus = self.tmp / "bogus.xlsx"
        bogus.write_bytes(b"not a workbook")
        self.fails("不是有效的 XLSX 工作簿", "import-pool", str(bogus), "--zone", "kashgar")
        with override_settings(JUSHI_IMPORT_MAX_BYTES=10):
            self.fails("超过上限", "import-pool", str(path), "--zone", "kashgar")
        self.fails("没有代码为“nowhere”的开发区", "import-pool", str(path), "--zone", "nowhere")
        self.fails(
            "没有代码为“kashgar”的开发区", "import-pool", str(path), "--zone", "kashgar", "--user", "leader"
        )
        self.fails("企业填报员", "import-pool", str(path), "--zone", "kashgar", "--user", "reporter_a")
        self.assertFalse(PoolCompany.objects.exists())


class GapsTests(CliTestCase):
    def test_the_work_list_of_every_chain_or_one(self):
        out, _ = self.call("gaps", "--user", "regional")
        self.assertEqual(
            out.splitlines(),
            [
                "kashgar 锂电产业链(lithium):4 个缺口",
                "  补链 正极材料(cathode) 空白:现状图中的“正极材料”环节尚无企业和项目",
                "  补链 上游材料(materials) 空白:现状图中的“上游材料”环节尚无企业和项目",
                "  延链 储能应用(storage) 空白:远景图新增的“储能应用”环节,本区尚无企业和项目",
                "  强链 电池制造(cells) 薄弱 1/2:“电池制造”仅有 1 家企业和项目,少于薄弱阈值 2",
                "other 另区锂电产业链(lithium):1 个缺口",
                "  补链 电芯(cells) 空白:现状图中的“电芯”环节尚无企业和项目",
                "共 5 个缺口",
            ],
        )
        out, _ = self.call("gaps", "--zone", "other", "--chain", "lithium")
        self.assertEqual(out.splitlines()[0], "other 另区锂电产业链(lithium):1 个缺口")
        self.fails("没有代码为“nothing”的产业链", "gaps", "--chain", "nothing")
        self.fails("没有代码为“other”的开发区", "gaps", "--zone", "other", "--user", "admin")


class ExportTests(CliTestCase):
    def test_the_export_is_a_workbook_of_nodes_and_gaps(self):
        self.materials.name = "=HYPERLINK(1)"  # a formula-like name is written as text
        self.materials.save()
        path = self.tmp / "lithium.xlsx"
        out, _ = self.call("export", str(path), "--chain", "lithium", "--zone", "kashgar")
        self.assertIn("4 个节点、4 个缺口", out)
        wb = load_workbook(path)
        self.assertEqual(wb.sheetnames, ["节点", "缺口", "说明"])
        nodes = list(wb["节点"].iter_rows(values_only=True))
        self.assertEqual(nodes[0][0], "喀什经济开发区 · 锂电产业链")  # the page's export, title row first
        self.assertEqual(nodes[1], NODE_HEADERS)
        rows = {r[2]: dict(zip(NODE_HEADERS, r, strict=False)) for r in nodes[2:] if r[2]}
        self.assertEqual(rows["materials"]["节点"], "'=HYPERLINK(1)")  # escaped against formulas
        cells = rows["cells"]
        self.assertEqual((cells["企业(家)"], cells["强度"]), (1, "薄弱"))
        self.assertEqual((cells["协议投资(万元)"], cells["达产后预计产值(万元)"]), (30000, 50000))
        gap_rows = list(wb["缺口"].iter_rows(values_only=True))
        self.assertEqual(gap_rows[1], GAP_HEADERS)
        self.assertEqual(
            [(r[0], r[2]) for r in gap_rows[2:]],
            [("补链", "cathode"), ("补链", "materials"), ("延链", "storage"), ("强链", "cells")],
        )

    def test_a_chain_code_in_two_zones_needs_the_zone_and_other_bad_input(self):
        path = self.tmp / "lithium.xlsx"
        self.fails("请用 --zone 指明", "export", str(path), "--chain", "lithium")
        self.fails("请用 --chain", "export", str(path))
        self.fails("XLSX", "export", str(self.tmp / "lithium.csv"), "--chain", "lithium")
        self.fails("没有代码为“nothing”的产业链", "export", str(path), "--chain", "nothing")
        self.fails("企业填报员", "export", str(path), "--chain", "lithium", "--user", "reporter_b")
        self.assertFalse(path.exists())
