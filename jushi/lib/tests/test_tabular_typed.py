"""The typed XLSX writer: numbers as numbers, dates as dates, codes as text; and the reader gives the text
the old text export had for each, so an exported file imports back unchanged."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jushi.lib.tabular import (
    CODE,
    DATE,
    NUMBER,
    TEXT,
    Column,
    display_width,
    format_cell,
    read_table,
    sheet_name,
    write_table,
)

MB = 1024 * 1024
D = Decimal


def sheet(data: bytes, index: int = 0):
    return load_workbook(io.BytesIO(data)).worksheets[index]


COLUMNS = [
    Column("行业代码", kind=CODE),
    Column("信用代码", kind=CODE),
    Column("名称", kind=TEXT),
    Column("产值", kind=NUMBER, decimals=2, unit="千元"),
    Column("增速(%)", kind=NUMBER, decimals=1, grouping=False),
    Column("人数", kind=NUMBER, decimals=0),
    Column("入区日期", kind=DATE),
]
ROWS = [
    ["3841", "91653101000000001X", "=cmd", D("1234.5000"), D("12.3"), 300, dt.date(2024, 6, 30)],
    [653101, "", "甲公司", D("0.00001"), D("-5.0"), D("28"), None],
]


def test_numbers_dates_and_codes_are_typed_with_formats():
    ws = sheet(write_table(COLUMNS, ROWS, "xlsx", sheet="企业名录", about=[("内容", "测试")]))
    assert ws.title == "企业名录"
    assert [c.value for c in ws[1]] == [
        "行业代码",
        "信用代码",
        "名称",
        "产值(千元)",
        "增速(%)",
        "人数",
        "入区日期",
    ]
    a2, b2, c2, d2, e2, f2, g2 = ws[2]
    assert (a2.value, a2.data_type, a2.number_format) == ("3841", "s", "@")  # all digits, still text
    assert b2.value == "91653101000000001X"
    assert (c2.value, c2.data_type) == ("'=cmd", "s")  # escaped, never a formula
    assert d2.value == 1234.5 and d2.number_format == "#,##0.00"
    assert e2.value == 12.3 and e2.number_format == "0.0"
    assert f2.value == 300 and isinstance(f2.value, int) and f2.number_format == "#,##0"
    assert g2.value == dt.datetime(2024, 6, 30) and g2.is_date
    assert ws["A3"].value == "653101"  # an int code is written as its text
    assert ws["F3"].value == 28 and isinstance(ws["F3"].value, int)
    assert ws["G3"].value is None
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G3"
    assert ws["A1"].font.b


def test_the_reader_gives_back_the_text_of_the_text_export():
    typed = read_table(write_table(COLUMNS, ROWS, "xlsx"), "t.xlsx", max_bytes=MB)
    text = read_table(write_table(COLUMNS, ROWS, "csv"), "t.csv", max_bytes=MB)
    assert typed.headers == text.headers
    assert typed.rows == text.rows
    assert typed.rows[0]["产值(千元)"] == "1234.5"
    assert typed.rows[1]["产值(千元)"] == "0.00001"  # not 1e-05
    assert typed.rows[1]["行业代码"] == "653101"
    assert typed.rows[0]["入区日期"] == "2024-06-30"
    assert typed.rows[0]["名称"] == "=cmd"


@pytest.mark.parametrize(
    "value",
    [D("1234.5"), D("0.1") + D("0.2"), D("100"), D("-0.001"), D("99999999999.9999"), 7, D("1E+2"), 2.5],
)
def test_every_number_reads_back_as_its_text(value):
    data = write_table([Column("数", kind=NUMBER)], [[value]], "xlsx")
    assert read_table(data, "n.xlsx", max_bytes=MB).rows == [{"数": format_cell(value)}]


def test_a_number_excel_cannot_hold_is_written_as_text():
    long = D("123456789012345678.25")  # 20 significant digits: Excel would round it
    data = write_table([Column("数", kind=NUMBER)], [[long]], "xlsx")
    assert sheet(data)["A2"].value == "123456789012345678.25"
    assert read_table(data, "n.xlsx", max_bytes=MB).rows == [{"数": "123456789012345678.25"}]


def test_a_datetime_is_a_date_cell_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    when = dt.datetime(2024, 7, 20, 2, 30, tzinfo=dt.UTC)
    data = write_table([Column("时间", kind=DATE)], [[when]], "xlsx")
    assert sheet(data)["A2"].value == dt.datetime(2024, 7, 20, 10, 30)
    assert read_table(data, "t.xlsx", max_bytes=MB).rows == [{"时间": "2024-07-20 10:30:00"}]


def test_plain_headers_are_typed_by_their_values():
    ws = sheet(write_table(["名称", "数量", "日期"], [["甲", D("2.50"), dt.date(2024, 1, 2)]], "xlsx"))
    assert ws["A2"].value == "甲"
    assert ws["B2"].value == 2.5 and ws["B2"].number_format == "#,##0.00"
    assert ws["C2"].is_date


def test_a_label_in_a_number_column_stays_text():
    ws = sheet(write_table([Column("合计", kind=NUMBER)], [["全链合计"], [None], [D(3)]], "xlsx"))
    assert (ws["A2"].value, ws["A3"].value, ws["A4"].value) == ("全链合计", None, 3)


def test_widths_follow_the_content_counting_chinese_double_and_capped():
    rows = [["喀什经济开发区纺织服装产业园", "x" * 300, "1"]]
    ws = sheet(write_table(["园区", "备注", "号"], rows, "xlsx"))
    assert ws.column_dimensions["A"].width == display_width("喀什经济开发区纺织服装产业园") + 2 == 30
    assert ws.column_dimensions["B"].width == 50  # capped
    assert ws.column_dimensions["C"].width == 6  # at least readable


def test_the_about_sheet_is_second_and_escaped():
    data = write_table(["a"], [["1"]], "xlsx", sheet="数据", about=[("内容", "企业"), ("筛选条件", "=1+1")])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["数据", "说明"]
    assert [tuple(r) for r in wb["说明"].iter_rows(values_only=True)] == [
        ("内容", "企业"),
        ("筛选条件", "'=1+1"),
    ]


def test_sheet_names_are_cut_to_excels_limit_and_cleaned():
    assert sheet_name("工业月报2024年6月") == "工业月报2024年6月"
    assert sheet_name("a/b:c") == "a_b_c"
    assert len(sheet_name("长" * 40)) == 31


def test_the_csv_keeps_units_in_its_header_and_text_cells():
    data = write_table(COLUMNS, ROWS, "csv").decode("utf-8-sig")
    assert data.splitlines()[0] == "行业代码,信用代码,名称,产值(千元),增速(%),人数,入区日期"
    assert data.splitlines()[1] == "3841,91653101000000001X,'=cmd,1234.5,12.3,300,2024-06-30"
