"""Bulk import of enterprises: validate every row with the page form, then save all or nothing.

An import is an upsert: a row whose credit code is registered updates that enterprise, any other row
registers a new one; the dry run says which, with every changed field's old and new value."""

import gc
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jushi.core.changelog import label_for
from jushi.core.choices import ChangeAction
from jushi.core.importing import Change, Plan, PlanLine
from jushi.core.scopes import can
from jushi.lib import uscc
from jushi.lib.batching import paused_gc
from jushi.lib.tabular import Table

from ..choices import EnterpriseStatus
from ..columns import BY_HEADER, ENTERPRISE_COLUMNS, HEADERS, form_data_from
from ..forms import EnterpriseImportForm
from ..models import Enterprise, Industry, Park, Zone
from .enterprises import create_enterprise, enterprise_snapshot, update_enterprise


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def __str__(self):
        return (
            f"第 {self.row} 行 {self.field}: {self.message}" if self.row else f"{self.field}: {self.message}"
        )


@dataclass
class PlannedRow:
    row: int
    action: str  # create, update or unchanged
    enterprise: Enterprise
    size_years: list[int]
    before: dict | None
    after: dict

    def changes(self) -> list[Change]:
        """Each field that differs, labelled as its column is headed, with values as people read them."""
        if self.before is None:
            return []
        return [
            Change(_label(k), _display(k, self.before.get(k)), _display(k, v))
            for k, v in self.after.items()
            if self.before.get(k) != v
        ]

    @property
    def title(self) -> str:
        return f"{self.enterprise.name}({self.enterprise.credit_code})"


_HEADERS = {c.key: c.header for c in ENTERPRISE_COLUMNS}
_STATUS = dict(EnterpriseStatus.choices)


def _label(key: str) -> str:
    return _HEADERS.get(key) or label_for(Enterprise, key)


def _display(key: str, value):
    if key == "status" and value in _STATUS:
        return str(_STATUS[value])
    return value


