"""The exporter base: every download is an exporter with an identifier and a render().

An exporter declares its columns (`jushi.lib.tabular.Column`: text, code, number with its decimals, date,
and the unit that goes into the header), so the XLSX file holds cells people compute with: numbers as
numbers, dates as dates, codes as text. The workbook has one data sheet named for what it holds and a
second sheet 说明: what the file holds, the filters applied (in words), the zones, when and by whom it
was exported, and whatever else the exporter adds (the revision of published figures). CSV stays text.
"""

from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone

from jushi.lib.tabular import Column, column, sheet_name, write_table

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def titles(columns: Sequence[Column]) -> list[str]:
    """The header row of `columns` (units in brackets)."""
    return [c.title for c in columns]


def user_label(user) -> str:
    """A user as the 说明 sheet names them: 姓名(登录名)."""
    if user is None or not getattr(user, "pk", None):
        return "—"
    name = getattr(user, "full_name", "") or ""
    username = user.get_username()
    return f"{name}({username})" if name and name != username else username


def describe_form(form) -> list[str]:
    """The filters of a bound filter form (or a django-filter FilterSet), in words: 字段:值 for every
    filter given a valid value. An invalid value is not applied, so it is not described either."""
    form = getattr(form, "form", form)  # a FilterSet holds its form
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        form.is_valid()
    cleaned = getattr(form, "cleaned_data", {}) or {}
    lines = []
    for name, field in form.fields.items():
        if name in form.errors or name not in cleaned:
            continue
        text = _value_words(field, cleaned[name])
        if text:
            lines.append(f"{field.label or name}:{text}")
    return lines


def _value_words(field, value) -> str:
    if value in (None, "", [], ()):
        return ""
    if isinstance(value, list | tuple | set) or hasattr(value, "model"):  # several choices, a queryset
        parts = [_value_words(field, v) for v in value]
        return "、".join(p for p in parts if p)
    choices = getattr(field, "choices", None)
    if choices is not None and not hasattr(value, "pk"):
        for key, label in choices:
            if isinstance(label, list | tuple):  # grouped choices
                for sub_key, sub_label in label:
                    if str(sub_key) == str(value):
                        return str(sub_label)
            elif str(key) == str(value) and key != "":
                return str(label)
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


class TableExporter:
    identifier = "table"
    columns: Sequence[Column] = ()
    sheet = ""  # the data sheet's name: what it holds, in Chinese (at most 31 characters)
    title = ""  # what the file holds, one line of the 说明 sheet

    def __init__(self, fmt: str, *, actor=None, filters: Iterable[str] = ()):
        if fmt not in MIMETYPES:
            raise ValueError(f"不支持的导出格式 {fmt}")
        self.fmt = fmt
        self.actor = actor
        self.filters = list(filters)

    def rows(self) -> Iterable[Sequence]:
        return []

    @property
    def headers(self) -> list[str]:
        """The header row: the columns' titles. An exporter without typed `columns` sets `headers` (plain
        text headers, AUTO columns) as a class attribute instead."""
        return titles(self.columns)

    def table_columns(self) -> list[Column]:
        return list(self.columns) if self.columns else [column(h) for h in self.headers]

    def sheet_title(self) -> str:
        return sheet_name(self.sheet or self.identifier)

    def exporting_user(self):
        """Who exports: the exporter's actor, else the signed-in user of the current request."""
        if self.actor is not None and getattr(self.actor, "pk", None):
            return self.actor
        from .audit import current_request

        request = current_request()
        user = getattr(request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None

    def zone_names(self) -> list[str]:
        """The zones whose data the file holds, for the 说明 sheet."""
        zone = getattr(self, "zone", None)
        name = getattr(zone, "name", None)
        return [name] if name else []

    def about_extra(self) -> list[tuple[str, str]]:
        """More lines of the 说明 sheet (a revision, a coverage, units), after the filters."""
        return []

    def about(self, count: int) -> list[tuple[str, str]]:
        zones = self.zone_names()
        lines = [
            ("内容", self.title or self.sheet_title()),
            ("筛选条件", ";".join(self.filters) if self.filters else "无(导出人可见的全部数据)"),
            ("开发区", "、".join(zones) if zones else "导出人可见的全部开发区"),
            *self.about_extra(),
            ("行数", str(count)),
            ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
            ("导出人", user_label(self.exporting_user())),
            ("格式", "数字为数值单元格(可直接求和),日期为日期单元格,代码为文本;表头括号内为单位"),
        ]
        return lines

    def render(self) -> tuple[str, str, bytes]:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if self.fmt == "xlsx":
            rows = list(self.rows())
            data = write_table(
                self.table_columns(), rows, self.fmt, sheet=self.sheet_title(), about=self.about(len(rows))
            )
        else:
            data = write_table(self.table_columns(), self.rows(), self.fmt)
        return f"{self.identifier}-{stamp}.{self.fmt}", MIMETYPES[self.fmt], data

    def audit_zone_id(self) -> int | None:
        """The zone whose data this export holds, for the audit trail; None: several zones (then the
        exporting user's zone when they have only one)."""
        zone = getattr(self, "zone", None)
        return getattr(zone, "pk", zone)

    def record(self, name: str, data: bytes, *, actor) -> None:
        """Every export is audited (等保2.0): who, which file, which zone's data."""
        from . import audit

        audit.record_export(
            actor=actor, name=name, fmt=self.fmt, size=len(data), zone_id=self.audit_zone_id()
        )

    def audited_render(self, name: str) -> tuple[str, str, bytes]:
        """render(), recorded in the audit trail as the file `name` exported by the exporter's actor (a
        command that writes the bytes itself)."""
        filename, mimetype, data = self.render()
        self.record(name, data, actor=self.actor)
        return filename, mimetype, data

    def write(self, path, *, actor) -> int:
        """The command-line door: render into `path`, audited like a download. Returns the bytes written."""
        if self.actor is None:
            self.actor = actor
        _, _, data = self.render()
        path.write_bytes(data)
        self.record(path.name, data, actor=actor)
        return len(data)

    def response(self) -> HttpResponse:
        filename, mimetype, data = self.render()
        response = HttpResponse(data, content_type=mimetype)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        self.record(filename, data, actor=self.actor)
        response.audit_recorded = True
        return response
