"""A chain as a workbook: one sheet of nodes with their figures and strength, one of its gaps with
their reasons, and the 说明 sheet. Amounts are numeric cells (万元 as the ledger keeps them, output in 亿元
as reported), codes text, the header frozen with an autofilter; text cells are escaped against formula
injection."""

import io
from collections.abc import Iterable, Sequence

from django.utils import timezone

from jushi.core.exporters import MIMETYPES, TableExporter, titles
from jushi.lib.tabular import CODE, NUMBER, TEXT, Column, escape_cell, write_about, write_sheet

from .choices import Segment

COUNT = {"kind": NUMBER, "decimals": 0, "grouping": False}
AMOUNT = {"kind": NUMBER, "decimals": 2}
NODE_COLUMNS = (
    Column("环节", kind=TEXT),
    Column("节点", kind=TEXT),
    Column("节点代码", kind=CODE),
    Column("上级节点", kind=TEXT),
    Column("现状图", kind=TEXT),
    Column("远景图", kind=TEXT),
    Column("强度", kind=TEXT),
    Column("缺口", kind=TEXT),
    Column("企业", unit="家", **COUNT),
    Column("其中规上", unit="家", **COUNT),
    Column("在谈项目", unit="个", **COUNT),
    Column("协议投资", unit="万元", **AMOUNT),
    Column("到位资金", unit="万元", **AMOUNT),
    Column("当前产值", unit="亿元", **AMOUNT),
    Column("达产后预计产值", unit="万元", **AMOUNT),
)
GAP_COLUMNS = (
    Column("缺口类型", kind=TEXT),
    Column("节点", kind=TEXT),
    Column("节点代码", kind=CODE),
    Column("环节", kind=TEXT),
    Column("强度", kind=TEXT),
    Column("企业和已签约项目", unit="个", **COUNT),
    Column("薄弱阈值", **COUNT),
    Column("原因", kind=TEXT),
)
NODE_HEADERS = tuple(titles(NODE_COLUMNS))
GAP_HEADERS = tuple(titles(GAP_COLUMNS))


