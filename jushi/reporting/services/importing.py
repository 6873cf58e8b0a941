"""A whole period from the statistics bureau's spreadsheet: checked like a report, saved all or nothing.

Rows are enterprises (by credit code), columns are fields (this period's cumulative and last year's).
Every row is parsed and run through the form's checks; a blocking finding is a row error, a warning is
kept with the row's 情况说明 (or a note that it came by import). Nothing is written unless every row is
clean; then the period is opened where needed and every row's figures are saved and approved, each
changed submission getting one ValueChange and one event. A report that was approved and now differs is
a new revision with the import as its reason.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from jushi.core import clock
from jushi.core.bulk import insert_rows
from jushi.core.importing import Change, Plan, PlanLine
from jushi.core.scopes import can
from jushi.lib import uscc
from jushi.lib.batching import paused_gc
from jushi.lib.periods import Period
from jushi.lib.tabular import Table
from jushi.registry.models import Enterprise, Zone
from jushi.registry.services.importing import RowError  # one "第 N 行 字段: 错误" for every import

from ..checks import Checker, FieldSpec, Finding
from ..choices import EventKind, Status
from ..columns import CODE_HEADER, LY_SUFFIX, NAME_HEADER, NOTE_HEADER, STATUS_HEADER, header_map
from ..models import CheckResult, ReportForm, ReportingPeriod, Submission, SubmissionEvent, Value, ValueChange
from ..signals import announce_approved
from .errors import ReportingError
from .history import histories
from .periods import check_period_fits, obligated, open_period
from .plausibility import refresh_flags

IMPORT_NOTE = "统计局数据批量导入"
NOTE_LIMIT = CheckResult._meta.get_field("explanation").max_length
REASON_LIMIT = ValueChange._meta.get_field("reason").max_length


class Firm(NamedTuple):
    """The registry's facts about one enterprise the import needs: a tuple, not a model instance
    (20,000 instances and their zones cost more than all the import's queries together)."""

    pk: int
    credit_code: str
    name: str
    zone_id: int


@dataclass
class PlannedRow:
    row: int
    enterprise: Firm
    current: dict
    last_year: dict
    warnings: list[Finding]
    note: str
    action: str = "create"  # create, update or unchanged
    changes: dict = field(default_factory=dict)
    status: str = ""  # the stored report's status, for an update
    revision: int = 0  # the stored report's revision, for an update


@dataclass
class PeriodImport:
    form: ReportForm
    period: Period
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    plan: list[PlannedRow] = field(default_factory=list)
    dry_run: bool = True
    zones: dict[int, Zone] = field(default_factory=dict)  # the zones of the planned rows
    batch: str = ""
    evaluations: int = 0
    skipped: list[int] = field(default_factory=list)  # rows with no figures at all

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for p in self.plan if p.action == action)

    @property
    def warning_count(self) -> int:
        return sum(len(p.warnings) for p in self.plan)

    def groups(self) -> Plan:
        """The dry run's three groups: first reports, reports whose figures (or status) change, each
        changed figure as old → new under its column's header, and the count left as they are."""
        labels = {}
        for f in self.form.fields.all():
            labels[f.code, "current"] = f"{f.label}({f.unit})"
            labels[f.code, "last_year"] = f"{f.label}({f.unit}){LY_SUFFIX}"
        order = {code: i for i, (code, _) in enumerate(labels)}
        created, updated = [], []
        for p in self.plan:
            title = f"{p.enterprise.name}({p.enterprise.credit_code})"
            if p.action == "create":
                created.append(PlanLine(p.row, title, note=f"{len(p.changes)} 项指标"))
            elif p.action == "update":
                changes = [
                    Change(labels[code, part], old, new)
                    for code, parts in sorted(p.changes.items(), key=lambda item: order.get(item[0], 0))
                    for part in ("current", "last_year")
                    if part in parts
                    for old, new in [parts[part]]
                ]
                if p.status != Status.APPROVED:
                    changes.append(Change("状态", str(Status(p.status).label), str(Status.APPROVED.label)))
                    note = ""
                else:
                    note = f"已审核的报表,将以导入数据替换并记为第 {p.revision + 1} 次修订"
                updated.append(PlanLine(p.row, title, changes, note))
        return Plan(
            created=created,
            updated=updated,
            unchanged=self.count("unchanged"),
            noun="家企业",
            create_verb="新报",
            notes=[
                "导入的数据即为审核通过:新报和更新的报表导入后均为“已审核”。",
                "已审核的报表:数值与文件相同的不做改动;数值不同的以文件为准,记为新的修订,原值留在修改记录中。",
                "未报、草稿、已退回或已报送待审核的报表:以文件中的数值为准并直接审核通过。",
            ],
        )


