import io
import re
import time

import pytest

from jushi.lib.tabular import TableError, escape_cell, limits, read_table, unescape_cell, write_table

from . import bombs

MB = 1024 * 1024


@pytest.mark.parametrize("value", ["=1+1", "+86 138", "-5", "@SUM(A1)", '=HYPERLINK("x")'])
def test_formula_cells_are_escaped_and_read_back(value):
    assert escape_cell(value).startswith("'")
    assert unescape_cell(escape_cell(value)) == value


def test_plain_apostrophe_text_is_left_alone():
    assert unescape_cell("'quoted") == "'quoted"
    assert escape_cell("normal") == "normal"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_written_table_reads_back_the_same(fmt):
    rows = [["甲", "=cmd|' /C calc'!A0", "2024-06-30"], ["乙", "", "+1"]]
    data = write_table(["名称", "公式", "日期"], rows, fmt)
    table = read_table(data, f"x.{fmt}", max_bytes=MB)
    assert table.headers == ["名称", "公式", "日期"]
    assert [list(r.values()) for r in table.rows] == rows


def test_xlsx_cells_are_not_formulas():
    from io import BytesIO

    from openpyxl import load_workbook

    data = write_table(["a"], [["=1+1"]], "xlsx")
    ws = load_workbook(BytesIO(data)).active
    assert ws["A2"].data_type == "s"


def test_gbk_csv_is_read():
    data = "企业名称\n甲公司\n".encode("gbk")
    assert read_table(data, "a.csv", max_bytes=MB).rows == [{"企业名称": "甲公司"}]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"a,b\n1,2\n", "list.txt", "不是 CSV 或 XLSX"),
        (b"", "list.csv", "文件为空"),
        (b"a,b\n", "list.csv", "只有表头"),
        (b"x" * (MB + 1), "list.csv", "超过上限"),
        (b"not a zip", "list.xlsx", "不是有效的 XLSX"),
        (b"a,a\n1,2\n", "list.csv", "表头重复:a"),
    ],
)
def test_bad_files_get_a_clear_message(data, name, message):
    with pytest.raises(TableError, match=message):
        read_table(data, name, max_bytes=MB)


# Upload caps (issue 13): a hostile file is refused from its directory or its declared size, fast.


def _numbers_xlsx(value) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["数值"])
    wb.active.append([value])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _refused_fast(data, name, message):
    start = time.monotonic()
    with pytest.raises(TableError, match=message):
        read_table(data, name, max_bytes=5 * MB)
    return time.monotonic() - start


def test_dimension_bomb_is_refused_before_reading_in_well_under_a_second():
    data = bombs.dimension_bomb("A1:XFD20000")
    assert len(data) < 100_000  # a small file declaring 20000 rows × 16384 columns
    elapsed = _refused_fast(data, "bomb.xlsx", r"文件有 20000 行 × 16384 列.*超过上限 50000 行 × 200 列")
    assert elapsed < 2


def test_zip_bomb_is_refused_from_the_zip_directory():
    data = bombs.zip_bomb(expanded_mb=16)
    assert len(data) < 200_000
    elapsed = _refused_fast(data, "bomb.xlsx", r"部件“xl/worksheets/sheet1.xml”压缩比为 \d+:1,超过上限 100:1")
    assert elapsed < 2


def test_expanded_size_over_the_cap_is_refused(settings):
    settings.JUSHI_IMPORT_MAX_EXPANDED_BYTES = 10_000
    data = bombs.xlsx(["名称"], [["甲"]] * 200)
    with pytest.raises(TableError, match=r"解压后为 0 MB,超过上限 0 MB"):
        read_table(data, "a.xlsx", max_bytes=MB)


def test_a_sheet_lying_about_its_dimension_is_counted_while_read():
    # Declares A1:A2, holds 300 columns in row 2: refused, never silently cut to the header's width.
    wide = bombs.xlsx(["名称"], [["甲"] + ["x"] * 299])
    data = bombs.rewrite_sheet(
        wide, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:A2"', xml)
    )
    with pytest.raises(TableError, match="第 2 行有 300 列,超过上限 200 列"):
        read_table(data, "a.xlsx", max_bytes=MB)


def test_rows_beyond_the_cap_stop_the_reading_without_a_dimension(settings):
    settings.JUSHI_IMPORT_MAX_ROWS = 10
    data = bombs.without_dimension(bombs.xlsx(["名称"], [[f"企业{i}"] for i in range(20)]))
    with pytest.raises(TableError, match=re.escape("文件超过 10 行的上限(含表头)")):
        read_table(data, "a.xlsx", max_bytes=MB)


def test_a_file_at_the_caps_is_read(settings):
    settings.JUSHI_IMPORT_MAX_ROWS = 3
    settings.JUSHI_IMPORT_MAX_COLUMNS = 4
    data = bombs.xlsx(["a", "b", "c", "d"], [["1", "2", "3", "4"], ["5", "6", "7", "8"]])
    assert len(read_table(data, "a.xlsx", max_bytes=MB).rows) == 2


