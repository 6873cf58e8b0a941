"""The spreadsheet layout of a period: one row per enterprise, two columns per field."""

from dataclasses import dataclass

CODE_HEADER = "统一社会信用代码"
NAME_HEADER = "企业名称"
NOTE_HEADER = "情况说明"
STATUS_HEADER = "报送状态"  # written by the export, ignored by the import
LY_SUFFIX = "上年同期"


@dataclass(frozen=True)
class Column:
    header: str
    field_code: str
    part: str  # "current" or "last_year"


def field_columns(fields) -> list[Column]:
    columns = []
    for f in fields:
        columns.append(Column(f"{f.label}({f.unit})", f.code, "current"))
        columns.append(Column(f"{f.label}({f.unit}){LY_SUFFIX}", f.code, "last_year"))
    return columns


def headers_for(fields) -> list[str]:
    return [CODE_HEADER, NAME_HEADER, STATUS_HEADER, *(c.header for c in field_columns(fields)), NOTE_HEADER]


def header_map(fields) -> dict[str, Column]:
    """Every header the import understands: the printed ones, and field codes (code, code__ly)."""
    mapping = {}
    for column in field_columns(fields):
        mapping[column.header] = column
        alias = column.field_code if column.part == "current" else f"{column.field_code}__ly"
        mapping[alias] = column
    return mapping
