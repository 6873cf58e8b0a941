"""Import of the ledger spreadsheet (the columns of `columns.py`, the export's own).

Each row creates a lead or updates a project, and moves it forward to the row's stage, through the same
services as the pages; every error is reported as "第 N 行 字段: 错误" with the column's header, and
the file is saved all or nothing, in one transaction. A dry run carries out the whole import and rolls
it back, so its plan is exactly what the real run would do: the code each new project gets, and which
rows the duplicate guard flags (the same project twice in one file, or already in the ledger).
"""

import datetime as dt
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jushi.core.importing import Change, Plan, PlanLine
from jushi.core.scopes import can
from jushi.lib import uscc
from jushi.lib.tabular import Table
from jushi.registry.models import Zone
from jushi.registry.services.importing import RowError  # one "第 N 行 字段: 错误" for every import

from ..choices import STAGE_DATE_FIELD, DuplicateStatus, SourceRegion, StageCode
from ..columns import BY_HEADER, COLUMNS, EXPORT_ONLY, HEADERS
from ..models import Event, Project, Stage
from ..models.pipeline import normalize_name
from .common import ProjectError, label
from .pipeline import advance_stage, create_project, update_project

HEADER = {key: header for key, header, _ in COLUMNS}
REQUIRED = ("code", "name", "investor_name")
TEXTS = ("name", "contract_no", "parcel", "official", "unit", "note")
AMOUNTS = ("agreed_investment", "fixed_asset_investment", "expected_output", "expected_tax", "land_mu")
INVESTOR = ("investor_name", "credit_code", "investor_region")
# Particulars compared with the project, in the order of the columns.
PARTICULARS = (
    "name",
    "source_region",
    "industry",
    "park",
    "event",
    "contract_no",
    "agreed_investment",
    "fixed_asset_investment",
    "expected_output",
    "expected_tax",
    "land_mu",
    "parcel",
    "planned_start_on",
    "official",
    "unit",
    "confidential",
    "note",
)
YES, NO = "是", "否"
NOTE = "表格导入"


@dataclass
class PlannedRow:
    row: int
    action: str  # create, update or unchanged
    code: str
    name: str
    changes: list[str] = field(default_factory=list)  # headers of the columns that change
    stage_from: str = ""  # stage names; stage_from is empty for a new project
    stage_to: str = ""
    duplicate_of: str = ""  # the earlier project's code, when the duplicate guard flagged this row
    details: list[Change] = field(default_factory=list)  # each changed column, old → new

    @property
    def flagged(self) -> bool:
        return bool(self.duplicate_of)

    def __str__(self):
        verb = {"create": "新建", "update": "更新", "unchanged": "未变化"}[self.action]
        text = f"第 {self.row} 行 {verb} {self.code} {self.name}"
        if self.stage_from != self.stage_to:
            text += f" 阶段 {self.stage_from or '—'} → {self.stage_to}"
        if self.details:
            text += " 修改 " + ";".join(str(c) for c in self.details)
        elif self.changes:
            text += f" 修改 {'、'.join(self.changes)}"
        if self.duplicate_of:
            text += f"(疑似与 {self.duplicate_of} 重复,待确认)"
        return text


@dataclass
class LedgerImportResult:
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
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def flagged(self) -> list[PlannedRow]:
        return [p for p in self.plan if p.flagged]

    def groups(self) -> Plan:
        """The dry run's three groups: new projects (with the stage each reaches), projects that change
        (old → new per column, the stage too), and the count unchanged."""
        created, updated = [], []
        for p in self.plan:
            title = f"{p.code} {p.name}"
            note = f"疑似与 {p.duplicate_of} 重复,待确认" if p.duplicate_of else ""
            if p.action == "create":
                created.append(
                    PlanLine(p.row, title, [], f"阶段:{p.stage_to}" + (f";{note}" if note else ""))
                )
            elif p.action == "update":
                details = list(p.details)
                if p.stage_from != p.stage_to:
                    details.append(Change(HEADER["stage"], p.stage_from, p.stage_to))
                updated.append(PlanLine(p.row, title, details, note))
        return Plan(created=created, updated=updated, unchanged=self.unchanged, noun="个项目")

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        text = f"{verb}新建 {self.created} 个项目,{verb}更新 {self.updated} 个,未变化 {self.unchanged} 个"
        if self.flagged:
            text += f";疑似重复 {len(self.flagged)} 个(待确认,不计入统计)"
        return text


