"""The enterprise spreadsheet layout, shared by import and export so that a file round-trips."""

from dataclasses import dataclass

from jushi.lib import tabular
from jushi.lib.tabular import format_cell, unescape_cell

from .models import Enterprise


@dataclass(frozen=True)
class Column:
    header: str  # as printed, with the unit: 占地面积(亩)
    key: str  # the EnterpriseImportForm field
    required: bool = False
    kind: str = tabular.TEXT  # how the XLSX export writes it (lib.tabular kinds)
    decimals: int | None = None
    unit: str = ""

    @property
    def title(self) -> str:
        """The printed header, with the unit: 占地面积(亩)."""
        return self.cell.title

    @property
    def cell(self) -> tabular.Column:
        return tabular.Column(self.header, kind=self.kind, decimals=self.decimals, unit=self.unit)


ENTERPRISE_COLUMNS = [
    Column("统一社会信用代码", "credit_code", required=True, kind=tabular.CODE),
    Column("企业名称", "name", required=True),
    Column("开发区代码", "zone", required=True, kind=tabular.CODE),
    Column("园区代码", "park", kind=tabular.CODE),
    Column("行业代码", "industry", kind=tabular.CODE),
    Column("地址", "address"),
    Column("成立日期", "established_on", kind=tabular.DATE),
    Column("入区日期", "entered_on", kind=tabular.DATE),
    Column("状态", "status"),
    Column("占地面积(亩)", "land_area_mu", kind=tabular.NUMBER, decimals=2, unit="亩"),
    Column("联系人", "contact_name"),
    Column("联系电话", "contact_phone", kind=tabular.CODE),
    Column("规上年份", "size_years", kind=tabular.CODE),
    Column("合成数据", "is_synthetic"),
    Column("备注", "notes"),
]
HEADERS = [c.title for c in ENTERPRISE_COLUMNS]
CELLS = [c.cell for c in ENTERPRISE_COLUMNS]  # the export's typed columns


def header_spellings(header: str, unit: str = "") -> set[str]:
    """The ways a header may be written: with the unit in full-width or ASCII brackets, or without it."""
    spellings = {header}
    if unit:
        bare = header.removesuffix(f"({unit})").removesuffix(f"({unit})")
        spellings |= {bare, f"{bare}({unit})", f"{bare}({unit})"}
    return spellings


BY_HEADER: dict[str, Column] = {}
for _column in ENTERPRISE_COLUMNS:
    for _spelling in header_spellings(_column.header, _column.unit):
        BY_HEADER[_spelling] = _column
    # Field names are accepted as headers too, for files made by other systems.
    BY_HEADER[_column.key] = _column


def enterprise_row(e: Enterprise) -> list:
    """One export row; references as codes, choices as their Chinese labels, as the importer reads them."""
    return [
        e.credit_code,
        e.name,
        e.zone.code,
        e.park.code if e.park_id else "",
        e.industry.code if e.industry_id else "",
        e.address,
        e.established_on,
        e.entered_on,
        e.get_status_display(),
        e.land_area_mu,
        e.contact_name,
        e.contact_phone,
        ",".join(str(m.year) for m in e.size_memberships.all()),
        "是" if e.is_synthetic else "否",
        e.notes,
    ]


def form_data_from(e: Enterprise) -> dict[str, str]:
    """The row an existing enterprise would have in a file: the base that an update row overrides."""
    return {
        c.key: unescape_cell(format_cell(v))
        for c, v in zip(ENTERPRISE_COLUMNS, enterprise_row(e), strict=True)
    }
