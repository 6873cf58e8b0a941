import pytest

from jushi.lib.tabular import TableError, escape_cell, read_table, unescape_cell, write_table

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
