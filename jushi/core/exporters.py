"""The exporter base: every download is an exporter with an identifier and a render()."""

from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone

from jushi.lib.tabular import write_table

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class TableExporter:
    identifier = "table"
    headers: Sequence[str] = ()

    def __init__(self, fmt: str):
        if fmt not in MIMETYPES:
            raise ValueError(f"不支持的导出格式 {fmt}")
        self.fmt = fmt

    def rows(self) -> Iterable[Sequence]:
        return []

    def render(self) -> tuple[str, str, bytes]:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        data = write_table(self.headers, self.rows(), self.fmt, sheet=self.identifier)
        return f"{self.identifier}-{stamp}.{self.fmt}", MIMETYPES[self.fmt], data

    def response(self) -> HttpResponse:
        filename, mimetype, data = self.render()
        response = HttpResponse(data, content_type=mimetype)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