class _RowFailed(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors


class _Rollback(Exception):
    pass


def check_headers(headers: list[str]) -> list[RowError]:
    """One error naming every unknown column and every required one missing."""
    unknown = [h for h in headers if h and h not in BY_HEADER]
    missing = [HEADER[key] for key in REQUIRED if HEADER[key] not in headers]
    parts = []
    if unknown:
        parts.append(f"未知的列:{'、'.join(unknown)}")
    if missing:
        parts.append(f"缺少必需的列:{'、'.join(missing)}")
    if not parts:
        return []
    return [RowError(1, "表头", f"{';'.join(parts)};期望的列为:{'、'.join(HEADERS)}")]


def _fold(text: str) -> str:
    """Full-width brackets and spaces folded, so 省外(区外) typed either way is one label."""
    return unicodedata.normalize("NFKC", text).replace(" ", "")


class Lookups:
    """Labels and names to values, loaded once per import."""

    def __init__(self, zone: Zone):
        self.stages = list(Stage.objects.all())
        # By the stage table's name; the code and the built-in label too, should an administrator
        # rename a stage after a file was exported.
        self.stage_by_label = {
            **{s.code: s for s in self.stages},
            **{str(StageCode(s.code).label): s for s in self.stages},
            **{s.name: s for s in self.stages},
        }
        self.regions = {_fold(str(c.label)): c.value for c in SourceRegion} | {
            c.value: c.value for c in SourceRegion
        }
        self.events = {e.name: e for e in Event.objects.filter(zone=zone)}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip()[:10])


def _decimal(text: str) -> Decimal | None:
    text = text.strip().replace(",", "")
    return Decimal(text) if text else None


class _Row:
    """One spreadsheet row read into the services' values; what cannot be read is an error of its column
    and is left out of what the services get."""

    def __init__(self, number: int, values: dict[str, str], lookups: Lookups):
        self.number = number
        self.errors: dict[str, str] = {}
        self.code = values.get("code", "").strip()
        self.data: dict = {}
        for key, text in values.items():
            if key in ("code", "stage", *STAGE_DATE_FIELD.values()):
                continue
            value = self._value(key, text.strip(), lookups)
            if key not in self.errors:
                self.data[key] = value
        if self.data.get("source_region") == "":
            del self.data["source_region"]  # blank: the project's own (or, new, the default)
        stage_text = values.get("stage", "").strip()
        self.stage = lookups.stage_by_label.get(stage_text) if stage_text else None
        if stage_text and self.stage is None:
            names = "/".join(s.name for s in lookups.stages)
            self.errors["stage"] = f"未知的阶段“{stage_text}”,应为 {names} 之一"
        self.dates: dict[str, str] = {
            key: values[key].strip() for key in STAGE_DATE_FIELD.values() if key in values
        }

    def _value(self, key: str, text: str, lookups: Lookups):
        if key == "source_region":
            if not text:
                return ""
            found = lookups.regions.get(_fold(text))
            if found is None:
                self.errors[key] = f"应为 {'、'.join(str(c.label) for c in SourceRegion)} 之一"
            return found
        if key == "confidential":
            if text not in (YES, NO, ""):
                self.errors[key] = f"应为“{YES}”或“{NO}”"
            return text == YES
        if key == "event":
            if not text:
                return None
            found = lookups.events.get(text)
            if found is None:
                self.errors[key] = f"本开发区没有签约活动“{text}”;请先登记该活动"
            return found
        if key == "credit_code":
            return uscc.normalize(text) or None
        return text

    def stage_dates(self, stages: list[Stage], reached: int, target: int, project: Project | None):
        """The dates to move the project with (stages after `reached` up to `target`); the date of a
        stage already entered must be blank or match the ledger, that of a stage not reached blank."""
        out = {}
        for stage in stages:
            key = stage.date_field
            if key not in self.dates or (project is None and stage.order == 1):
                continue
            text = self.dates[key]
            if stage.order <= reached:
                if not text:  # a stage entered keeps its date; blank is "as in the ledger"
                    continue
                current = getattr(project, key)
                try:
                    given = _date(text)
                except ValueError:
                    self.errors[key] = f"“{text[:20]}”不是日期(格式 2024-06-30)"
                    continue
                if given != current:
                    shown = f"{current:%Y-%m-%d}" if current else "空"
                    self.errors[key] = f"与台账不一致(台账为 {shown});导入不修改已进入阶段的日期"
            elif stage.order <= target:
                out[key] = text or None
            elif text and "stage" not in self.errors:  # with the stage unreadable, the target is unknown
                self.errors[key] = f"项目尚未进入“{stage.name}”阶段,不能填写;请填写阶段或清空该日期"
        return out

    def fail(self, extra: dict[str, str] | None = None):
        errors = {**self.errors, **(extra or {})}
        raise _RowFailed(
            [RowError(self.number, _header(key, message), message) for key, message in errors.items()]
        )


