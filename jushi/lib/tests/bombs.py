"""Hostile spreadsheets built in memory for the upload tests: small files that unzip or pad to huge."""

import io
import re
import zipfile

from jushi.lib.tabular import write_table

SHEET = "xl/worksheets/sheet1.xml"


def xlsx(headers, rows) -> bytes:
    return write_table(headers, rows, "xlsx")


def rewrite_sheet(data: bytes, change) -> bytes:
    """A copy of a workbook with its first sheet's XML passed through change(xml) -> xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET:
                content = change(content.decode()).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


def dimension_bomb(ref: str = "A1:XFD20000", headers=("企业名称",), rows=(("甲公司",),)) -> bytes:
    """A few kilobytes declaring a huge used range, with that many (empty) row elements: read-only
    openpyxl pads every row to the declared width, 20,000 × 16,384 cells."""
    last = int(re.search(r"(\d+)$", ref).group(1))
    first_empty = len(rows) + 2

    def change(xml):
        xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', xml)
        empty = "".join(f'<row r="{i}"/>' for i in range(first_empty, last + 1))
        return xml.replace("</sheetData>", empty + "</sheetData>")

    return rewrite_sheet(xlsx(headers, rows), change)


def without_dimension(data: bytes) -> bytes:
    return rewrite_sheet(data, lambda xml: re.sub(r"<dimension [^>]*/>", "", xml))


def zip_bomb(expanded_mb: int = 16, headers=("企业名称",)) -> bytes:
    """A workbook whose sheet is megabytes of the same row: deflate squeezes it about 1000:1."""
    base = zipfile.ZipFile(io.BytesIO(xlsx(headers, [["甲公司"]])))
    out = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in base.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, base.read(info.filename))
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            written = 0
            while written < expanded_mb * 1024 * 1024:
                sheet.write(row)
                written += len(row)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()
