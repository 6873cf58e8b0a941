"""Read and write tables as CSV or XLSX, the two formats people exchange registries in.

Reading returns header names and rows as dicts of stripped strings; every problem with the file as a
whole raises TableError with a message a user can act on. Writing escapes cells that a spreadsheet
would run as a formula (CSV/formula injection), and reading undoes exactly that escape, so a file we
export imports back unchanged.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .batching import paused_gc

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")


class TableError(ValueError):
    pass


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
        return str(int(value)) if value.is_integer() else str(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str, *, max_bytes: int) -> Table:
    fmt = format_of(filename)
    if len(data) == 0:
        raise TableError("文件为空")
    if len(data) > max_bytes:
        raise TableError(f"文件大小 {len(data) / 1048576:.1f} MB,超过上限 {max_bytes / 1048576:.1f} MB")
    with paused_gc():  # a whole upload of small lists and dicts that all stay alive
        raw_rows = _read_csv(data) if fmt == "csv" else _read_xlsx(data)
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


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise TableError("无法识别 CSV 文件的编码(应为 UTF-8 或 GBK)")
    if "\x00" in text:
        raise TableError("文件不是 CSV 文本文件")
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise TableError(f"CSV 格式错误:{exc}") from exc


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        raise TableError("文件不是有效的 XLSX 工作簿") from exc
    try:
        ws = wb.worksheets[0]
        return [[_cell_text(c) for c in row] for row in ws.iter_rows(values_only=True)]
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