def _header(key: str, message: str) -> str:
    """The column an error belongs to: its field's header, or for an amount that needs confirming the
    column the message names."""
    if key == "confirm":
        return next((h for h in HEADERS if message.startswith(h)), "确认")
    if key in ("to_stage", "reason"):
        return HEADER["stage"]
    return HEADER.get(key) or label(key)


def _same(key: str, current, given) -> bool:
    if key in AMOUNTS:
        try:
            return _decimal(given or "") == current
        except InvalidOperation:
            return False
    if key == "planned_start_on":
        try:
            return (_date(given) if given else None) == current
        except ValueError:
            return False
    if key in ("industry", "park"):
        return (given or "") == (current.code if current is not None else "")
    if key == "event":
        return (given.pk if given else None) == current
    return given == current


def _current(project: Project, key: str):
    if key == "event":
        return project.event_id
    return getattr(project, key)


def _shown_current(project: Project, key: str):
    """A project's value of a column as the file writes it (codes, labels, names), for old → new."""
    if key in ("investor_name", "credit_code", "investor_region"):
        investor = project.investor
        return {
            "investor_name": investor.name,
            "credit_code": investor.credit_code,
            "investor_region": investor.region,
        }[key]
    value = getattr(project, key)
    if key in ("industry", "park"):
        return value.code if value is not None else None
    if key == "event":
        return value.name if value is not None else None
    if key == "source_region":
        return str(SourceRegion(value).label) if value in SourceRegion.values else value
    return value


def _shown_given(key: str, value):
    if key == "event":
        return value.name if value is not None else None
    if key == "source_region":
        return str(SourceRegion(value).label) if value in SourceRegion.values else value
    return value


def _investor_changed(project: Project, data: dict) -> bool:
    investor = project.investor
    code = data.get("credit_code")
    if code:
        return code != investor.credit_code
    if "investor_name" not in data:
        return False
    return normalize_name(data["investor_name"]) != investor.normalized_name


class _Importer:
    def __init__(self, *, actor, zone: Zone, source: str, confirm: bool, batch: str):
        self.actor, self.zone, self.source, self.confirm, self.batch = actor, zone, source, confirm, batch
        self.lookups = Lookups(zone)
        self.stages = self.lookups.stages

    def projects(self, codes: set[str]) -> dict[str, Project]:
        rows = (
            Project.objects.visible_to(self.actor)
            .filter(zone=self.zone, code__in=codes)
            .select_related("stage", "investor", "industry", "park", "zone")
        )
        return {p.code: p for p in rows}

    def apply(self, row: _Row, project: Project | None) -> PlannedRow:
        if row.code and project is None:
            row.errors["code"] = f"本开发区没有编号为“{row.code}”的项目(或无权查看);新项目请留空"
            row.fail()
        if project is None:
            return self.create(row)
        return self.update(row, project)

    def _move(self, row: _Row, project: Project, target: Stage | None, dates: dict) -> Project:
        if target is None or target.order <= project.stage.order:
            return project
        return advance_stage(
            actor=self.actor,
            project=project,
            to_stage=target.code,
            data=dates,
            source=self.source,
            confirm=self.confirm,
            note=NOTE,
            batch=self.batch,
        )

    def create(self, row: _Row) -> PlannedRow:
        target = row.stage or self.stages[0]
        dates = row.stage_dates(self.stages, 1, target.order, None)
        data = dict(row.data)
        if row.dates.get("lead_on"):
            data["lead_on"] = row.dates["lead_on"]
        try:
            project = create_project(
                actor=self.actor,
                zone=self.zone,
                data=data,
                source=self.source,
                confirm=self.confirm,
                batch=self.batch,
            )
            if row.errors:
                row.fail()
            project = self._move(row, project, target, dates)
        except ProjectError as exc:
            row.fail(exc.errors)
        if row.errors:
            row.fail()
        return PlannedRow(
            row=row.number,
            action="create",
            code=project.code,
            name=project.name,
            stage_to=project.stage.name,
            duplicate_of=self._flagged(project),
        )

    def update(self, row: _Row, project: Project) -> PlannedRow:
        current = project.stage
        target = row.stage or current
        if target.order < current.order:
            row.errors["stage"] = (
                f"导入不能退回阶段:项目现处于“{current.name}”阶段;退回请在项目页面操作并说明原因"
            )
        dates = row.stage_dates(self.stages, current.order, target.order, project)
        changed = {
            key: row.data[key]
            for key in PARTICULARS
            if key in row.data and not _same(key, _current(project, key), row.data[key])
        }
        if _investor_changed(project, row.data):
            changed |= {key: row.data[key] for key in INVESTOR if key in row.data}
        headers = [HEADER[key] for key in changed]
        details = [
            Change(HEADER[key], _shown_current(project, key), _shown_given(key, value))
            for key, value in changed.items()
        ]
        if not changed and target.order == current.order and not row.errors:
            return PlannedRow(
                row.number, "unchanged", project.code, project.name, [], current.name, current.name
            )
        was_flagged = project.duplicate_status == DuplicateStatus.FLAGGED
        try:  # with errors already found, the services are still asked, to report the row's others too
            if changed:
                project = update_project(
                    actor=self.actor,
                    project=project,
                    data=changed,
                    source=self.source,
                    confirm=self.confirm,
                    batch=self.batch,
                )
            if not row.errors:
                project = self._move(row, project, target, dates)
        except ProjectError as exc:
            row.fail(exc.errors)
        if row.errors:
            row.fail()
        return PlannedRow(
            row=row.number,
            action="update",
            code=project.code,
            name=project.name,
            changes=headers,
            stage_from=current.name,
            stage_to=project.stage.name,
            duplicate_of="" if was_flagged else self._flagged(project),
            details=details,
        )

    def _flagged(self, project: Project) -> str:
        """The earlier project's code, or for one the importer may not see, no code (it is confidential)."""
        if project.duplicate_status != DuplicateStatus.FLAGGED or project.duplicate_of_id is None:
            return ""
        original = Project.objects.visible_to(self.actor).filter(pk=project.duplicate_of_id)
        return original.values_list("code", flat=True).first() or "一个保密项目"


