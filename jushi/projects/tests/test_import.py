"""The ledger spreadsheet import: row errors by row and header, all or nothing, dry run = the real plan,
and an exported file imports back unchanged."""

from django.core.exceptions import PermissionDenied

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog
from jushi.indicators.models import Result
from jushi.lib.tabular import Table, read_table

from .. import services
from ..choices import DuplicateStatus
from ..columns import HEADERS
from ..exporters import LedgerExporter
from ..models import Project, StageChange
from ..services.importing import import_ledger
from .base import D, LedgerTestCase, make_code


def table(*rows: dict, headers=None) -> Table:
    """A sheet of the columns the rows name (and the three required ones); a header left out of a row
    is a blank cell."""
    if headers is None:
        headers = [h for h in HEADERS if h in ("项目编号", "项目名称", "投资方") or any(h in r for r in rows)]
    return Table(headers=list(headers), rows=[{h: row.get(h, "") for h in headers} for row in rows])


LEAD = {
    "项目名称": "碳纤维复合材料项目",
    "投资方": "江苏恒神新材料有限公司",
    "资金来源地": "省外(区外)",
    "线索日期": "2024-05-06",
}
SIGNED = {
    "项目名称": "光伏组件生产线项目",
    "投资方": "浙江晶科能源有限公司",
    "统一社会信用代码": make_code(70, "330100"),
    "资金来源地": "省外(区外)",
    "行业代码": "3841",
    "功能区代码": "energy",
    "阶段": "签约",
    "线索日期": "2024-02-01",
    "洽谈日期": "2024-03-01",
    "签约日期": "2024-06-26",
    "签约活动": "第八届中国—亚欧博览会",
    "合同编号": "KS-2024-017",
    "协议总投资(万元)": "32000",
    "固定资产投资(万元)": "25000",
    "责任领导": "王副主任",
    "保密": "否",
}


