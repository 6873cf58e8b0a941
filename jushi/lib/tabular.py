"""Read and write tables as CSV or XLSX, the two formats people exchange registries in.

Reading returns header names and rows as dicts of stripped strings; every problem with the file as a
whole raises TableError with a message a user can act on. Writing escapes cells that a spreadsheet
would run as a formula (CSV/formula injection), and reading undoes exactly that escape, so a file we
export imports back unchanged.

Every upload is untrusted: a few kilobytes can declare a sheet of 16,384 columns × 20,000 rows or
unzip to gigabytes. So the caps (rows, columns, cell and line length, expanded size, compression
ratio) are checked before the expensive part: the zip directory before opening the workbook, the
sheet's declared dimension before iterating, and the actual rows and columns while reading, because
a file can lie about its dimension.
"""

import copy
import csv
import datetime as dt
import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from .batching import paused_gc

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")

# Settings that bound an upload, with their defaults (each may be set in jushi/settings.py).
LIMIT_SETTINGS = {
    "rows": ("JUSHI_IMPORT_MAX_ROWS", 50_000),  # sheet rows, the header row included
    "columns": ("JUSHI_IMPORT_MAX_COLUMNS", 200),
    "cell_chars": ("JUSHI_IMPORT_MAX_CELL_CHARS", 32_767),  # Excel's own limit for a cell
    "line_chars": ("JUSHI_IMPORT_MAX_LINE_CHARS", 100_000),  # one line of a CSV file
    "expanded_bytes": ("JUSHI_IMPORT_MAX_EXPANDED_BYTES", 256 * 1024 * 1024),  # an XLSX unzipped
    "zip_ratio": ("JUSHI_IMPORT_MAX_ZIP_RATIO", 100),  # expanded : compressed, for a large entry
}
# Real workbooks compress their sheets about 10-20:1; only entries this large are held to the ratio,
# since tiny XML parts compress oddly and cannot hurt.
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MB = 1024 * 1024


class TableError(ValueError):
    pass


@dataclass(frozen=True)
class Limits:
    """What an import accepts; read from settings so an operator can change them."""

    max_bytes: int
    rows: int
    columns: int
    cell_chars: int
    line_chars: int
    expanded_bytes: int
    zip_ratio: int

    @property
    def max_mb(self) -> str:
        return f"{self.max_bytes / MB:g}"


def limits(max_bytes: int | None = None) -> Limits:
    """The caps in force; max_bytes defaults to JUSHI_IMPORT_MAX_BYTES (what the import pages use)."""
    if max_bytes is None:
        max_bytes = getattr(settings, "JUSHI_IMPORT_MAX_BYTES", 5 * MB)
    values = {key: int(getattr(settings, name, default)) for key, (name, default) in LIMIT_SETTINGS.items()}
    return Limits(max_bytes=max_bytes, **values)


@dataclass
class Table:
    headers: list[str]
    rows: list[dict[str, str]]  # keyed by header
    first_row_number: int = 2  # the spreadsheet row number of rows[0] (row 1 holds the headers)


def format_of(filename: str) -> str:
    ext = Path(filename).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise TableError(f"文件“{Path(filename).name}”不是 CSV 或 XLSX 文件(扩展名应为 .csv 或 .xlsx)")
    return ext


