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

    def audit_zone_id(self) -> int | None:
        """The zone whose data this export holds, for the audit trail; None: several zones (then the
        exporting user's zone when they have only one)."""
        zone = getattr(self, "zone", None)
        return getattr(zone, "pk", zone)

    def write(self, path, *, actor) -> int:
        """The command-line door: render into `path`, audited like a download. Returns the bytes written."""
        from . import audit

        _, _, data = self.render()
        path.write_bytes(data)
        audit.record_export(
            actor=actor, name=path.name, fmt=self.fmt, size=len(data), zone_id=self.audit_zone_id()
        )
        return len(data)

    def response(self) -> HttpResponse:
        from . import audit

        filename, mimetype, data = self.render()
        response = HttpResponse(data, content_type=mimetype)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        # Every download is audited (等保2.0): who, which file, which zone's data.
        audit.record_export(
            actor=getattr(self, "actor", None),
            name=filename,
            fmt=self.fmt,
            size=len(data),
            zone_id=self.audit_zone_id(),
        )
        response.audit_recorded = True
        return response
