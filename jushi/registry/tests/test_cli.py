import io

from django.core.management import CommandError, call_command

from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase, make_code
from jushi.lib.tabular import read_table, write_table
from jushi.registry.columns import HEADERS
from jushi.registry.models import Enterprise


def hundred_rows(bad_row_index=None):
    rows = []
    for i in range(100):
        code = make_code(1000 + i)
        if i == bad_row_index:
            code = code[:-1] + ("0" if code[-1] != "0" else "1")
        rows.append(
            [
                code,
                f"批量企业{i:03d}有限公司",
                "kashgar",
                "energy",
                "3841",
                "喀什经开区",
                "2020-01-01",
                "2021-03-01",
                "在营",
                "50",
                "",
                "",
                "2024",
                "是",
                "",
            ]
        )
    return rows


class ImportCommandTests(PersonaTestCase):
    def write(self, tmp, rows, name="list.xlsx"):
        path = tmp / name
        path.write_bytes(write_table(HEADERS, rows, path.suffix.lstrip(".")))
        return path

    def call(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command(*args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_hundred_rows_one_bad_code_then_fixed_then_updated(self):
        import tempfile
        from pathlib import Path

        tmp = Path(tempfile.mkdtemp())
        bad = self.write(tmp, hundred_rows(bad_row_index=41))
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, "1 处错误,未导入任何数据"):
            call_command("import", "enterprises", str(bad), stdout=io.StringIO(), stderr=err)
        error_lines = [line for line in err.getvalue().splitlines() if line.startswith("第 ")]
        self.assertEqual(len(error_lines), 1)
        self.assertTrue(error_lines[0].startswith("第 43 行 统一社会信用代码: 校验位错误"), error_lines)
        self.assertEqual(Enterprise.objects.filter(name__startswith="批量企业").count(), 0)

        good = self.write(tmp, hundred_rows())
        out, _ = self.call("import", "enterprises", str(good), "--dry-run")
        self.assertIn("[试运行] 将新建 100 家企业", out)
        self.assertEqual(Enterprise.objects.filter(name__startswith="批量企业").count(), 0)
        out, _ = self.call("import", "enterprises", str(good))
        self.assertIn("已新建 100 家企业", out)
        self.assertEqual(Enterprise.objects.filter(name__startswith="批量企业").count(), 100)

        out, _ = self.call("import", "enterprises", str(good))  # the same file again: nothing to do
        self.assertIn("已新建 0 家企业,已更新 0 家企业,未变化 100 家企业", out)

        rows = hundred_rows()
        rows[0][8] = "停产"
        rows[5][9] = "75.5"
        rows[99][12] = "2023,2024"
        changed = self.write(tmp, rows, "changed.csv")
        out, _ = self.call("import", "enterprises", str(changed), "--dry-run")
        self.assertIn("[试运行] 将新建 0 家企业,将更新 3 家企业,未变化 97 家企业", out)
        self.assertIn("更新 第 2 行 批量企业000有限公司", out)
        self.assertIn("状态: 在营 → 停产", out)
        self.assertIn("占地面积(亩): 50 → 75.5", out)
        # --update is kept so old scripts still run; it changes nothing, an import always updates
        out, _ = self.call("import", "enterprises", str(changed), "--update")
        self.assertIn("已新建 0 家企业,已更新 3 家企业,未变化 97 家企业", out)
        logs = ChangeLog.objects.filter(action="update", source="cli")
        self.assertEqual(
            sorted((log.object_repr, tuple(log.changes())) for log in logs),
            [
                ("批量企业000有限公司", (("状态", "operating", "suspended"),)),
                ("批量企业005有限公司", (("占地面积(亩)", "50", "75.5"),)),
                ("批量企业099有限公司", (("规上年份", "2024", "2023,2024"),)),
            ],
        )
        self.assertEqual(len({log.batch for log in logs}), 1)

    def test_bad_files_exit_with_a_message(self):
        import tempfile
        from pathlib import Path

        tmp = Path(tempfile.mkdtemp())
        (tmp / "a.txt").write_text("x")
        with self.assertRaisesMessage(CommandError, "不是 CSV 或 XLSX 文件"):
            self.call("import", "enterprises", str(tmp / "a.txt"))
        with self.assertRaisesMessage(CommandError, "文件不存在"):
            self.call("import", "enterprises", str(tmp / "missing.csv"))
        with self.assertRaisesMessage(CommandError, "--zone: 没有代码为“nowhere”的开发区"):
            self.call("import", "enterprises", str(tmp / "a.txt"), "--zone", "nowhere")

    def test_export_by_extension_and_as_a_scoped_user(self):
        import tempfile
        from pathlib import Path

        tmp = Path(tempfile.mkdtemp())
        out, _ = self.call("export", "enterprises", str(tmp / "all.xlsx"))
        self.assertIn("已导出 3 家企业", out)
        self.call("export", "enterprises", str(tmp / "mine.csv"), "--user", "reporter_a")
        rows = read_table((tmp / "mine.csv").read_bytes(), "mine.csv", max_bytes=10**6).rows
        self.assertEqual([r["企业名称"] for r in rows], ["甲纺织有限公司"])
        with self.assertRaisesMessage(CommandError, "扩展名应为 .csv 或 .xlsx"):
            self.call("export", "enterprises", str(tmp / "x.json"))