def import_ledger(
    *,
    actor,
    zone: Zone,
    table: Table,
    source: str,
    dry_run: bool = True,
    confirm: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> LedgerImportResult:
    """Import a ledger spreadsheet into one zone: all rows or none. A dry run reports the plan and
    rolls everything back; a real run with any error saves nothing and reports every error."""
    if not can(actor, "import") or not Zone.objects.restrict(actor, "import").filter(pk=zone.pk).exists():
        raise PermissionDenied(f"无权导入“{zone}”的项目台账")
    result = LedgerImportResult(total=len(table.rows), dry_run=dry_run)
    result.errors = check_headers(table.headers)
    if result.errors:
        return result
    if not dry_run:
        result.batch = str(uuid.uuid4())
    keys = {h: BY_HEADER[h] for h in table.headers if h in BY_HEADER and BY_HEADER[h] not in EXPORT_ONLY}
    importer = _Importer(actor=actor, zone=zone, source=source, confirm=confirm, batch=result.batch)
    codes = {row.get(HEADER["code"], "").strip() for row in table.rows} - {""}
    projects = importer.projects(codes)
    seen: dict[str, int] = {}
    same: dict[tuple, int] = {}  # a row's cells → its number: a row copied twice is a slip, not a project
    try:
        with transaction.atomic():
            for index, raw in enumerate(table.rows):
                number = table.first_row_number + index
                row = _Row(number, {keys[h]: v for h, v in raw.items() if h in keys}, importer.lookups)
                cells = tuple(sorted((h, str(v).strip()) for h, v in raw.items() if h in keys))
                if row.code in seen:
                    result.errors.append(RowError(number, HEADER["code"], f"与第 {seen[row.code]} 行重复"))
                elif cells in same:
                    result.errors.append(
                        RowError(number, "整行", f"与第 {same[cells]} 行完全相同;同一项目请只填一行")
                    )
                else:
                    same[cells] = number
                    if row.code:
                        seen[row.code] = number
                    try:
                        with transaction.atomic():  # a failed row leaves nothing behind for the next
                            result.plan.append(importer.apply(row, projects.get(row.code)))
                    except _RowFailed as exc:
                        result.errors.extend(exc.errors)
                    except PermissionDenied as exc:
                        result.errors.append(RowError(number, "整行", str(exc)))
                if progress:
                    progress(index + 1, len(table.rows))
            if dry_run or result.errors:
                raise _Rollback
    except _Rollback:
        pass
    return result
