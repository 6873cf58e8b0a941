"""The enterprise spreadsheet layout, shared by import and export so that a file round-trips."""

from dataclasses import dataclass

from jushi.lib.tabular import format_cell, unescape_cell

from .models import Enterprise


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the EnterpriseImportForm field
    required: bool = False


ENTERPRISE_COLUMNS = [
    Column("统一社会信用代码", "credit_code", required=True),
    Column("企业名称", "name", required=True),
    Column("开发区代码", "zone", required=True),
    Column("园区代码", "park"),
    Column("行业代码", "industry"),
    Column("地址", "address"),
    Column("成立日期", "established_on"),
    Column("入区日期", "entered_on"),
    Column("状态", "status"),
    Column("占地面积(亩)", "land_area_mu"),
    Column("联系人", "contact_name"),
    Column("联系电话", "contact_phone"),
    Column("规上年份", "size_years"),
    Column("合成数据", "is_synthetic"),
    Column("备注", "notes"),
]
HEADERS = [c.header for c in ENTERPRISE_COLUMNS]
BY_HEADER = {c.header: c for c in ENTERPRISE_COLUMNS}
# Field names are accepted as headers too, for files made by other systems.
BY_HEADER.update({c.key: c for c in ENTERPRISE_COLUMNS})


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
