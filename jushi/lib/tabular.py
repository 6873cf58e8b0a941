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
    return format(value, ".15g")


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
    """A value as the text a spreadsheet cell holds: decimals without trailing zeros, ISO dates, escaped."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape_cell(str(value))


def write_table(
    headers: Sequence[str], rows: Iterable[Sequence], fmt: str, *, sheet: str = "Sheet1"
) -> bytes:
    """Render rows as CSV (UTF-8 with BOM, so Excel opens Chinese correctly) or XLSX, all cells text."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([format_cell(v) for v in row])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook(write_only=False)
        ws = wb.active
        ws.title = sheet
        ws.append(list(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([format_cell(v) for v in row])
        for i, h in enumerate(headers, start=1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(
                10, min(40, len(h) * 2 + 4)
            )
        ws.freeze_panes = "A2"
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    raise TableError(f"不支持的格式 {fmt}")