class ChainExporter(TableExporter):
    """The nodes sheet is the exporter's table (`rows()`); the gaps sheet comes with it in the XLSX."""

    identifier = "chain"
    columns = NODE_COLUMNS

    def __init__(self, view, fmt: str = "xlsx", *, actor=None):
        super().__init__(fmt, actor=actor)
        self.view = view
        self.identifier = f"chain-{view.chain.code}"
        chain = view.chain
        self.title = f"{chain.zone.name}{chain.name}图谱:节点的强度、缺口、企业和项目数字,以及缺口清单"
        self.filters = [f"产业链:{chain.name}({chain.code})"]

    def audit_zone_id(self) -> int | None:
        return self.view.chain.zone_id

    def rows(self) -> Iterable[Sequence]:
        names = {r.node.pk: r.node.name for r in self.view.rows}
        for r in self.view.rows:
            f = r.figures
            yield (
                str(Segment(r.node.segment).label),
                "  " * r.depth + escape_cell(r.node.name),  # escaped before the indent hides the "="
                r.node.code,
                names.get(r.node.parent_id, ""),
                "是" if r.node.in_current else "否",
                "是" if r.node.in_target else "否",
                r.strength_label,
                r.gap_label,
                r.enterprise_count,
                f.above_size,
                f.pipeline,
                f.investment,
                f.funds,
                f.output,
                f.expected_output,
            )
        t = self.view.totals
        yield (
            "全链合计",
            f"{t.nodes} 个节点",
            "",
            "",
            "",
            "",
            "",
            f"补链 {t.fill} · 延链 {t.extend} · 强链 {t.strengthen}",
            t.enterprises,
            None,
            t.pipeline,
            t.investment,
            t.funds,
            t.output,
            t.expected_output,
        )
        if t.confidential:
            yield ("说明", f"另有 {t.confidential} 个保密项目,导出人无权查看,未计入以上数字")

    def gap_rows(self) -> Iterable[Sequence]:
        for r in self.view.gaps:
            yield (
                r.gap_label,
                r.node.name,
                r.node.code,
                str(Segment(r.node.segment).label),
                r.strength_label,
                r.figures.count,
                r.node.threshold,
                r.gap.reason,
            )

    def zone_names(self) -> list[str]:
        return [self.view.chain.zone.name]

    def about_extra(self) -> list[tuple[str, str]]:
        lines = [
            ("工作表", "“节点”:各节点的强度、缺口、企业和项目数字,末行为全链合计;“缺口”:缺口清单及原因"),
            ("口径", "协议投资、到位资金、达产后预计产值为万元(与项目台账一致),当前产值为亿元(按报表口径)"),
        ]
        if self.view.totals.confidential:
            lines.append(
                ("保密项目", f"另有 {self.view.totals.confidential} 个保密项目,导出人无权查看,未计入以上数字")
            )
        return lines

    def render(self) -> tuple[str, str, bytes]:
        if self.fmt != "xlsx":
            return super().render()
        from openpyxl import Workbook

        wb = Workbook()
        nodes = wb.active
        nodes.title = "节点"
        gaps = wb.create_sheet("缺口")
        chain = self.view.chain
        count = 0
        for ws, columns, rows in ((nodes, NODE_COLUMNS, self.rows()), (gaps, GAP_COLUMNS, self.gap_rows())):
            ws.append([escape_cell(f"{chain.zone.name} · {chain.name}")])  # the title row, as on the page
            written = write_sheet(ws, columns, rows, header_row=2)
            count = count or written
        write_about(wb, self.about(count))
        buf = io.BytesIO()
        wb.save(buf)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return f"{self.identifier}-{stamp}.xlsx", MIMETYPES["xlsx"], buf.getvalue()


class PoolExporter(TableExporter):
    """The target-company pool as its page lists it (same filters, same visibility): the import's columns
    first, so a file can be edited and imported back, then the zone, chain and node by name and the lead
    the company became (a confidential lead unnamed, as on the page)."""

    identifier = "pool"
    sheet = "目标企业库"
    title = "目标企业库(按目标企业库页的筛选条件)"
    columns = (
        Column("企业名称", kind=TEXT),
        Column("统一社会信用代码", kind=CODE),
        Column("所在地区", kind=TEXT),
        Column("主要产品", kind=TEXT),
        Column("产业链代码", kind=CODE),
        Column("节点代码", kind=CODE),
        Column("规模", kind=TEXT),
        Column("是否上市", kind=TEXT),
        Column("备注", kind=TEXT),
        Column("开发区", kind=TEXT),
        Column("产业链", kind=TEXT),
        Column("节点", kind=TEXT),
        Column("招商线索", kind=TEXT),
    )

    def __init__(self, fmt: str, companies, *, actor=None, filters=(), zone=None):
        super().__init__(fmt, actor=actor, filters=filters)
        self.companies, self.zone = list(companies), zone

    def zone_names(self) -> list[str]:
        if self.zone is not None:
            return [self.zone.name]
        return sorted({c.zone.name for c in self.companies})

    def rows(self) -> Iterable[Sequence]:
        from .views.shared import mark_leads, size_label

        mark_leads(self.companies, self.actor)
        for c in self.companies:
            if c.shown_lead is not None:
                lead = f"{c.shown_lead.code} {c.shown_lead.stage.name}"
            else:
                lead = "已转线索(保密)" if c.lead_id else "未转化"
            yield (
                c.name,
                c.credit_code,
                c.region,
                c.products,
                c.node.chain.code,
                c.node.code,
                size_label(c.size),
                "是" if c.listed else "否",
                c.note,
                c.zone.name,
                c.node.chain.name,
                c.node.name,
                lead,
            )