@dataclass
class ImportResult:
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    plan: list[PlannedRow] = field(default_factory=list)
    dry_run: bool = True
    batch: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for p in self.plan if p.action == action)

    @property
    def created(self) -> int:
        return self.count(ChangeAction.CREATE)

    @property
    def updated(self) -> int:
        return self.count(ChangeAction.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    def groups(self) -> Plan:
        """The dry run's three groups: enterprises to register, to update (old → new), unchanged."""
        return Plan(
            created=[PlanLine(p.row, p.title) for p in self.plan if p.action == ChangeAction.CREATE],
            updated=[
                PlanLine(p.row, p.title, p.changes()) for p in self.plan if p.action == ChangeAction.UPDATE
            ],
            unchanged=self.unchanged,
            noun="家企业",
            notes=["文件中已登记的统一社会信用代码按文件更新;文件中没有的列保持原值。"],
        )


class Lookups:
    """Codes to objects, loaded once per import, limited to what the actor may import into."""

    def __init__(self, actor):
        zones = Zone.objects.restrict(actor, "import")
        self.zones = {z.code: z for z in zones}
        self.parks = {(p.zone_id, p.code): p for p in Park.objects.filter(zone__in=zones)}
        self.industries = {i.code: i for i in Industry.objects.all()}


def check_headers(headers: list[str], *, zone_given: bool) -> list[RowError]:
    errors = []
    unknown = [h for h in headers if h and h not in BY_HEADER]
    if unknown:
        errors.append(RowError(1, "表头", f"未知的列:{'、'.join(unknown)};期望的列为:{'、'.join(HEADERS)}"))
    present = {BY_HEADER[h].key for h in headers if h in BY_HEADER}
    missing = [
        c.header
        for c in ENTERPRISE_COLUMNS
        if c.required and c.key not in present and not (zone_given and c.key == "zone")
    ]
    if missing:
        errors.append(
            RowError(1, "表头", f"缺少必需的列:{'、'.join(missing)};期望的列为:{'、'.join(HEADERS)}")
        )
    return errors


# With the collector paused, each row's form leaves reference cycles behind (about 20 KB a row, a gigabyte
# for 50,000 rows); one collection every so many rows frees them for a second or two in all.
COLLECT_EVERY = 2000


def plan_import(
    *,
    actor,
    table: Table,
    zone: Zone | None = None,
    progress: Callable[..., None] | None = None,
) -> ImportResult:
    """Validate every row and work out what each would do, writing nothing: a row whose credit code is
    registered updates that enterprise (created, updated or unchanged, compared field by field after
    the row is cleaned by the form, so 120.50 equals 120.5 and a blank cell equals nothing)."""
    if not can(actor, "import"):
        raise PermissionDenied("无权导入企业")
    result = ImportResult(total=len(table.rows))
    result.errors = check_headers(table.headers, zone_given=zone is not None)
    if result.errors:
        return result
    lookups = Lookups(actor)
    if zone is not None and zone.code not in lookups.zones:
        raise PermissionDenied(f"无权导入到开发区“{zone}”")
    keys = {h: BY_HEADER[h].key for h in table.headers if h in BY_HEADER}
    codes = {uscc.normalize(r.get(h, "")) for r in table.rows for h, k in keys.items() if k == "credit_code"}
    existing = {
        e.credit_code: e
        for e in Enterprise.objects.filter(credit_code__in=codes)
        .select_related("zone", "park", "industry")
        .prefetch_related("size_memberships")
    }
    importable_zone_ids = {z.pk for z in lookups.zones.values()}
    seen: dict[str, int] = {}
    labels = {c.key: c.header for c in ENTERPRISE_COLUMNS}
    for index, raw in enumerate(table.rows):
        row_no = table.first_row_number + index
        values = {keys[h]: v for h, v in raw.items() if h in keys}
        code = uscc.normalize(values.get("credit_code", ""))
        if code and code in seen:
            result.errors.append(RowError(row_no, "统一社会信用代码", f"与第 {seen[code]} 行重复"))
            continue
        if code:
            seen[code] = row_no
        instance = existing.get(code)
        if instance is not None and instance.zone_id not in importable_zone_ids:
            result.errors.append(RowError(row_no, "统一社会信用代码", f"{code} 已登记在其他开发区,无权修改"))
            continue
        data = form_data_from(instance) if instance is not None else {}
        data.update(values)
        if zone is not None and not values.get("zone"):
            data["zone"] = zone.code
        before = enterprise_snapshot(instance) if instance is not None else None
        form = EnterpriseImportForm(data=data, instance=instance, actor=actor, lookups=lookups)
        if not form.is_valid():
            for name, messages in form.errors.items():
                label = labels.get(name, "") if name != "__all__" else "整行"
                for message in messages:
                    result.errors.append(RowError(row_no, label or name, message))
            continue
        enterprise = form.save(commit=False)
        years = form.cleaned_data["size_years"]
        after = enterprise_snapshot(enterprise, years)
        if before is None:
            action = ChangeAction.CREATE
        else:
            action = ChangeAction.UPDATE if after != before else "unchanged"
        result.plan.append(PlannedRow(row_no, action, enterprise, years, before, after))
        if progress:
            progress(index + 1, len(table.rows), phase="校验")
        if index % COLLECT_EVERY == COLLECT_EVERY - 1 and not gc.isenabled():
            gc.collect()  # paused_gc holds the row forms' reference cycles: free them as we go
    return result


def import_enterprises(
    *,
    actor,
    table: Table,
    zone: Zone | None = None,
    dry_run: bool = False,
    source: str,
    reason: str = "",
    progress: Callable[..., None] | None = None,
) -> ImportResult:
    """Plan the import; unless it is a dry run or any row has an error, carry it out in one transaction.
    `progress(done, total, phase=...)` is told of each row as it is checked (校验) and written (写入)."""
    with paused_gc():  # 50,000 rows of forms and instances that stay alive: see paused_gc
        return _import(
            actor=actor,
            table=table,
            zone=zone,
            dry_run=dry_run,
            source=source,
            reason=reason,
            progress=progress,
        )


def _import(*, actor, table, zone, dry_run, source, reason, progress) -> ImportResult:
    result = plan_import(actor=actor, table=table, zone=zone, progress=progress)
    result.dry_run = dry_run
    if dry_run or not result.ok:
        return result
    result.batch = str(uuid.uuid4())
    reason = reason or "批量导入"
    with transaction.atomic():
        for done, planned in enumerate(result.plan, start=1):
            if progress:
                progress(done, len(result.plan), phase="写入")
            if planned.action == ChangeAction.CREATE:
                create_enterprise(
                    actor=actor,
                    enterprise=planned.enterprise,
                    size_years=planned.size_years,
                    source=source,
                    reason=reason,
                    batch=result.batch,
                )
            elif planned.action == ChangeAction.UPDATE:
                update_enterprise(
                    actor=actor,
                    enterprise=planned.enterprise,
                    before=planned.before,
                    size_years=planned.size_years,
                    source=source,
                    reason=reason,
                    batch=result.batch,
                )
    return result