class ImportTests(LedgerTestCase):
    def run_import(self, tbl, *, actor=None, dry_run=False, confirm=False):
        with self.captureOnCommitCallbacks(execute=True):
            return import_ledger(
                actor=actor or self.admin,
                zone=self.kashgar,
                table=tbl,
                source=ChangeSource.IMPORT,
                dry_run=dry_run,
                confirm=confirm,
            )

    def state(self):
        return (Project.objects.count(), StageChange.objects.count(), ChangeLog.objects.count())

    def test_dry_run_plans_exactly_what_the_real_run_then_does(self):
        existing = self.lead()  # P2024-0001, a lead
        tbl = table(
            LEAD,
            SIGNED,
            {
                "项目编号": existing.code,
                "项目名称": existing.name,
                "投资方": existing.investor.name,
                "资金来源地": "省外(区外)",
                "行业代码": "3841",
                "阶段": "在谈",
                "线索日期": "2024-03-01",
                "洽谈日期": "2024-04-02",
                "责任单位": "招商局",
            },
        )
        before = self.state()
        plan = self.run_import(tbl, dry_run=True)
        self.assertEqual(plan.errors, [])
        self.assertEqual(self.state(), before)
        signings = Result.objects.filter(zone=self.kashgar, indicator__code="INV_SIGN_N", scope="zone")
        self.assertFalse(signings.exists())  # a dry run leaves the indicators alone too
        self.assertEqual(
            [(p.row, p.action, p.code, p.stage_from, p.stage_to, p.changes) for p in plan.plan],
            [
                (2, "create", "P2024-0002", "", "线索", []),
                (3, "create", "P2024-0003", "", "签约", []),
                (4, "update", "P2024-0001", "线索", "在谈", ["行业代码", "责任单位"]),
            ],
        )
        self.assertEqual(plan.summary(), "将新建 2 个项目,将更新 1 个,未变化 0 个")

        done = self.run_import(tbl)
        self.assertEqual(
            [(p.row, p.action, p.code) for p in done.plan], [(p.row, p.action, p.code) for p in plan.plan]
        )
        signed = Project.objects.get(code="P2024-0003")
        self.assertEqual(
            (signed.stage.code, signed.signed_on, signed.agreed_investment, signed.event, signed.park),
            ("signed", D(2024, 6, 26), 32000, self.expo, self.energy),
        )
        self.assertEqual(
            list(signed.stage_changes.values_list("to_stage__code", "on")),
            [("lead", D(2024, 2, 1)), ("talks", D(2024, 3, 1)), ("signed", D(2024, 6, 26))],
        )
        self.assertEqual(signings.get(period="2024-06").value, 1)  # refreshed once the import committed
        existing.refresh_from_db()
        self.assertEqual(
            (existing.stage.code, existing.talks_on, existing.unit), ("talks", D(2024, 4, 2), "招商局")
        )
        logs = ChangeLog.objects.filter(source=ChangeSource.IMPORT)
        self.assertEqual(logs.count(), 5)  # 2 created, P2024-0003 moved, P2024-0001 edited and moved
        self.assertEqual(logs.filter(batch=done.batch).count(), 5)  # every change of the import: one batch

    def test_every_row_error_is_named_by_row_and_header_and_nothing_is_saved(self):
        before = self.state()
        result = self.run_import(
            table(
                LEAD,
                {**LEAD, "项目名称": "", "资金来源地": "外星"},
                {**SIGNED, "洽谈日期": "", "阶段": "谈判中"},
                {**SIGNED, "项目名称": "另一个项目", "洽谈日期": "", "签约活动": "没办过的会"},
                {**LEAD, "项目名称": "新材料二期", "开工日期": "2024-08-01", "保密": "也许"},
                {"项目编号": "P2099-0001", "项目名称": "x", "投资方": "y"},
            )
        )
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 3 行 资金来源地: 应为 境外、省外(区外)、市外、本地 之一",
                "第 3 行 项目名称: 必填",
                "第 4 行 阶段: 未知的阶段“谈判中”,应为 线索/在谈/签约/供地/开工/投产/达产 之一",
                "第 5 行 签约活动: 本开发区没有签约活动“没办过的会”;请先登记该活动",
                "第 6 行 保密: 应为“是”或“否”",
                "第 6 行 开工日期: 项目尚未进入“开工”阶段,不能填写;请填写阶段或清空该日期",
                "第 7 行 项目编号: 本开发区没有编号为“P2099-0001”的项目(或无权查看);新项目请留空",
            ],
        )
        self.assertEqual(self.state(), before)
        self.assertFalse(result.ok)

    def test_skipped_stage_asks_for_its_date_by_the_column_header(self):
        result = self.run_import(table({**SIGNED, "洽谈日期": ""}))
        self.assertEqual([str(e) for e in result.errors], ["第 2 行 洽谈日期: 跳过的“在谈”阶段须填写"])
        self.assertEqual(Project.objects.count(), 0)

    def test_headers_unknown_or_missing_are_one_error(self):
        headers = [h for h in HEADERS if h != "投资方"] + ["联系人"]
        result = self.run_import(table(LEAD, headers=headers))
        self.assertEqual(len(result.errors), 1)
        message = str(result.errors[0])
        self.assertTrue(
            message.startswith("第 1 行 表头: 未知的列:联系人;缺少必需的列:投资方;期望的列为:项目编号"),
            message,
        )
        self.assertEqual(Project.objects.count(), 0)

    def test_an_import_never_moves_a_project_back_nor_rewrites_an_entered_stage_date(self):
        project = self.sign(self.lead())
        row = {
            "项目编号": project.code,
            "项目名称": project.name,
            "投资方": project.investor.name,
            "阶段": "在谈",
            "签约日期": "2024-06-27",
        }
        before = self.state()
        result = self.run_import(table(row))
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 2 行 阶段: 导入不能退回阶段:项目现处于“签约”阶段;退回请在项目页面操作并说明原因",
                "第 2 行 签约日期: 与台账不一致(台账为 2024-06-26);导入不修改已进入阶段的日期",
            ],
        )
        self.assertEqual(self.state(), before)

    def test_a_project_twice_in_one_file_is_an_error(self):
        project = self.lead()
        row = {"项目编号": project.code, "项目名称": project.name, "投资方": project.investor.name}
        result = self.run_import(table(row, {**row, "责任单位": "招商局"}))
        self.assertEqual([str(e) for e in result.errors], ["第 3 行 项目编号: 与第 2 行重复"])
        project.refresh_from_db()
        self.assertEqual(project.unit, "")

    def test_a_signed_amount_changes_only_by_a_contract_change(self):
        project = self.sign(self.lead())
        row = {"项目编号": project.code, "项目名称": project.name, "投资方": project.investor.name}
        result = self.run_import(table({**row, "协议总投资(万元)": "20000"}))
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 2 行 协议总投资(万元): 已签约项目的协议投资须通过“合同变更”修改"],
        )
        project.refresh_from_db()
        self.assertEqual(project.agreed_investment, 15000)

    def test_an_amount_over_1000_yi_needs_confirming(self):
        row = {**SIGNED, "协议总投资(万元)": "12000000", "固定资产投资(万元)": ""}
        result = self.run_import(table(row))
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 2 行 协议总投资(万元): 协议总投资(万元) 1,200.00 亿元超过 1000 亿元,请核对单位(万元)后确认"],
        )
        self.assertEqual(Project.objects.count(), 0)
        result = self.run_import(table(row), confirm=True)
        self.assertEqual(result.errors, [])
        self.assertEqual(Project.objects.get().agreed_investment, 12000000)

    def test_the_same_signing_twice_in_one_file_is_flagged_in_the_plan(self):
        again = {
            **SIGNED,
            "项目名称": "晶科光伏组件生产线",
            "签约日期": "2024-07-10",
            "合同编号": "KS-2024-030",
        }
        result = self.run_import(table(SIGNED, again), dry_run=True)
        self.assertEqual(result.errors, [])
        self.assertEqual(
            [(p.code, p.duplicate_of) for p in result.plan],
            [("P2024-0001", ""), ("P2024-0002", "P2024-0001")],
        )
        self.assertIn("疑似重复 1 个", result.summary())
        self.assertEqual(Project.objects.count(), 0)
        self.run_import(table(SIGNED, again))
        self.assertEqual(
            list(Project.objects.order_by("code").values_list("duplicate_status", flat=True)),
            [DuplicateStatus.NONE, DuplicateStatus.FLAGGED],
        )

    def test_an_unchanged_row_is_left_alone(self):
        project = self.lead(investor="中天智控科技控股股份有限公司", code=make_code(81))
        result = self.run_import(
            table(
                {
                    "项目编号": project.code,
                    "项目名称": project.name,
                    "投资方": "中天智控",  # the credit code identifies the investor; its name is not rewritten
                    "统一社会信用代码": make_code(81).lower(),
                    "阶段": "线索",
                    "线索日期": "2024-03-01",
                }
            )
        )
        self.assertEqual([(p.action, p.changes) for p in result.plan], [("unchanged", [])])
        self.assertEqual(ChangeLog.objects.filter(source=ChangeSource.IMPORT).count(), 0)

    def test_permission_is_checked_before_anything_and_by_the_services(self):
        with self.assertRaises(PermissionDenied):
            self.run_import(table(LEAD), actor=self.leader)
        with self.assertRaises(PermissionDenied):
            import_ledger(
                actor=self.other_admin, zone=self.kashgar, table=table(LEAD), source=ChangeSource.IMPORT
            )
        secret = self.lead(name="保密洽谈项目", investor="某央企", confidential=True)
        result = self.run_import(
            table({"项目编号": secret.code, "项目名称": "改名", "投资方": "某央企"}), actor=self.reviewer
        )
        self.assertEqual([e.field for e in result.errors], ["项目编号"])  # the reviewer cannot see it
        secret.refresh_from_db()
        self.assertEqual(secret.name, "保密洽谈项目")


