"""A chain as a workbook: one sheet of nodes with their figures and strength, one of its gaps with
their reasons. Amounts are numbers (万元 as the ledger keeps them, output in 亿元 as reported); text
cells are escaped against formula injection."""

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils import timezone

from jushi.core.exporters import MIMETYPES, TableExporter
from jushi.lib.tabular import escape_cell

from .choices import Segment

NODE_HEADERS = (
    "环节",
    "节点",
    "节点代码",
    "上级节点",
    "现状图",
    "远景图",
    "强度",
    "缺口",
    "企业(家)",
    "其中规上(家)",
    "在谈项目(个)",
    "协议投资(万元)",
    "到位资金(万元)",
    "当前产值(亿元)",
    "达产后预计产值(万元)",
)
GAP_HEADERS = ("缺口类型", "节点", "节点代码", "环节", "强度", "企业和已签约项目(个)", "薄弱阈值", "原因")


def _cell(value):
    if isinstance(value, str):
        return escape_cell(value)
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.0001")))
    return value


class ChainExporter(TableExporter):
    """The nodes sheet is the exporter's table (`rows()`); the gaps sheet comes with it in the XLSX."""

    identifier = "chain"
    headers = NODE_HEADERS

    def __init__(self, view, fmt: str = "xlsx"):
        super().__init__(fmt)
        self.view = view
        self.identifier = f"chain-{view.chain.code}"

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

    def render(self) -> tuple[str, str, bytes]:
        if self.fmt != "xlsx":
            return super().render()
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        nodes = wb.active
        nodes.title = "节点"
        gaps = wb.create_sheet("缺口")
        chain = self.view.chain
        for ws, headers, rows in ((nodes, NODE_HEADERS, self.rows()), (gaps, GAP_HEADERS, self.gap_rows())):
            ws.append([escape_cell(f"{chain.zone.name} · {chain.name}")])
            ws.append(list(headers))
            for cell in ws[2]:
                cell.font = Font(bold=True)
            for row in rows:
                ws.append([_cell(v) for v in row])
            for i, h in enumerate(headers, start=1):
                ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = max(10, len(h) * 2 + 2)
            ws.freeze_panes = "A3"
        gaps.column_dimensions["H"].width = 60
        buf = io.BytesIO()
        wb.save(buf)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return f"{self.identifier}-{stamp}.xlsx", MIMETYPES["xlsx"], buf.getvalue()
