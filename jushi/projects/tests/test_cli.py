"""`jushi projects import|export|escalate`: thin over the services, clear messages, non-zero exit on bad
input (a CommandError is exit status 1 from the command line)."""

import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import override_settings

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog
from jushi.lib.tabular import read_table, write_table

from .. import services
from ..choices import Escalation
from ..columns import HEADERS
from ..models import Problem, Project
from .base import D, LedgerTestCase

ROWS = [
    {
        "项目名称": "碳纤维复合材料项目",
        "投资方": "江苏恒神新材料有限公司",
        "资金来源地": "省外(区外)",
        "线索日期": "2024-05-06",
    },
    {
        "项目名称": "光伏组件生产线项目",
        "投资方": "浙江晶科能源有限公司",
        "行业代码": "3841",
        "阶段": "在谈",
        "线索日期": "2024-02-01",
        "洽谈日期": "2024-03-01",
    },
]


class CliTestCase(LedgerTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())

    def write(self, rows, name="ledger.csv"):
        path = self.tmp / name
        path.write_bytes(
            write_table(HEADERS, [[r.get(h, "") for h in HEADERS] for r in rows], path.suffix[1:])
        )
        return path

    def call(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("projects", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def fails(self, message, *args):
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, message) as caught:
            call_command("projects", *args, stdout=io.StringIO(), stderr=err)
        self.assertEqual(caught.exception.returncode, 1)
        return err.getvalue()


class ImportCommandTests(CliTestCase):
    def test_dry_run_prints_the_plan_then_the_real_run_saves(self):
        path = self.write(ROWS, "ledger.xlsx")
        out, _ = self.call("import", str(path), "--zone", "kashgar", "--dry-run")
        self.assertIn("新建 第 2 行 P2024-0001 碳纤维复合材料项目(阶段:线索)", out)
        self.assertIn("新建 第 3 行 P2024-0002 光伏组件生产线项目(阶段:在谈)", out)
        self.assertIn("[试运行] 将新建 2 个项目,将更新 0 个,未变化 0 个", out)
        self.assertEqual(Project.objects.count(), 0)

        out, _ = self.call("import", str(path), "--zone", "kashgar", "--user", "admin")
        self.assertIn("已新建 2 个项目,已更新 0 个,未变化 0 个;批次 ", out)
        self.assertEqual(
            list(Project.objects.order_by("code").values_list("code", "stage__code")),
            [("P2024-0001", "lead"), ("P2024-0002", "talks")],
        )
        self.assertEqual(set(ChangeLog.objects.values_list("source", "user_name")), {("cli", "admin")})

    def test_row_errors_are_printed_and_nothing_is_saved(self):
        rows = [*ROWS, {**ROWS[0], "项目名称": "", "资金来源地": "火星"}, {**ROWS[1], "洽谈日期": ""}]
        err = self.fails("3 处错误,未导入任何数据", "import", str(self.write(rows)), "--zone", "kashgar")
        self.assertEqual(
            [line for line in err.splitlines() if line.startswith("第 ")],
            [
                "第 4 行 资金来源地: 应为 境外、省外(区外)、市外、本地 之一",
                "第 4 行 项目名称: 必填",
                "第 5 行 洽谈日期: 进入“在谈”须填写",
            ],
        )
        self.assertEqual(Project.objects.count(), 0)

    def test_an_amount_over_1000_yi_is_imported_with_confirm(self):
        row = {**ROWS[1], "协议总投资(万元)": "12000000"}
        path = self.write([row])
        self.fails("1 处错误", "import", str(path), "--zone", "kashgar")
        self.call("import", str(path), "--zone", "kashgar", "--confirm")
        self.assertEqual(Project.objects.get().agreed_investment, 12000000)

    def test_bad_input_is_a_clear_command_error(self):
        good = self.write(ROWS)
        self.fails("import: 请用 --zone 给出导入到哪个开发区", "import", str(good))
        self.fails(
            "--zone: 没有代码为“other”的开发区,或无权操作",
            "import",
            str(good),
            "--zone",
            "other",
            "--user",
            "admin",
        )
        self.fails(
            "--zone: 没有代码为“kashgar”的开发区,或无权操作",
            "import",
            str(good),
            "--zone",
            "kashgar",
            "--user",
            "leader",
        )
        self.fails(
            "--user: 没有名为“nobody”的有效用户", "import", str(good), "--zone", "kashgar", "--user", "nobody"
        )
        text = self.tmp / "ledger.txt"
        text.write_text("项目编号")
        self.fails("不是 CSV 或 XLSX 文件", "import", str(text), "--zone", "kashgar")
        self.fails("文件不存在", "import", str(self.tmp / "missing.csv"), "--zone", "kashgar")
        fake = self.tmp / "fake.xlsx"
        fake.write_bytes(b"not a workbook")
        self.fails("fake.xlsx: 文件不是有效的 XLSX 工作簿", "import", str(fake), "--zone", "kashgar")
        with override_settings(JUSHI_IMPORT_MAX_BYTES=100):
            self.fails("ledger.csv: 文件大小 0.0 MB,超过上限", "import", str(good), "--zone", "kashgar")
        self.assertEqual(Project.objects.count(), 0)


class ExportCommandTests(CliTestCase):
    def test_export_by_zone_and_stage_then_import_back_unchanged(self):
        self.sign(self.lead())
        self.lead(name="碳纤维项目", investor="江苏恒神")
        self.lead(name="保密项目", investor="某央企", confidential=True)
        path = self.tmp / "all.xlsx"
        out, _ = self.call("export", str(path), "--zone", "kashgar")
        self.assertIn(f"已导出 3 个项目到 {path}", out)
        exported = read_table(path.read_bytes(), path.name, max_bytes=10**7)
        self.assertEqual(exported.headers, HEADERS)
        self.assertEqual(
            sorted(r["项目名称"] for r in exported.rows), ["保密项目", "无人机装备制造项目", "碳纤维项目"]
        )

        signed = self.tmp / "signed.csv"
        self.call("export", str(signed), "--stage", "signed", "--user", "leader")
        self.assertEqual(
            [r["阶段"] for r in read_table(signed.read_bytes(), "s.csv", max_bytes=10**7).rows], ["签约"]
        )
        mine = self.tmp / "mine.csv"
        self.call("export", str(mine), "--user", "reviewer")  # the statistics staff: no confidential rows
        self.assertEqual(len(read_table(mine.read_bytes(), "m.csv", max_bytes=10**7).rows), 2)

        logs = ChangeLog.objects.count()
        out, _ = self.call("import", str(path), "--zone", "kashgar")
        self.assertIn("已新建 0 个项目,已更新 0 个,未变化 3 个", out)
        self.assertEqual(ChangeLog.objects.count(), logs)

    def test_export_needs_a_spreadsheet_name(self):
        self.fails("export: 请给出文件路径", "export")
        self.fails("不是 CSV 或 XLSX 文件", "export", str(self.tmp / "ledger.pdf"))
        self.assertFalse((self.tmp / "ledger.pdf").exists())


class EscalateCommandTests(CliTestCase):
    def raise_problem(self, project, title, due):
        return services.raise_problem(
            actor=self.admin,
            project=project,
            data={"title": title, "owner": "李科长", "raised_on": D(2024, 7, 1), "due_on": due},
            source=ChangeSource.WEB,
        )

    def test_escalate_prints_what_it_escalated_once(self):
        project = self.sign(self.lead())
        late = self.raise_problem(project, "施工用电未接入", D(2024, 7, 10))
        later = self.raise_problem(project, "环评批复", D(2024, 7, 25))
        self.raise_problem(project, "道路", D(2024, 9, 1))
        out, _ = self.call("escalate", "--today", "2024-08-01", "--zone", "kashgar")
        self.assertEqual(
            out.splitlines(),
            [
                f"  kashgar 领导督办:{project.code} 无人机装备制造项目「施工用电未接入」逾期 22 天,责任人 李科长",
                f"  kashgar 部门督办:{project.code} 无人机装备制造项目「环评批复」逾期 7 天,责任人 李科长",
                "共督办 2 个问题",
            ],
        )
        self.assertEqual(
            list(
                Problem.objects.filter(pk__in=[late.pk, later.pk])
                .order_by("due_on")
                .values_list("escalation", flat=True)
            ),
            [Escalation.LEADER, Escalation.DEPARTMENT],
        )
        out, _ = self.call("escalate", "--today", "2024-08-01")
        self.assertEqual(out.splitlines(), ["共督办 0 个问题"])

    def test_escalate_refuses_read_only_users_and_bad_dates(self):
        self.fails("用户“leader”无权督办", "escalate", "--user", "leader")
        self.fails("--today: “2024-13-01”不是日期(格式 2024-06-30)", "escalate", "--today", "2024-13-01")
