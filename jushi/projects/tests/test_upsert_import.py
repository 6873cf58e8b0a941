"""The ledger import's dry run as three groups: new projects, projects that change with old → new per
column (and the stage), and the count unchanged; the command prints it."""

import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from openpyxl import load_workbook

from jushi.core.choices import ChangeSource
from jushi.core.importing import Change
from jushi.core.models import ChangeLog
from jushi.lib.tabular import read_table

from ..exporters import LedgerExporter
from ..models import Project
from ..services.importing import import_ledger
from .base import LedgerTestCase
from .test_import import LEAD, SIGNED, table


class LedgerUpsertTests(LedgerTestCase):
    def ledger_import(self, tbl, *, dry_run=True):
        with self.captureOnCommitCallbacks(execute=True):
            return import_ledger(
                actor=self.admin, zone=self.kashgar, table=tbl, source=ChangeSource.IMPORT, dry_run=dry_run
            )

    def exported(self, edit=None) -> bytes:
        _, _, data = LedgerExporter("xlsx", Project.objects.filter(zone=self.kashgar)).render()
        if edit is None:
            return data
        wb = load_workbook(io.BytesIO(data))
        ws = wb.worksheets[0]
        headers = [c.value for c in ws[1]]
        code, header, value = edit
        for row in ws.iter_rows(min_row=2):
            if row[0].value == code:
                row[headers.index(header)].value = value
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    def test_groups_with_old_and_new_values_and_the_stage(self):
        done = self.ledger_import(table(LEAD, SIGNED), dry_run=False)
        self.assertEqual(done.errors, [])
        lead, signed = (p.code for p in done.plan)
        data = self.exported(edit=(signed, "达产后年产值(万元)", 50000.5))
        result = self.ledger_import(read_table(data, "l.xlsx", max_bytes=10**7))
        self.assertEqual(result.errors, [])
        plan = result.groups()
        self.assertEqual((len(plan.created), len(plan.updated), plan.unchanged), (0, 1, 1))
        self.assertEqual(plan.updated[0].title, f"{signed} 光伏组件生产线项目")
        self.assertEqual([str(c) for c in plan.updated[0].changes], ["达产后年产值(万元): (空) → 50000.5"])

        moved = self.ledger_import(
            table(
                {
                    "项目编号": lead,
                    **LEAD,
                    "阶段": "在谈",
                    "洽谈日期": "2024-06-01",
                    "行业代码": "3841",
                }
            )
        )
        self.assertEqual(moved.errors, [])
        line = moved.groups().updated[0]
        self.assertEqual(line.changes, [Change("行业代码", None, "3841"), Change("阶段", "线索", "在谈")])

    def test_unchanged_export_is_clean(self):
        self.ledger_import(table(LEAD, SIGNED), dry_run=False)
        result = self.ledger_import(read_table(self.exported(), "l.xlsx", max_bytes=10**7))
        self.assertEqual((result.errors, result.created, result.updated, result.unchanged), ([], 0, 0, 2))
        self.assertTrue(result.groups().empty)

    def test_the_command_prints_old_and_new(self):
        done = self.ledger_import(table(LEAD, SIGNED), dry_run=False)
        signed = done.plan[1].code
        path = Path(tempfile.mkdtemp()) / "ledger.xlsx"
        path.write_bytes(self.exported(edit=(signed, "合同编号", "KS-2024-018")))
        out = io.StringIO()
        call_command(
            "projects",
            "import",
            str(path),
            "--zone",
            "kashgar",
            "--dry-run",
            stdout=out,
            stderr=io.StringIO(),
        )
        self.assertIn(
            f"更新 第 3 行 {signed} 光伏组件生产线项目:合同编号: KS-2024-017 → KS-2024-018", out.getvalue()
        )
        self.assertIn("[试运行] 将新建 0 个项目,将更新 1 个,未变化 1 个", out.getvalue())

    def test_every_change_of_one_import_carries_its_batch(self):
        done = self.ledger_import(table(LEAD, SIGNED), dry_run=False)
        lead, _signed = (p.code for p in done.plan)
        row = {"项目编号": lead, **LEAD, "阶段": "在谈", "洽谈日期": "2024-06-01", "行业代码": "3841"}
        applied = self.ledger_import(table(row), dry_run=False)
        self.assertEqual((applied.errors, applied.updated), ([], 1))
        rows = ChangeLog.objects.for_object(Project.objects.get(code=lead)).exclude(action="create")
        self.assertGreaterEqual(rows.count(), 2)  # the field update and the stage move
        self.assertEqual(set(rows.values_list("batch", flat=True)), {applied.batch})
