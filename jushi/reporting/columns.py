"""The spreadsheet layout of a period: one row per enterprise, two columns per field.

The export writes each field's header with its unit (工业总产值(千元), 工业总产值(千元)上年同期); the import
also takes the header with ASCII brackets or without the unit, and the field codes (code, code__ly)."""

from dataclasses import dataclass

from jushi.lib import tabular

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
    decimals: int | None = None  # the field's decimals, for the number format of the export
    label: str = ""
    unit: str = ""

    @property
    def cell(self) -> tabular.Column:
        return tabular.Column(self.header, kind=tabular.NUMBER, decimals=self.decimals)

    def spellings(self) -> set[str]:
        """The headers the import takes for this column."""
        suffix = LY_SUFFIX if self.part == "last_year" else ""
        names = {self.header}
        if self.label:
            names |= {f"{self.label}{suffix}"}
            if self.unit:
                names |= {f"{self.label}({self.unit}){suffix}", f"{self.label}({self.unit}){suffix}"}
                if suffix:  # the unit after the suffix: 工业总产值上年同期(千元)
                    names |= {f"{self.label}{suffix}({self.unit})", f"{self.label}{suffix}({self.unit})"}
        return names


def field_columns(fields) -> list[Column]:
    columns = []
    for f in fields:
        head = f"{f.label}({f.unit})" if f.unit else f.label
        common = {"decimals": f.decimals, "label": f.label, "unit": f.unit}
        columns.append(Column(head, f.code, "current", **common))
        columns.append(Column(f"{head}{LY_SUFFIX}", f.code, "last_year", **common))
    return columns


def headers_for(fields) -> list[str]:
    return [CODE_HEADER, NAME_HEADER, STATUS_HEADER, *(c.header for c in field_columns(fields)), NOTE_HEADER]


def cells_for(fields) -> list[tabular.Column]:
    """The export's typed columns, in the order of `headers_for`."""
    return [
        tabular.Column(CODE_HEADER, kind=tabular.CODE),
        tabular.Column(NAME_HEADER, kind=tabular.TEXT),
        tabular.Column(STATUS_HEADER, kind=tabular.TEXT),
        *(c.cell for c in field_columns(fields)),
        tabular.Column(NOTE_HEADER, kind=tabular.TEXT),
    ]


def header_map(fields) -> dict[str, Column]:
    """Every header the import understands: the printed ones (with or without the unit, in either kind
    of bracket), and field codes (code, code__ly). A printed header wins over another column's spelling."""
    columns = field_columns(fields)
    mapping = {}
    for column in columns:
        for name in column.spellings():
            mapping.setdefault(name, column)
        alias = column.field_code if column.part == "current" else f"{column.field_code}__ly"
        mapping.setdefault(alias, column)
    for column in columns:
        mapping[column.header] = column
    return mapping
