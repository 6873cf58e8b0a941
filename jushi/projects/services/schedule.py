"""Key-project scheduling: milestones, the monthly investment plan, the problem list and its
escalation (督办), and the files kept with a project."""

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from jushi.core import clock
from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction
from jushi.core.notify import notify

from ..choices import AttachmentKind, Escalation, ProblemStatus
from ..models import Attachment, Milestone, MonthlyInvestment, Problem, Project
from .common import FIRST_YEAR, LAST_YEAR, ProjectError, amount, date, ensure_project, raise_errors

logger = logging.getLogger(__name__)

STORAGE_MESSAGE = "附件未保存:服务器存储空间不足或上传目录不可写,请联系系统管理员;本次没有记录任何内容"
LEADER_AFTER_DAYS = 14  # overdue this long, a problem goes up to the leaders (领导督办)
# What may be attached, and the bytes each kind of file starts with: a renamed file is refused.
FILE_TYPES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
}


def _log(actor, obj, before, source, zone_id, reason="", action=None):
    record(
        actor=actor,
        action=action or (ChangeAction.CREATE if before is None else ChangeAction.UPDATE),
        obj=obj,
        before=before,
        after=snapshot(obj),
        source=source,
        reason=reason,
        zone_id=zone_id,
    )


def _text(data: dict, key: str, errors: dict, limit: int, *, required: bool = False) -> str:
    text = str(data.get(key) or "").strip()
    if required and not text:
        errors[key] = "必填"
    elif len(text) > limit:
        errors[key] = f"不能超过 {limit} 个字"
    return text


def add_milestone(*, actor, project: Project, data: dict, source: str) -> Milestone:
    ensure_project(actor, project)
    errors: dict = {}
    name = _text(data, "name", errors, 60, required=True)
    planned = date(data.get("planned_on"), "planned_on", errors, required=True, not_after_today=False)
    actual = date(data.get("actual_on"), "actual_on", errors)
    note = _text(data, "note", errors, 300)
    raise_errors(errors)
    with transaction.atomic():
        milestone = Milestone.objects.create(
            project=project, name=name, planned_on=planned, actual_on=actual, note=note
        )
        _log(actor, milestone, None, source, project.zone_id)
    return milestone


def complete_milestone(*, actor, milestone: Milestone, actual_on, source: str, note: str = "") -> Milestone:
    ensure_project(actor, milestone.project)
    errors: dict = {}
    actual = date(actual_on, "actual_on", errors, required=True)
    note = _text({"note": note}, "note", errors, 300)
    raise_errors(errors)
    with transaction.atomic():
        before = snapshot(milestone)
        milestone.actual_on = actual
        if note:
            milestone.note = note
        milestone.save()
        _log(actor, milestone, before, source, milestone.project.zone_id)
    return milestone


def set_monthly_investment(*, actor, project: Project, month: str, planned=None, actual=None, source: str):
    """Set a month's planned and/or actual investment (万元); a blank leaves that figure as it was."""
    ensure_project(actor, project)
    errors: dict = {}
    month = str(month or "").strip()
    try:
        first = dt.date.fromisoformat(f"{month}-01")
        if len(month) != 7:
            raise ValueError
    except ValueError:
        errors["month"] = f"“{month[:10]}”不是月份(格式 2024-03)"
        first = None
    if first is not None and not FIRST_YEAR <= first.year <= LAST_YEAR:
        errors["month"] = f"“{month}”不在 {FIRST_YEAR}–{LAST_YEAR} 年之间,请核对"
        first = None
    plan = amount(planned, "planned", errors)
    done = amount(actual, "actual", errors)
    if first is not None and done is not None and first > clock.today():
        errors["actual"] = "未来月份不能填写实际投资"
    if plan is None and done is None and not errors:
        errors["planned"] = "计划投资和实际投资至少填一项"
    raise_errors(errors)
    with transaction.atomic():
        row, created = MonthlyInvestment.objects.get_or_create(project=project, month=month)
        before = None if created else snapshot(row)
        if plan is not None:
            row.planned = plan
        if done is not None:
            row.actual = done
        row.save()
        _log(actor, row, before, source, project.zone_id)
    return row