def test_declared_dimension_over_the_row_cap_is_refused(settings):
    settings.JUSHI_IMPORT_MAX_ROWS = 3
    data = bombs.xlsx(["a"], [["1"]] * 5)
    with pytest.raises(TableError, match=r"文件有 6 行 × 1 列.*超过上限 3 行 × 200 列"):
        read_table(data, "a.xlsx", max_bytes=MB)


def test_xlsx_cell_longer_than_the_cap_is_refused_naming_the_cell(settings):
    settings.JUSHI_IMPORT_MAX_CELL_CHARS = 100
    data = bombs.xlsx(["名称", "备注"], [["甲", "长" * 101]])
    with pytest.raises(TableError, match="第 2 行第 B 列的内容有 101 个字符,超过单元格上限 100 个字符"):
        read_table(data, "a.xlsx", max_bytes=MB)


def test_a_malformed_number_in_the_sheet_is_a_table_error_not_a_crash():
    data = bombs.rewrite_sheet(_numbers_xlsx(1), lambda xml: xml.replace("<v>1</v>", "<v>NaN</v>"))
    with pytest.raises(TableError, match="XLSX 工作表内容有误"):
        read_table(data, "a.xlsx", max_bytes=MB)


def test_old_excel_files_get_a_hint():
    with pytest.raises(TableError, match=re.escape("旧版 Excel(.xls)")):
        read_table(b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "a.xlsx", max_bytes=MB)


@pytest.mark.parametrize(
    ("stored", "text"),
    [
        ("3.3000000000000003", "3.3"),  # what Excel stores for =1.1*3, and shows as 3.3
        ("0.30000000000000004", "0.3"),
        ("1E+30", "1e+30"),
        ("12.5", "12.5"),
        ("2024", "2024"),
        ("-1E-3", "-0.001"),
    ],
)
def test_xlsx_numbers_read_as_excel_shows_them(stored, text):
    data = bombs.rewrite_sheet(_numbers_xlsx(1), lambda xml: xml.replace("<v>1</v>", f"<v>{stored}</v>"))
    assert read_table(data, "a.xlsx", max_bytes=MB).rows == [{"数值": text}]


def test_csv_rows_beyond_the_cap_are_refused(settings):
    settings.JUSHI_IMPORT_MAX_ROWS = 10
    data = ("名称\n" + "甲\n" * 9).encode()
    assert len(read_table(data, "a.csv", max_bytes=MB).rows) == 9
    with pytest.raises(TableError, match="文件超过 10 行的上限"):
        read_table(data + "乙\n".encode(), "a.csv", max_bytes=MB)


def test_csv_line_longer_than_the_cap_is_refused(settings):
    settings.JUSHI_IMPORT_MAX_LINE_CHARS = 50
    data = ("名称,备注\n甲," + "x" * 60 + "\n").encode()
    with pytest.raises(TableError, match="CSV 文件第 2 行有 62 个字符,超过每行上限 50 个字符"):
        read_table(data, "a.csv", max_bytes=MB)


def test_csv_cell_longer_than_the_cap_is_refused(settings):
    settings.JUSHI_IMPORT_MAX_CELL_CHARS = 20
    data = '名称,备注\n甲,"{}"\n'.format("长\n" * 15).encode()  # a quoted cell over many short lines
    with pytest.raises(TableError, match="第 2 行第 B 列的内容有 29 个字符,超过单元格上限 20 个字符"):
        read_table(data, "a.csv", max_bytes=MB)


def test_csv_cell_beyond_the_csv_module_field_limit_gets_a_chinese_message():
    data = '名称,备注\n甲,"{}"\n'.format("长\n" * 70_000).encode()
    with pytest.raises(TableError, match="CSV 文件第 \\d+ 行附近有单元格超过上限 32767 个字符"):
        read_table(data, "a.csv", max_bytes=5 * MB)


def test_csv_columns_beyond_the_cap_are_refused_but_trailing_empty_ones_are_ignored(settings):
    settings.JUSHI_IMPORT_MAX_COLUMNS = 3
    assert read_table(b"a,b\n1,2,,,,,,\n", "a.csv", max_bytes=MB).rows == [{"a": "1", "b": "2"}]
    with pytest.raises(TableError, match="第 2 行有 4 列,超过上限 3 列"):
        read_table(b"a,b\n1,2,3,4\n", "a.csv", max_bytes=MB)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings_people_send_are_read(encoding):
    data = "企业名称,备注\n甲公司,纺织\n".encode(encoding)
    assert read_table(data, "a.csv", max_bytes=MB).rows == [{"企业名称": "甲公司", "备注": "纺织"}]


def test_utf16_csv_is_refused_with_what_to_do():
    with pytest.raises(TableError, match="UTF-16 编码,请在 Excel 中另存为“CSV UTF-8"):
        read_table("企业名称\n甲\n".encode("utf-16"), "a.csv", max_bytes=MB)


def test_limits_come_from_settings(settings):
    settings.JUSHI_IMPORT_MAX_ROWS = 123
    settings.JUSHI_IMPORT_MAX_BYTES = 2 * MB
    caps = limits()
    assert (caps.rows, caps.columns, caps.cell_chars, caps.max_mb) == (123, 200, 32767, "2")