def escape_cell(value: str) -> str:
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _cell_text(value) -> str:
    kind = type(value)  # the common cases first: a large file is mostly numbers and text
    if kind is str:
        return value.strip()
    if kind is int:
        return str(value)
    if kind is float:
        return _float_text(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return _float_text(value)
    return str(value).strip()


def _float_text(value: float) -> str:
    # Excel keeps 15 significant digits and shows a number so; a stored 3.3000000000000003 is
    # the 3.3 the user typed, and must not read as a value with more decimals than it has.
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = format(value, ".15g")
    if "e-" in text:  # a small amount in full, as the text export wrote it: 0.00001, not 1e-05
        return f"{Decimal(text).normalize():f}"
    return text


def read_table(data: bytes, filename: str, *, max_bytes: int) -> Table:
    fmt = format_of(filename)
    if len(data) == 0:
        raise TableError("文件为空")
    if len(data) > max_bytes:
        raise TableError(f"文件大小 {len(data) / MB:.1f} MB,超过上限 {max_bytes / MB:.1f} MB")
    caps = limits(max_bytes)
    with paused_gc():  # a whole upload of small lists and dicts that all stay alive
        raw_rows = _read_csv(data, caps) if fmt == "csv" else _read_xlsx(data, caps)
        return _table(raw_rows)


def _table(raw_rows: list[list[str]]) -> Table:
    raw_rows = [r for r in raw_rows if any(c for c in r)]
    if not raw_rows:
        raise TableError("文件为空:没有表头行")
    headers = [h.lstrip("\ufeff").strip() for h in raw_rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    dupes = sorted({h for h in headers if h and headers.count(h) > 1})
    if dupes:
        raise TableError(f"表头重复:{'、'.join(dupes)}")
    rows = []
    width = len(headers)
    named = all(headers)
    for raw in raw_rows[1:]:
        if len(raw) < width:
            raw = raw + [""] * (width - len(raw))
        cells = [unescape_cell(c) if c[:1] == "'" else c for c in raw]
        pairs = zip(headers, cells, strict=False)  # cells beyond the last header are dropped
        rows.append(dict(pairs) if named else {h: c for h, c in pairs if h})
    if not rows:
        raise TableError("文件只有表头,没有数据行")
    return Table(headers=headers, rows=rows)


def _too_many_rows(caps: Limits) -> TableError:
    return TableError(f"文件超过 {caps.rows} 行的上限(含表头),请拆分成多个文件分批导入")


def _check_width(row_no: int, width: int, caps: Limits, hint: str = "") -> None:
    if width > caps.columns:
        raise TableError(f"第 {row_no} 行有 {width} 列,超过上限 {caps.columns} 列{hint}")


def _check_cells(row_no: int, cells: list[str], caps: Limits) -> None:
    if cells and max(map(len, cells)) > caps.cell_chars:
        from openpyxl.utils import get_column_letter

        col = next(i for i, c in enumerate(cells, start=1) if len(c) > caps.cell_chars)
        raise TableError(
            f"第 {row_no} 行第 {get_column_letter(col)} 列的内容有 {len(cells[col - 1])} 个字符,"
            f"超过单元格上限 {caps.cell_chars} 个字符"
        )


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise TableError("CSV 文件是 UTF-16 编码,请在 Excel 中另存为“CSV UTF-8(逗号分隔)”后再上传")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(
        "无法识别 CSV 文件的编码(应为 UTF-8 或 GBK)"
    )  # pragma: no cover - gb18030 decodes any bytes


def _read_csv(data: bytes, caps: Limits) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise TableError("文件不是 CSV 文本文件")

    def lines():
        for line_no, line in enumerate(io.StringIO(text), start=1):
            if len(line) > caps.line_chars:
                raise TableError(
                    f"CSV 文件第 {line_no} 行有 {len(line.rstrip())} 个字符,"
                    f"超过每行上限 {caps.line_chars} 个字符"
                )
            yield line

    reader = csv.reader(lines())
    rows = []
    try:
        for row_no, row in enumerate(reader, start=1):
            if row_no > caps.rows:
                raise _too_many_rows(caps)
            cells = [c.strip() for c in row]
            while cells and not cells[-1]:  # trailing empty fields cost nothing and mean nothing
                cells.pop()
            _check_width(row_no, len(cells), caps)
            _check_cells(row_no, cells, caps)
            rows.append(cells)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise TableError(
                f"CSV 文件第 {reader.line_num} 行附近有单元格超过上限 {caps.cell_chars} 个字符"
            ) from exc
        raise TableError(f"CSV 格式错误(第 {reader.line_num} 行):{exc}") from exc
    return rows


def _check_zip(data: bytes, caps: Limits) -> None:
    """Refuse a zip bomb from its directory alone, before anything is decompressed.

    zipfile stops reading an entry at its declared size (and fails its CRC), so the declared sizes
    bound what opening the workbook can expand to.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        if data[:4] == b"\xd0\xcf\x11\xe0":
            raise TableError("文件是旧版 Excel(.xls)格式,请在 Excel 中另存为 .xlsx 后再上传") from exc
        raise TableError("文件不是有效的 XLSX 工作簿") from exc
    with archive:
        entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise TableError(f"XLSX 文件包含 {len(entries)} 个部件,不是正常的工作簿")
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > RATIO_FLOOR_BYTES:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if ratio > caps.zip_ratio:
                raise TableError(
                    f"XLSX 文件中的部件“{entry.filename}”压缩比为 {ratio:.0f}:1,"
                    f"超过上限 {caps.zip_ratio}:1(疑似压缩炸弹),已拒绝"
                )
    if total > caps.expanded_bytes:
        raise TableError(f"XLSX 文件解压后为 {total / MB:.0f} MB,超过上限 {caps.expanded_bytes / MB:.0f} MB")


def _read_xlsx(data: bytes, caps: Limits) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    _check_zip(data, caps)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = wb.worksheets
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        raise TableError("文件不是有效的 XLSX 工作簿") from exc
    try:
        if not sheets:
            raise TableError("XLSX 工作簿中没有工作表")
        ws = sheets[0]
        # The declared dimension (<dimension ref="A1:XFD20000">): read_only iteration would pad every
        # row to it, so it is checked first, and then dropped so rows come as wide as they really are.
        declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
        if declared_rows > caps.rows or declared_cols > caps.columns:
            raise TableError(
                f"文件有 {declared_rows} 行 × {declared_cols} 列"
                f"(工作表声明的范围 A1:{get_column_letter(min(declared_cols, 18278) or 1)}{declared_rows}),"
                f"超过上限 {caps.rows} 行 × {caps.columns} 列;"
                "请删除多余的行列(含只设置了格式的空白单元格)或拆分文件"
            )
        ws.reset_dimensions()
        rows = []
        hint = "(只设置了格式的空白单元格也计入,请删除多余的列)"
        try:
            for row_no, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if row_no > caps.rows:
                    raise _too_many_rows(caps)
                _check_width(row_no, len(row), caps, hint)
                cells = [_cell_text(c) for c in row]
                _check_cells(row_no, cells, caps)
                rows.append(cells)
        except TableError:
            raise
        except Exception as exc:  # malformed sheet XML or cell values
            raise TableError(f"XLSX 工作表内容有误,无法读取(第 {len(rows) + 1} 行附近)") from exc
        return rows
    finally:
        wb.close()


def format_cell(value) -> str:
    """A value as the text a spreadsheet cell holds: decimals without trailing zeros, ISO dates, escaped.

    This is the text of a CSV cell, and what `read_table` gives back for the same value in a typed XLSX
    cell: a file we export imports back unchanged in either format."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    if isinstance(value, dt.datetime):
        return _cell_text(_naive(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape_cell(str(value))


# Column kinds: how a value is written into an XLSX cell.
TEXT = "text"  # a text cell, escaped against formulas
CODE = "code"  # an identifier (credit code, industry code 3841, zone code 653101): text even when all digits
NUMBER = "number"  # a numeric cell with a number format of the column's decimals
DATE = "date"  # a date cell (a datetime keeps its time)
AUTO = "auto"  # by the value: numbers as numbers, dates as dates, the rest as text
KINDS = (TEXT, CODE, NUMBER, DATE, AUTO)

# Excel holds 15 significant digits; a number with more is written as text so it is never rounded.
EXCEL_DIGITS = 15
SHEET_NAME_CHARS = 31
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MIN_WIDTH, MAX_WIDTH = 6, 50
ABOUT_SHEET = "说明"


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, what kind of cells it holds, and its unit.

    `decimals` is how many places a NUMBER column shows (None: as many as each value has, up to 4);
    `grouping` puts thousands separators in the format (amounts), not in rates and years.
    The unit goes into the header in brackets, as the sheets of the statistics bureau print it."""

    header: str
    kind: str = AUTO
    decimals: int | None = None
    unit: str = ""
    grouping: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def title(self) -> str:
        if not self.unit or self.header.endswith((f"({self.unit})", f"({self.unit})")):
            return self.header
        return f"{self.header}({self.unit})"

    def number_format(self, value) -> str:
        places = self.decimals if self.decimals is not None else _places(value)
        body = "#,##0" if self.grouping else "0"
        return body + ("." + "0" * places if places > 0 else "")


def column(spec) -> Column:
    return spec if isinstance(spec, Column) else Column(str(spec))


def _places(value) -> int:
    if isinstance(value, Decimal):  # as quantized: 12.30 rounded to its indicator's two places shows 12.30
        exponent = value.as_tuple().exponent
        return min(4, max(0, -exponent)) if isinstance(exponent, int) else 0
    if isinstance(value, float) and math.isfinite(value) and not value.is_integer():
        text = _float_text(value)
        return min(4, len(text.partition(".")[2]))
    return 0


def _naive(value: dt.datetime) -> dt.datetime:
    """A datetime as the local wall clock (a spreadsheet cell has no time zone)."""
    if value.tzinfo is None:
        return value
    from django.utils import timezone

    return timezone.localtime(value).replace(tzinfo=None)


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _fits_excel(value) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite() and len(value.normalize().as_tuple().digits) <= EXCEL_DIGITS
    if isinstance(value, float):
        return math.isfinite(value)
    return abs(value) < 10**EXCEL_DIGITS


def typed_cell(col: Column, value):
    """(cell value, number format) for an XLSX cell of `col`; format None: openpyxl's default."""
    if value is None or value == "":
        return None, None
    kind = col.kind
    if kind == AUTO:
        if _is_number(value):
            kind = NUMBER
        elif isinstance(value, dt.date):
            kind = DATE
        else:
            kind = TEXT
    if kind == NUMBER and _is_number(value) and _fits_excel(value):
        number = float(value) if isinstance(value, Decimal) else value
        if isinstance(number, float) and number.is_integer() and abs(number) < 10**EXCEL_DIGITS:
            number = int(number)
        return number, col.number_format(value)
    if kind == DATE and isinstance(value, dt.datetime):
        return _naive(value), DATETIME_FORMAT
    if kind == DATE and isinstance(value, dt.date):
        return value, DATE_FORMAT
    if kind == CODE:
        return format_cell(value), "@"
    # text, or a value that is not of its column's kind (a 合计 label in a number column)
    return format_cell(value), None


def display_width(text: str) -> int:
    """How wide a text shows in a spreadsheet: CJK and full-width characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _shown(value, fmt: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and fmt:
        places = len(fmt.partition(".")[2])
        return f"{value:,.{places}f}" if fmt.startswith("#") else f"{value:.{places}f}"
    return str(value)


def sheet_name(name: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet1"
    return cleaned[:SHEET_NAME_CHARS]


def write_sheet(ws, columns: Sequence[Column], rows: Iterable[Sequence], *, header_row: int = 1) -> int:
    """Write a table into worksheet `ws` from `header_row` on: typed cells, a bold frozen header, an
    autofilter over the table and column widths from the content. Returns the number of data rows."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    widths = [display_width(c.title) for c in columns]
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=i, value=escape_cell(col.title))
        cell.font = bold
    count = 0
    row_no = header_row
    width = len(columns)
    # A style set once per number format and copied to the other cells: setting number_format on each of
    # 100,000 cells looks the format up each time and nearly doubles the time of a large export.
    styles = {}
    for row in rows:
        row_no += 1
        count += 1
        for i, value in enumerate(row, start=1):
            col = columns[i - 1] if i <= width else Column("")
            cell_value, fmt = typed_cell(col, value)
            if cell_value is None:
                continue
            cell = ws.cell(row=row_no, column=i, value=cell_value)
            if fmt:
                style = styles.get(fmt)
                if style is None:
                    cell.number_format = fmt
                    styles[fmt] = cell._style
                else:
                    cell._style = copy.copy(style)
            if i <= width:
                widths[i - 1] = max(widths[i - 1], display_width(_shown(cell_value, fmt)))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(MIN_WIDTH, min(MAX_WIDTH, w + 2))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    last = get_column_letter(max(width, 1))
    ws.auto_filter.ref = f"A{header_row}:{last}{max(row_no, header_row + 1) if count else header_row}"
    return count


def write_about(wb, about: Sequence[tuple[str, str]]) -> None:
    """The 说明 sheet: one line per fact about the file (what it holds, filters, time, user, zones)."""
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(ABOUT_SHEET)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 80
    for label, text in about:
        ws.append([escape_cell(str(label)), escape_cell(str(text))])
        ws.cell(row=ws.max_row, column=1).font = bold
        ws.cell(row=ws.max_row, column=2).alignment = wrap


def write_table(
    headers: Sequence,
    rows: Iterable[Sequence],
    fmt: str,
    *,
    sheet: str = "Sheet1",
    about: Sequence[tuple[str, str]] | None = None,
) -> bytes:
    """Render rows as CSV (UTF-8 with BOM, so Excel opens Chinese correctly, every cell text) or XLSX
    (typed cells by column kind: see `Column`; plain header strings are AUTO columns).

    `about`: the lines of a second sheet 说明 (XLSX only)."""
    columns = [column(h) for h in headers]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([c.title for c in columns])
        for row in rows:
            writer.writerow([format_cell(v) for v in row])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = sheet_name(sheet)
        write_sheet(ws, columns, rows)
        if about is not None:
            write_about(wb, about)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    raise TableError(f"不支持的格式 {fmt}")