def _text(value):
    """A figure as the change log keeps it: plain digits, no exponent, no trailing zeros."""
    if value is None:
        return None
    text = str(value)  # already the plain form for almost every figure, and five times cheaper
    if "E" in text or ("." in text and text[-1] == "0"):
        return f"{value.normalize():f}"
    return text


def _same(a, b):
    return a == b if a is not None and b is not None else a is None and b is None


def _first_figures(codes, current: dict, last_year: dict) -> dict:
    """The ValueChange of a submission's first figures: every reported field, from nothing to its value."""
    changes = {}
    for code in codes:
        cur, ly = current.get(code), last_year.get(code)
        if cur is not None:
            changes[code] = {"current": [None, _text(cur)]}
            if ly is not None:
                changes[code]["last_year"] = [None, _text(ly)]
        elif ly is not None:
            changes[code] = {"last_year": [None, _text(ly)]}
    return changes


def plan_period_import(
    *,
    actor,
    form: ReportForm,
    period: Period,
    table: Table,
    progress: Callable[..., None] | None = None,
) -> PeriodImport:
    """Validate every row and work out what each would change, writing nothing."""
    if not can(actor, "import") or not can(actor, "review"):
        raise PermissionDenied("无权导入报表数据")
    check_period_fits(form, period)
    result = PeriodImport(form=form, period=period, total=len(table.rows))
    fields = [FieldSpec.of(f) for f in form.fields.all()]
    by_header = header_map(form.fields.all())
    known = {CODE_HEADER, NAME_HEADER, NOTE_HEADER, STATUS_HEADER, *by_header}
    unknown = [h for h in table.headers if h and h not in known]
    if unknown:
        result.errors.append(RowError(1, "表头", f"未知的列:{'、'.join(unknown)}"))
    present = {(by_header[h].field_code, by_header[h].part) for h in table.headers if h in by_header}
    missing = [] if CODE_HEADER in table.headers else [CODE_HEADER]
    for f in form.fields.all():
        for part, suffix in (("current", ""), ("last_year", "上年同期")):
            if (f.code, part) not in present:
                missing.append(f"{f.label}({f.unit}){suffix}")
    if missing:
        result.errors.append(RowError(1, "表头", f"缺少必需的列:{'、'.join(missing)}"))
    if result.errors:
        return result
    columns = {h: by_header[h] for h in table.headers if h in by_header}
    label_of = {}
    for h, c in columns.items():
        label_of[c.field_code if c.part == "current" else f"{c.field_code}__ly"] = h

    codes = {uscc.normalize(r.get(CODE_HEADER, "")) for r in table.rows}
    enterprises = {
        row[1]: Firm(*row)
        for row in Enterprise.objects.restrict(actor, "import")
        .filter(credit_code__in=codes)
        .values_list("pk", "credit_code", "name", "zone_id")
    }
    zones = Zone.objects.in_bulk({e.zone_id for e in enterprises.values()})
    result.zones = zones
    periods = {
        p.zone_id: p
        for p in ReportingPeriod.objects.filter(form=form, code=period.code, zone_id__in=list(zones))
    }
    closed = {zid for zid, p in periods.items() if p.closed_at is not None}
    for zid in sorted(closed):
        result.errors.append(
            RowError(0, "报告期", f"{zones[zid]} {period.label}已关闭,不能导入;请先重新开放")
        )
    frame = {
        zid: set(obligated(form, zone, period).values_list("pk", flat=True)) for zid, zone in zones.items()
    }
    for p in periods.values():  # enterprises already owing this period count as obligated too
        frame[p.zone_id] |= set(p.submissions.values_list("enterprise_id", flat=True))
    stored: dict[int, tuple[str, dict, dict, int]] = {}
    if periods:
        for enterprise_id, status, revision in Submission.objects.filter(
            period__in=list(periods.values())
        ).values_list("enterprise_id", "status", "revision"):
            stored[enterprise_id] = (status, {}, {}, revision)
        for enterprise_id, code, cur, ly in Value.objects.filter(
            submission__period__in=list(periods.values())
        ).values_list("submission__enterprise_id", "field__code", "current", "last_year"):
            stored[enterprise_id][1][code] = cur
            stored[enterprise_id][2][code] = ly
    history_by_zone = {}
    codes_in_order = [f.code for f in fields]
    header_of = {(c.field_code, c.part): h for h, c in columns.items()}
    slots = [(code, header_of[code, "current"], header_of[code, "last_year"]) for code in codes_in_order]
    checkers: dict[int, Checker] = {}  # each zone's rules in force: national ones it keeps, its own

    def checker_of(zone_id: int) -> Checker:
        if zone_id not in checkers:
            checkers[zone_id] = Checker(fields, form.rules.in_force(zone_id))
        return checkers[zone_id]

    seen: dict[str, int] = {}
    rows = table.rows
    for index, raw in enumerate(rows):
        row_no = table.first_row_number + index
        code = uscc.normalize(raw.get(CODE_HEADER, ""))
        if not code:
            result.errors.append(RowError(row_no, CODE_HEADER, "必填"))
            continue
        if code in seen:
            result.errors.append(RowError(row_no, CODE_HEADER, f"{code} 与第 {seen[code]} 行重复"))
            continue
        seen[code] = row_no
        enterprise = enterprises.get(code)
        if enterprise is None:
            result.errors.append(
                RowError(row_no, CODE_HEADER, f"{code} 未在企业名录中登记,或不在您管理的开发区")
            )
            continue
        name = raw.get(NAME_HEADER, "").strip()
        if name and name != enterprise.name:
            result.errors.append(
                RowError(row_no, NAME_HEADER, f"“{name}”与名录中该代码的企业“{enterprise.name}”不一致")
            )
            continue
        if enterprise.zone_id in closed:
            continue
        if enterprise.pk not in frame[enterprise.zone_id]:
            result.errors.append(
                RowError(
                    row_no,
                    CODE_HEADER,
                    f"“{enterprise.name}”不在{period.label}“{form.name}”的报送范围"
                    f"({form.get_obligation_display()});请先在企业名录中维护",
                )
            )
            continue
        texts = {f: (raw.get(now_h, ""), raw.get(ly_h, "")) for f, now_h, ly_h in slots}
        if not any(now or ly for now, ly in texts.values()):  # read_table strips every cell
            result.skipped.append(row_no)  # an empty row: this enterprise has not reported; nothing to import
            continue
        checker = checker_of(enterprise.zone_id)
        current, last_year, errors = checker.parse_inputs(texts)
        if errors:
            for name_, message in errors.items():
                result.errors.append(RowError(row_no, label_of.get(name_, name_), message))
            continue
        if enterprise.zone_id not in history_by_zone:
            history_by_zone[enterprise.zone_id] = _zone_histories(
                form, period, enterprise.zone_id, periods, enterprises
            )
        history = history_by_zone[enterprise.zone_id].get(enterprise.pk)
        findings = checker.run(current, last_year, history) if history is not None else []
        blocking = [f for f in findings if f.blocking]
        if blocking:
            for f in blocking:
                where = label_of.get(f.field_code, "整行") if f.field_code else "整行"
                result.errors.append(RowError(row_no, where, f.message))
            continue
        note = raw.get(NOTE_HEADER, "").strip()
        if len(note) > NOTE_LIMIT:  # refused, never cut: the explanation is what the reviewer reads
            result.errors.append(
                RowError(row_no, NOTE_HEADER, f"最多 {NOTE_LIMIT} 个字,现有 {len(note)} 个字;请删减后再导入")
            )
            continue
        planned = PlannedRow(row_no, enterprise, current, last_year, findings, note)
        before = stored.get(enterprise.pk)
        if before is not None and before[1]:
            for f in fields:
                diff = {}
                if not _same(before[1].get(f.code), current.get(f.code)):
                    diff["current"] = [_text(before[1].get(f.code)), _text(current.get(f.code))]
                if not _same(before[2].get(f.code), last_year.get(f.code)):
                    diff["last_year"] = [_text(before[2].get(f.code)), _text(last_year.get(f.code))]
                if diff:
                    planned.changes[f.code] = diff
            planned.action = "update" if planned.changes or before[0] != Status.APPROVED else "unchanged"
            planned.status, planned.revision = before[0], before[3]
        else:
            planned.changes = _first_figures(codes_in_order, current, last_year)
        result.plan.append(planned)
        if progress:
            progress(index + 1, len(rows), phase="校验")
    result.evaluations = sum(c.evaluations for c in checkers.values())
    return result