class RoundTripTests(LedgerTestCase):
    def build(self):
        self.lead(name="碳纤维项目", investor="江苏恒神", lead_on=D(2024, 5, 6), note='=HYPERLINK("x")')
        signed = self.sign(
            self.lead(investor="中天智控", code=make_code(90)),
            event=self.expo,
            park="energy",
            fixed_asset_investment="12000.5",
            official="王副主任",
            planned_start_on=D(2024, 9, 1),
        )
        services.record_funds(
            actor=self.admin,
            project=signed,
            on=D(2024, 7, 1),
            amount_wan="5000",
            evidence="bank",
            source=ChangeSource.WEB,
        )
        started = self.sign(
            self.lead(name="纺织项目", investor="华孚时尚", source_region="city"), contract_no="KS-9"
        )
        services.advance_stage(
            actor=self.admin,
            project=started,
            to_stage="started",
            data={
                "land_on": D(2024, 7, 15),
                "parcel": "KS-G-7",
                "land_mu": "120",
                "started_on": D(2024, 8, 1),
            },
            source=ChangeSource.WEB,
        )
        self.lead(name="保密项目", investor="某央企", confidential=True, source_region="abroad")

    def test_an_exported_file_imports_back_with_no_change(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.build()
        projects = Project.objects.filter(zone=self.kashgar)
        self.assertEqual(projects.count(), 4)
        for fmt in ("csv", "xlsx"):
            with self.subTest(fmt=fmt):
                _, _, data = LedgerExporter(fmt, projects).render()
                tbl = read_table(data, f"ledger.{fmt}", max_bytes=10**7)
                logs = ChangeLog.objects.count()
                with self.captureOnCommitCallbacks(execute=True):
                    result = import_ledger(
                        actor=self.admin,
                        zone=self.kashgar,
                        table=tbl,
                        source=ChangeSource.IMPORT,
                        dry_run=False,
                    )
                self.assertEqual(result.errors, [])
                self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 4))
                self.assertEqual(ChangeLog.objects.count(), logs)
                again = read_table(LedgerExporter(fmt, projects).render()[2], f"again.{fmt}", max_bytes=10**7)
                self.assertEqual(again.rows, tbl.rows)