def raise_problem(*, actor, project: Project, data: dict, source: str) -> Problem:
    """Put a problem on the project's list with an owner and a due date."""
    ensure_project(actor, project)
    errors: dict = {}
    title = _text(data, "title", errors, 200, required=True)
    detail = _text(data, "detail", errors, 2000)
    owner = _text(data, "owner", errors, 50, required=True)
    owner_unit = _text(data, "owner_unit", errors, 100)
    raised = date(data.get("raised_on") or clock.today(), "raised_on", errors)
    due = date(data.get("due_on"), "due_on", errors, required=True, not_after_today=False)
    if raised and due and due < raised:
        errors["due_on"] = "限期不能早于提出日期"
    raise_errors(errors)
    with transaction.atomic():
        problem = Problem.objects.create(
            project=project,
            title=title,
            detail=detail,
            owner=owner,
            owner_unit=owner_unit,
            raised_on=raised,
            due_on=due,
            raised_by=actor if getattr(actor, "pk", None) else None,
        )
        _log(actor, problem, None, source, project.zone_id)
    return problem


def resolve_problem(*, actor, problem: Problem, resolution: str, resolved_on=None, source: str) -> Problem:
    ensure_project(actor, problem.project)
    errors: dict = {}
    if problem.status == ProblemStatus.RESOLVED:
        errors["status"] = "该问题已解决"
    text = _text({"resolution": resolution}, "resolution", errors, 2000, required=True)
    when = date(resolved_on or clock.today(), "resolved_on", errors)
    if when and when < problem.raised_on:
        errors["resolved_on"] = "不能早于提出日期"
    raise_errors(errors)
    with transaction.atomic():
        before = snapshot(problem)
        problem.status = ProblemStatus.RESOLVED
        problem.resolution = text
        problem.resolved_on = when
        problem.save()
        _log(actor, problem, before, source, problem.project.zone_id)
    return problem


def _zone_users(zone_id: int, *, leaders: bool):
    from jushi.accounts.choices import Department, Role

    wanted = Q(role=Role.ADMIN) | Q(role=Role.STAFF, department=Department.PROJECTS)
    if leaders:
        wanted |= Q(role=Role.LEADER)
    return (
        get_user_model()
        .objects.filter(wanted, is_active=True)
        .filter(Q(scope__all_zones=True) | Q(scope__zones=zone_id))
        .distinct()
    )


def _notify_escalation(problem: Problem, level: Escalation, late: int) -> None:
    """Tell the project office (and, for 领导督办, the leaders) about an overdue problem. Someone who may
    not see the project (a confidential one: DOMAIN §6) is told that a confidential project's problem is
    overdue, with no name, code, problem title or link: the notice and its e-mail leave the platform."""
    project = problem.project
    users = list(_zone_users(project.zone_id, leaders=level == Escalation.LEADER))
    # The same rule as every page: what visible_to() gives the recipient (a few users a zone).
    seeing = [u for u in users if Project.objects.visible_to(u).filter(pk=project.pk).exists()]
    blind = [u for u in users if u not in seeing]
    if seeing:
        notify(
            seeing,
            title=f"{level.label}:{project.name}「{problem.title}」逾期 {late} 天",
            body=f"责任人 {problem.owner} {problem.owner_unit},限期 {problem.due_on:%Y-%m-%d}。",
            link=reverse("projects:project_detail", args=[project.pk]) + "#problems",
        )
    if blind:
        notify(
            blind,
            title=f"{level.label}:1 个保密项目的问题已逾期 {late} 天",
            body="该项目为保密项目,名称和问题详情不在通知中显示;请向招商局或项目办了解。",
        )


