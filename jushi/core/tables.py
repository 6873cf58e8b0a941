"""Which columns a list page shows, chosen by each user and saved (NetBox's table configuration).

An app declares its table once, beside the view that renders it:

    LEDGER = tables.register(tables.Table("projects.ledger", "招商项目台账", [
        tables.Column("code", "编号"),
        tables.Column("name", "项目名称", always=True),
        tables.Column("official", "责任领导", default=False),
    ]))

and the view asks `LEDGER.chooser(request.user)` for the columns to show and the "列" menu. The choice is
one `TableConfig` row per user and table; keys the table no longer has are ignored, so renaming a column
never breaks a page. Exports are not affected: they always write every column.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import scopes
from .models import TableConfig


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    default: bool = True  # shown until the user chooses otherwise
    always: bool = False  # cannot be hidden (the column that names the row)


@dataclass
class Choice:
    """What a page needs: `show[key]` for the template's columns, `columns` for the "列" menu."""

    table: "Table"
    keys: list[str]
    saved: bool  # the user has a saved choice (else the defaults)

    @property
    def show(self) -> dict[str, bool]:
        return dict.fromkeys(self.keys, True)

    @property
    def columns(self) -> list[tuple[Column, bool]]:
        shown = set(self.keys)
        return [(c, c.key in shown) for c in self.table.columns]


class Table:
    def __init__(self, name: str, title: str, columns: list[Column]):
        self.name = name
        self.title = title
        self.columns = list(columns)
        self.by_key = {c.key: c for c in self.columns}

    def defaults(self) -> list[str]:
        return [c.key for c in self.columns if c.default or c.always]

    def clean(self, keys) -> list[str]:
        """Known keys only, in the table's order, with the columns that are always shown."""
        wanted = {k for k in keys if isinstance(k, str)}
        return [c.key for c in self.columns if c.always or c.key in wanted]

    def chooser(self, user) -> Choice:
        row = None
        if getattr(user, "is_authenticated", False):
            row = TableConfig.objects.filter(user=user, table=self.name).only("columns").first()
        if row is None or not isinstance(row.columns, list):
            return Choice(self, self.defaults(), saved=False)
        keys = self.clean(row.columns)
        if not [k for k in keys if not self.by_key[k].always]:  # nothing left but the name: defaults
            return Choice(self, self.defaults(), saved=False)
        return Choice(self, keys, saved=True)

    def save(self, user, keys) -> list[str]:
        cleaned = self.clean(keys)
        TableConfig.objects.update_or_create(user=user, table=self.name, defaults={"columns": cleaned})
        return cleaned

    def reset(self, user) -> None:
        TableConfig.objects.filter(user=user, table=self.name).delete()


_tables: dict[str, Table] = {}


def register(table: Table) -> Table:
    _tables[table.name] = table
    return table


def get(name: str) -> Table | None:
    return _tables.get(name)


@login_required
@require_POST
def table_config(request):
    """The "列" menu's form: save the ticked columns of one table for the user, or forget the choice
    (恢复默认), and go back to the list it came from."""
    if not scopes.can(request.user, "view"):
        raise PermissionDenied("您的账号不使用业务列表,无需设置列")
    table = get(request.POST.get("table", ""))
    if table is None:
        return HttpResponseBadRequest(
            "表格: 未知的表格,列设置未保存", content_type="text/plain; charset=utf-8"
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    if request.POST.get("reset"):
        table.reset(request.user)
        messages.success(request, f"“{table.title}”已恢复默认列")
        return redirect(back)
    chosen = table.clean(request.POST.getlist("columns"))
    if not [k for k in chosen if not table.by_key[k].always]:
        messages.error(request, f"列设置: 请至少勾选一列(“{table.title}”的设置未改变)")
        return redirect(back)
    table.save(request.user, chosen)
    messages.success(request, f"已保存“{table.title}”的列设置:显示 {len(chosen)} 列;导出文件仍包含全部列")
    return redirect(back)