class _PendingPeriod:
    """Stands in for a period not yet opened in a zone, so the checks can still find history."""

    def __init__(self, form, zone_id, code):
        self.form, self.zone_id, self.code = form, zone_id, code


def _zone_histories(form, period, zone_id, periods, enterprises):
    row = periods.get(zone_id) or _PendingPeriod(form, zone_id, period.code)
    ids = [e.pk for e in enterprises.values() if e.zone_id == zone_id]
    return histories(form, row, ids)


def import_period(
    *,
    actor,
    form: ReportForm,
    period: Period,
    table: Table,
    dry_run: bool = False,
    source: str,
    reason: str = "",
    progress: Callable[..., None] | None = None,
) -> PeriodImport:
    """Plan the import; unless it is a dry run or any row has an error, save it all in one transaction."""
    if len(reason) > REASON_LIMIT:
        raise ReportingError(f"导入原因最多 {REASON_LIMIT} 个字,现有 {len(reason)} 个字")
    with paused_gc():
        result = plan_period_import(actor=actor, form=form, period=period, table=table, progress=progress)
        result.dry_run = dry_run
        if not dry_run and result.ok:
            _save(
                result, actor=actor, form=form, period=period, source=source, reason=reason, progress=progress
            )
    return result


def _save(
    result: PeriodImport, *, actor, form: ReportForm, period: Period, source: str, reason: str, progress=None
) -> None:
    result.batch = str(uuid.uuid4())
    reason = reason or IMPORT_NOTE
    now = clock.now()
    user = actor if actor.pk else None
    with transaction.atomic():
        period_rows = {
            zid: open_period(actor=actor, form=form, zone=result.zones[zid], period=period)[0]
            for zid in {p.enterprise.zone_id for p in result.plan}
        }
        submissions = {  # enterprise → (submission, status, revision)
            e: (pk, status, revision)
            for e, pk, status, revision in Submission.objects.filter(
                period__in=list(period_rows.values())
            ).values_list("enterprise_id", "pk", "status", "revision")
        }
        field_ids = dict(form.fields.values_list("code", "pk"))
        todo = [p for p in result.plan if p.action != "unchanged"]
        if not todo:
            return
        subs = [submissions[p.enterprise.pk] for p in todo]
        corrected = [s[0] for s, p in zip(subs, todo, strict=True) if s[1] == Status.APPROVED and p.changes]
        ids = [s[0] for s in subs]
        for chunk in _chunks(corrected):
            Submission.objects.filter(pk__in=chunk).update(revision=F("revision") + 1)
        if len(ids) == len(submissions):  # the whole period, as the bureau's file usually is
            selections = [Submission.objects.filter(period__in=list(period_rows.values()))]
        else:
            selections = [Submission.objects.filter(pk__in=chunk) for chunk in _chunks(ids)]
        for selected in selections:
            Value.objects.filter(submission__in=selected).delete()
            CheckResult.objects.filter(submission__in=selected).delete()
            selected.update(
                status=Status.APPROVED,
                version=F("version") + 1,
                reviewed_at=now,
                reviewed_by=user,
                return_reason="",
                updated=now,
            )
        revisions = (
            dict(Submission.objects.filter(pk__in=ids).values_list("pk", "revision")) if corrected else {}
        )
        values, changes, events, checks = [], [], [], []
        user_id, name, note = (user.pk if user else None), actor.username, reason[:500]
        for done, ((sid, _, revision), p) in enumerate(zip(subs, todo, strict=True), start=1):
            if progress:
                progress(done, len(todo), phase="写入")
            revision = revisions.get(sid, revision)
            current, last_year = p.current, p.last_year
            for code, field_id in field_ids.items():
                cur, ly = current.get(code), last_year.get(code)
                if cur is not None or ly is not None:
                    values.append((sid, field_id, cur, ly, cur, ly, revision))
            if p.changes:
                changes.append((sid, revision, p.changes, user_id, name, now, source, note, result.batch))
            events.append(
                (sid, EventKind.IMPORTED.value, now, user_id, name, revision, note, source, result.batch)
            )
            explanation = (p.note or f"{IMPORT_NOTE},未附说明")[:1000]
            for f in p.warnings:
                checks.append(
                    (sid, revision, f.rule_id, f.key, f.field_code, f.severity, f.message[:500], explanation)
                )
        # Plain tuples and one executemany per chunk: 300,000 model instances would cost more than
        # everything else in the import together.
        insert_rows(
            Value,
            [
                "submission",
                "field",
                "current",
                "last_year",
                "approved_current",
                "approved_last_year",
                "revision",
            ],
            values,
        )
        insert_rows(
            ValueChange,
            ["submission", "revision", "changes", "user", "user_name", "time", "source", "reason", "batch"],
            changes,
        )
        insert_rows(
            SubmissionEvent,
            ["submission", "kind", "time", "actor", "actor_name", "revision", "note", "source", "batch"],
            events,
        )
        insert_rows(
            CheckResult,
            ["submission", "revision", "rule", "key", "field_code", "severity", "message", "explanation"],
            checks,
        )
        for row in period_rows.values():
            refresh_flags(row, source=source)
        for zone_id in period_rows:
            announce_approved(zone_id=zone_id, form_code=form.code, period_code=period.code)
    return result


def _chunks(items, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def period_rows_for_export(*, actor, form: ReportForm, period: Period, zone=None):
    """Submissions of the period the actor may export, with their figures, in enterprise order."""
    if not can(actor, "export"):
        raise PermissionDenied("无权导出报表数据")
    check_period_fits(form, period)
    submissions = (
        Submission.objects.restrict(actor, "export")
        .filter(period__form=form, period__code=period.code)
        .select_related("enterprise", "period")
        .prefetch_related("check_results")
        .order_by("enterprise__credit_code")
    )
    if zone is not None:
        submissions = submissions.filter(period__zone=zone)
    figures: dict[int, dict] = {}
    for sid, code, cur, ly in Value.objects.filter(submission__in=submissions).values_list(
        "submission_id", "field__code", "current", "last_year"
    ):
        figures.setdefault(sid, {})[code] = (cur, ly)
    return [(s, figures.get(s.pk, {})) for s in submissions]


__all__ = ["PeriodImport", "ReportingError", "RowError", "import_period", "period_rows_for_export"]