def escalate_overdue(*, actor, today: dt.date | None = None, zone=None, source: str) -> list[Problem]:
    """Escalate every open problem past its due date: to the project office (部门督办) once overdue, to
    the zone's leaders (领导督办) after 14 days; the people concerned are notified once per step."""
    today = today or clock.today()
    rows = Problem.objects.overdue(today).select_related("project", "project__zone")
    if zone is not None:
        rows = rows.filter(project__zone=zone)
    escalated = []
    for problem in rows:
        late = (today - problem.due_on).days
        level = Escalation.LEADER if late > LEADER_AFTER_DAYS else Escalation.DEPARTMENT
        if problem.escalation >= level:
            continue
        with transaction.atomic():
            before = snapshot(problem)
            problem.escalation = level
            problem.escalated_on = today
            problem.save(update_fields=["escalation", "escalated_on"])
            _log(
                actor,
                problem,
                before,
                source,
                problem.project.zone_id,
                reason=f"逾期 {late} 天,{level.label}",
            )
        _notify_escalation(problem, level, late)
        escalated.append(problem)
    return escalated


def check_upload(upload, errors: dict, key: str = "file") -> tuple[str, int]:
    """An uploaded file's name and size after checking its type (extension and first bytes) and size;
    a problem goes into `errors[key]`. Shared by the files section and the funds form's evidence."""
    name = Path(getattr(upload, "name", "") or "").name
    suffix = Path(name).suffix.lower()
    limit = settings.JUSHI_ATTACHMENT_MAX_BYTES
    size = getattr(upload, "size", 0) or 0
    if suffix not in FILE_TYPES:
        errors[key] = f"不支持“{suffix or name}”文件;可上传 {'、'.join(sorted(FILE_TYPES))}"
    elif size == 0:
        errors[key] = "文件是空的"
    elif size > limit:
        errors[key] = f"文件 {size / 1048576:.1f} MB,超过上限 {limit / 1048576:.0f} MB"
    else:
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(magic) for magic in FILE_TYPES[suffix]):
            errors[key] = f"文件内容不是 {suffix} 格式"
    if len(name) > 200:
        errors[key] = "文件名不能超过 200 个字"
    return name, size


def store_attachment(*, actor, project: Project, kind: str, upload, name: str, size: int, source: str):
    """Save a checked upload as the project's attachment, logged; call inside the caller's transaction.
    The file is written to storage at once: a caller whose transaction fails afterwards removes it
    (`discard_file`)."""
    attachment = Attachment(project=project, kind=kind, name=name, size=size)
    attachment.uploaded_by = actor if getattr(actor, "pk", None) else None
    # Where the file will go (as FieldFile.save picks it), to remove what a failed write left there.
    storage, field = attachment.file.storage, attachment.file.field
    target = storage.get_available_name(
        field.generate_filename(attachment, name), max_length=field.max_length
    )
    try:
        attachment.file.save(name, upload, save=False)
    except OSError as exc:  # disk full, folder unwritable or not a folder: refused in words, nothing kept
        logger.error("attachment not stored (%s): %s", target, exc)
        try:
            storage.delete(target)  # a partly written file
        except OSError:
            pass
        raise ProjectError({"file": STORAGE_MESSAGE}) from None
    try:
        attachment.save()
        _log(actor, attachment, None, source, project.zone_id)
    except BaseException:
        discard_file(attachment)
        raise
    return attachment


def discard_file(attachment: Attachment | None) -> None:
    """Remove a stored file whose row was rolled back (storage is not transactional)."""
    if attachment is not None and attachment.file and attachment.file.name:
        attachment.file.storage.delete(attachment.file.name)


def add_attachment(*, actor, project: Project, kind: str, upload, source: str) -> Attachment:
    """Keep a file with the project after checking its type (extension and first bytes) and size."""
    ensure_project(actor, project)
    errors: dict = {}
    if kind not in AttachmentKind.values:
        errors["kind"] = f"应为 {'、'.join(str(c.label) for c in AttachmentKind)} 之一"
    name, size = check_upload(upload, errors)
    raise_errors(errors)
    with transaction.atomic():
        return store_attachment(
            actor=actor, project=project, kind=kind, upload=upload, name=name, size=size, source=source
        )


__all__ = [
    "ProjectError",
    "add_attachment",
    "add_milestone",
    "check_upload",
    "complete_milestone",
    "discard_file",
    "escalate_overdue",
    "raise_problem",
    "resolve_problem",
    "set_monthly_investment",
    "store_attachment",
]
