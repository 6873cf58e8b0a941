"""Leads and projects: create, edit, move through the stages, and catch the same signing twice."""

import datetime as dt
from difflib import SequenceMatcher

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum

from jushi.core import clock
from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction
from jushi.lib import uscc
from jushi.registry.models import Industry, Park, Zone

from .. import ledger
from ..choices import DuplicateStatus, SourceRegion, StageCode
from ..models import Event, Investor, Project, Stage, StageChange
from ..models.pipeline import normalize_name
from ..querysets import sees_confidential
from .common import (
    ProjectError,
    StaleProject,
    amount,
    as_id,
    date,
    ensure,
    ensure_project,
    raise_errors,
)

AMOUNT_FIELDS = ("agreed_investment", "fixed_asset_investment", "expected_output", "expected_tax")
TEXT_FIELDS = {"name": 120, "parcel": 50, "contract_no": 50, "official": 50, "unit": 100, "note": 2000}
EDITABLE = (
    "name",
    "source_region",
    "industry",
    "park",
    *AMOUNT_FIELDS,
    "land_mu",
    "parcel",
    "contract_no",
    "event",
    "official",
    "unit",
    "confidential",
    "planned_start_on",
    "note",
)
SIMILAR = 0.6  # SequenceMatcher ratio of normalized project names counted as "the same project"
SHARED_PHRASE = 3  # …or a phrase of this many characters in common


def _investor(data: dict, errors: dict) -> Investor | None:
    name = str(data.get("investor_name") or "").strip()
    region = str(data.get("investor_region") or "").strip()
    if len(region) > 50:  # checked even when the investor is found: a value too long is never let by
        errors["investor_region"] = "不能超过 50 个字"
        return None
    code = uscc.normalize(str(data.get("credit_code") or "")) if data.get("credit_code") else ""
    if code:
        try:
            uscc.validate(code)
        except ValueError as exc:
            errors["credit_code"] = str(exc)
            return None
        found = Investor.objects.filter(credit_code=code).first()
        if found is not None:
            return found
    if not name:
        errors["investor_name"] = "必填"
        return None
    if len(name) > 100:
        errors["investor_name"] = "不能超过 100 个字"
        return None
    if not code:
        found = Investor.objects.filter(
            normalized_name=normalize_name(name), credit_code__isnull=True
        ).first()
        if found is not None:
            return found
    return Investor(name=name, credit_code=code or None, region=region)


def _clean(zone: Zone, data: dict, errors: dict, *, confirm: bool, creating: bool) -> dict:
    """The editable fields present in `data`, validated; errors name each field."""
    out: dict = {}
    for key in EDITABLE:
        if key not in data and not (creating and key == "name"):
            continue
        value = data.get(key)
        if key in TEXT_FIELDS:
            text = str(value or "").strip()
            if key == "name" and not text:
                errors[key] = "必填"
            elif len(text) > TEXT_FIELDS[key]:
                errors[key] = f"不能超过 {TEXT_FIELDS[key]} 个字"
            out[key] = text
        elif key in AMOUNT_FIELDS:
            out[key] = amount(value, key, errors, confirm=confirm)
        elif key == "land_mu":
            out[key] = amount(value, key, errors, confirm=True, unit="亩")
            if out[key] is not None and out[key] > 100000:
                errors[key] = "超过 10 万亩,请核对单位(亩)"
        elif key == "source_region":
            if value not in SourceRegion.values:
                errors[key] = f"应为 {'、'.join(str(c.label) for c in SourceRegion)} 之一"
            out[key] = value
        elif key == "industry":
            if value in (None, ""):
                out[key] = None
            else:
                code = getattr(value, "code", value)
                out[key] = Industry.objects.filter(code=str(code).strip()).first()
                if out[key] is None:
                    errors[key] = f"未知的行业代码“{code}”"
        elif key == "park":
            if value in (None, ""):
                out[key] = None
            else:
                code = getattr(value, "code", value)
                out[key] = Park.objects.filter(zone=zone, code=str(code).strip()).first()
                if out[key] is None:
                    errors[key] = f"本开发区没有功能区“{code}”"
        elif key == "event":
            if value in (None, ""):
                out[key] = None
            else:
                found = value if isinstance(value, Event) else None
                if found is None:
                    # by id when it reads as one, else by name; an id out of range matches nothing
                    number = as_id(value)
                    by = Q(pk=number) if number is not None else Q(name=str(value).strip())
                    found = Event.objects.filter(zone=zone).filter(by).first()
                if found is None or found.zone_id != zone.pk:
                    errors[key] = f"本开发区没有签约活动“{value}”"
                out[key] = found
        elif key == "confidential":
            out[key] = value in (True, "1", "true", "True", "on", "是")
        elif key == "planned_start_on":
            out[key] = date(value, key, errors, not_after_today=False)
    fixed, total = out.get("fixed_asset_investment"), out.get("agreed_investment")
    if fixed is not None and total is not None and fixed > total:
        errors["fixed_asset_investment"] = "不能大于协议总投资"
    return out


CODE_DIGITS = 8  # a longer number in a legacy code is not one of the sequence's (the code has 20 characters)


def _code_number(code: str, prefix: str) -> int | None:
    """The number of a code of the form P2024-0914 (or P2024-913): None for other legacy forms."""
    tail = code[len(prefix) :] if code.startswith(prefix) else ""
    return int(tail) if tail.isascii() and tail.isdigit() and len(tail) <= CODE_DIGITS else None


def _number_taken(zone: Zone, prefix: str, number: int) -> bool:
    """Whether a code of the zone already says `number`, with however many leading zeros."""
    codes = Project.objects.filter(zone=zone, code__startswith=prefix, code__endswith=str(number))
    return any(_code_number(c, prefix) == number for c in codes.values_list("code", flat=True))


def _may_mark_confidential(actor, cleaned: dict, errors: dict) -> None:
    """Only those who may see confidential projects mark one: anyone else would lose it from sight."""
    if cleaned.get("confidential") and not sees_confidential(actor):
        errors["confidential"] = "只有管理员、招商局和项目办可以将项目设为保密"


def _next_code(zone: Zone, year: int) -> str:
    """The next code of the zone's year from its sequence row, locked until the caller's transaction
    ends; a number some imported or legacy code already uses is skipped. The row starts after the
    highest number in use, compared as numbers (as text, P2024-913 outranks P2024-0914)."""
    from ..models import ProjectCodeSequence

    prefix = f"P{year}-"
    if not ProjectCodeSequence.objects.filter(zone=zone, year=year).exists():
        codes = Project.objects.filter(zone=zone, code__startswith=prefix).values_list("code", flat=True)
        highest = max((n for n in (_code_number(c, prefix) for c in codes) if n is not None), default=0)
        try:
            with transaction.atomic():
                ProjectCodeSequence.objects.create(zone=zone, year=year, last=highest)
        except IntegrityError:  # another request created it first: use theirs
            pass
    sequence = ProjectCodeSequence.objects.select_for_update().get(zone=zone, year=year)
    number = sequence.last + 1
    while _number_taken(zone, prefix, number):
        number += 1
    sequence.last = number
    sequence.save(update_fields=["last"])
    return f"{prefix}{number:04d}"


def _when(project: Project) -> dt.date:
    return project.signed_on or project.lead_on


def _own_words(project_name: str, investor_name: str) -> str:
    """A project's name without its investor's name in it ("中天智控无人机" → "无人机"), so that two
    names of one project compare by what the project is."""
    if investor_name and len(project_name) > len(investor_name) and investor_name in project_name:
        return project_name.replace(investor_name, "")
    return project_name


def _similar(a: str, b: str) -> bool:
    """Two project names of one investor name the same project: one contains the other, they are
    mostly alike, or they share a phrase of three characters or more (无人机, 锂电池…). Staff confirm or
    merge what is flagged, so the guard leans to flagging."""
    if a in b or b in a:
        return True
    matcher = SequenceMatcher(None, a, b)
    if matcher.ratio() >= SIMILAR:
        return True
    return matcher.find_longest_match(0, len(a), 0, len(b)).size >= SHARED_PHRASE


def find_duplicates(project: Project, *, window_days: int | None = None) -> list[Project]:
    """Earlier projects of the same zone that look like this one: the same investor (credit code, or
    normalized name) and a similar project name, dated within the window. Merged ones are left out."""
    window = settings.JUSHI_DUPLICATE_WINDOW_DAYS if window_days is None else window_days
    investor = project.investor
    same_investor = Q(investor_id=investor.pk) if investor.pk else Q(pk__in=[])
    if investor.credit_code:
        same_investor |= Q(investor__credit_code=investor.credit_code)
    if investor.normalized_name:
        same_investor |= Q(investor__normalized_name=investor.normalized_name)
    when = _when(project)
    low, high = when - dt.timedelta(days=window), when + dt.timedelta(days=window)
    candidates = (
        Project.objects.filter(zone_id=project.zone_id)
        .filter(same_investor)
        .exclude(duplicate_status=DuplicateStatus.MERGED)
        .exclude(pk=project.pk)
        .filter(Q(signed_on__range=(low, high)) | Q(signed_on__isnull=True, lead_on__range=(low, high)))
        .select_related("investor", "stage")
    )
    name = _own_words(project.normalized_name or normalize_name(project.name), investor.normalized_name)
    found = []
    for other in candidates:
        theirs = _own_words(other.normalized_name, other.investor.normalized_name)
        if not name or not theirs:
            continue
        if _similar(name, theirs):
            found.append(other)
    return sorted(found, key=lambda p: (p.signed_on or p.lead_on, p.pk))


def _flag(project: Project) -> Project | None:
    """Mark a project a suspected duplicate of the earliest look-alike; it is not counted until staff
    confirm it new. A project staff already confirmed stays confirmed."""
    if project.duplicate_status in (DuplicateStatus.CONFIRMED, DuplicateStatus.MERGED):
        return None
    found = find_duplicates(project)
    if not found:
        return None
    project.duplicate_status = DuplicateStatus.FLAGGED
    project.duplicate_of = found[0]
    return found[0]


def create_project(
    *, actor, zone: Zone, data: dict, source: str, confirm: bool = False, batch: str = ""
) -> Project:
    """A new lead (stage 线索). The investor is found by credit code or name, or created."""
    ensure(actor, zone, "add")
    errors: dict = {}
    investor = _investor(data, errors)
    cleaned = _clean(zone, data, errors, confirm=confirm, creating=True)
    _may_mark_confidential(actor, cleaned, errors)
    lead_on = date(data.get("lead_on") or clock.today(), "lead_on", errors)
    raise_errors(errors)
    with transaction.atomic():
        if investor.pk is None:
            investor.save()
        project = Project(
            zone=zone,
            investor=investor,
            stage=Stage.objects.get(code=StageCode.LEAD),
            stage_entered_on=lead_on,
            lead_on=lead_on,
            created_by=actor if getattr(actor, "pk", None) else None,
            **cleaned,
        )
        project.code = _next_code(zone, lead_on.year)
        _flag(project)
        project.save()
        StageChange.objects.create(
            project=project,
            to_stage=project.stage,
            on=lead_on,
            actor=project.created_by,
            actor_name=getattr(actor, "username", ""),
            note="登记线索",
        )
        record(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=project,
            before=None,
            after=snapshot(project),
            source=source,
            zone_id=zone.pk,
            batch=batch,
        )
    return project


def update_project(
    *, actor, project: Project, data: dict, source: str, confirm: bool = False, batch: str = ""
) -> Project:
    """Edit a project's particulars. A signed project's agreed investment changes only through a
    recorded contract change (`change_contract`)."""
    ensure_project(actor, project)
    errors: dict = {}
    cleaned = _clean(project.zone, data, errors, confirm=confirm, creating=False)
    _may_mark_confidential(actor, cleaned, errors)
    if "investor_name" in data or "credit_code" in data:
        investor = _investor(data, errors)
        if investor is not None:
            cleaned["investor"] = investor
    if (
        "agreed_investment" in cleaned
        and project.signed_on is not None
        and cleaned["agreed_investment"] != project.agreed_investment
    ):
        errors["agreed_investment"] = "已签约项目的协议投资须通过“合同变更”修改"
    raise_errors(errors)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        before = snapshot(project)
        if "investor" in cleaned and cleaned["investor"].pk is None:
            cleaned["investor"].save()
        for key, value in cleaned.items():
            setattr(project, key, value)
        project.version = F("version") + 1
        project.save()
        project.refresh_from_db()
        moved = _funds_follow(project)
        record(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=project,
            before=before,
            after=snapshot(project),
            source=source,
            zone_id=project.zone_id,
            batch=batch,
        )
        ledger.refresh_later(project.zone, [project.signed_on, project.started_on, *moved])
    return project


def _funds_follow(project: Project) -> list[dt.date]:
    """Keep the project's funds records on its functional area and industry; returns the dates of the
    records that moved (their periods' breakdowns change)."""
    from ..models import FundsRecord

    stale = FundsRecord.objects.filter(project=project).exclude(
        park_id=project.park_id, industry_id=project.industry_id
    )
    if project.park_id is None or project.industry_id is None:
        stale = FundsRecord.objects.filter(project=project)
    dates = list(stale.values_list("on", flat=True).distinct())
    stale.update(park_id=project.park_id, industry_id=project.industry_id)
    return dates


def _stage_requirements(stage: Stage, values: dict, errors: dict, *, skipped: bool) -> None:
    """Every field the stage requires must have a value (in the project or in what was given)."""
    for key in stage.required_fields:
        if values.get(key) in (None, ""):
            where = f"跳过的“{stage.name}”阶段" if skipped else f"进入“{stage.name}”"
            errors.setdefault(key, f"{where}须填写")


def advance_stage(
    *,
    actor,
    project: Project,
    to_stage: str,
    data: dict | None = None,
    version: int | None = None,
    source: str,
    confirm: bool = False,
    note: str = "",
    batch: str = "",
) -> Project:
    """Move a project to another stage. Forward, every stage entered (skipped ones too) must have its
    required fields and date, dates in order; back, a reason is required and the dates of the stages
    left are cleared (the change log keeps them). `version` is what the user saw: if someone moved the
    project since, the move is refused and the user told who did what."""
    ensure_project(actor, project)
    seen = project.version if version is None else int(version)
    project = Project.objects.select_related("stage", "zone").get(pk=project.pk)  # what is stored now
    data = dict(data or {})
    errors: dict = {}
    stages = list(Stage.objects.all())
    by_code = {s.code: s for s in stages}
    target = by_code.get(to_stage)
    current = by_code[project.stage.code]
    if target is None:
        raise ProjectError({"to_stage": f"未知的阶段“{to_stage}”"})
    if seen != project.version:
        raise _stale(project)
    if target.order == current.order:
        raise ProjectError({"to_stage": f"项目已处于“{current.name}”阶段"})
    cleaned = _clean(
        project.zone,
        {k: v for k, v in data.items() if k in EDITABLE},
        errors,
        confirm=confirm,
        creating=False,
    )
    forward = target.order > current.order
    passed = [s for s in stages if current.order < s.order <= target.order] if forward else []
    dates: dict[str, dt.date | None] = {}
    for stage in passed:
        key = stage.date_field
        dates[key] = date(data.get(key) or getattr(project, key), key, errors)
    values = {f.name: getattr(project, f.name) for f in Project._meta.concrete_fields}
    values.update(cleaned)
    values.update(dates)
    for stage in passed:  # the stage's own date, then what the stage table asks for
        key = stage.date_field
        if dates.get(key) is None and key not in errors:
            errors[key] = (
                f"进入“{stage.name}”须填写" if stage is target else f"跳过的“{stage.name}”阶段须填写"
            )
        _stage_requirements(stage, values, errors, skipped=stage is not target)
    previous = project.stage_entered_on
    for stage in passed:  # each stage's date on or after the one before
        when = dates.get(stage.date_field)
        if when is not None and previous is not None and when < previous:
            errors.setdefault(stage.date_field, f"不能早于上一阶段日期 {previous:%Y-%m-%d}")
        previous = when or previous
    if not forward and not note.strip():
        errors["reason"] = "退回上一阶段须说明原因"
    elif len(note.strip()) > 300:
        errors["reason"] = "不能超过 300 个字"
    if project.duplicate_status == DuplicateStatus.MERGED:
        errors["to_stage"] = "该项目已合并到其他项目,不能再移动"
    raise_errors(errors)
    today = clock.today()
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.version != project.version or locked.stage_id != project.stage_id:
            raise _stale(locked)
        before = snapshot(locked, {"stage_name": locked.stage.name})
        left_dates = []
        for key, value in cleaned.items():
            setattr(locked, key, value)
        if forward:
            for key, value in dates.items():
                setattr(locked, key, value)
            entered = dates[target.date_field]
        else:  # back: the stages left lose their dates
            for stage in stages:
                if stage.order > target.order and getattr(locked, stage.date_field, None):
                    left_dates.append(getattr(locked, stage.date_field))
                    setattr(locked, stage.date_field, None)
            entered = today
        locked.stage = target
        locked.stage_entered_on = entered
        if forward and target.order >= by_code[StageCode.SIGNED].order and locked.signed_on:
            _flag(locked)
        updated = Project.objects.filter(pk=locked.pk, version=project.version).update(
            version=F("version") + 1
        )
        if not updated:
            raise _stale(locked)
        locked.version = project.version + 1
        locked.save()
        open_change = locked.stage_changes.filter(days__isnull=True).order_by("-on", "-id").first()
        if open_change is not None:  # the stage being left: how long the project stayed
            left_on = dates[passed[0].date_field] if forward else today
            open_change.days = max((left_on - open_change.on).days, 0)
            open_change.save(update_fields=["days"])
        StageChange.objects.bulk_create(
            [
                StageChange(
                    project=locked,
                    from_stage=current if i == 0 else passed[i - 1],
                    to_stage=stage,
                    on=dates[stage.date_field],
                    actor=actor if getattr(actor, "pk", None) else None,
                    actor_name=getattr(actor, "username", ""),
                    note=note.strip()[:300] if stage is target else "跳过阶段时补录",
                    days=None
                    if stage is target
                    else (dates[passed[i + 1].date_field] - dates[stage.date_field]).days,
                )
                for i, stage in enumerate(passed)
            ]
            if forward
            else [
                StageChange(
                    project=locked,
                    from_stage=current,
                    to_stage=target,
                    on=today,
                    actor=actor if getattr(actor, "pk", None) else None,
                    actor_name=getattr(actor, "username", ""),
                    note=note.strip()[:300],
                )
            ]
        )
        record(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=locked,
            before=before,
            after=snapshot(locked, {"stage_name": target.name}),
            source=source,
            reason=note.strip(),
            zone_id=locked.zone_id,
            batch=batch,
        )
        moved = _funds_follow(locked) if {"park", "industry"} & cleaned.keys() else []
        ledger.refresh_later(locked.zone, [*dates.values(), *left_dates, *moved])
    return locked


def _stale(project: Project) -> StaleProject:
    fresh = Project.objects.select_related("stage").get(pk=project.pk)
    last = fresh.stage_changes.order_by("-created", "-id").first()
    who = f",操作人 {last.actor_name}" if last and last.actor_name else ""
    return StaleProject(
        {"version": f"该项目刚被他人修改(现处于“{fresh.stage.name}”阶段{who}),请刷新后再操作"}
    )


def resolve_duplicate(*, actor, project: Project, decision: str, source: str, reason: str = "") -> Project:
    """Staff decide about a flagged project: "new" (a different project: counted from now on) or
    "merge" (the same project: its funds, schedule and files move to the original, it is no longer
    counted, and the original keeps the earlier signing)."""
    ensure_project(actor, project)
    refusal = duplicate_refusal(actor, project)
    if refusal:
        raise ProjectError({"decision": refusal})
    if decision not in ("new", "merge"):
        raise ProjectError({"decision": "应为 new(确认为新项目)或 merge(合并)"})
    from ..models import Attachment, FundsRecord, Milestone, MonthlyInvestment, Problem

    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        before = snapshot(project)
        original = project.duplicate_of
        if decision == "new":
            project.duplicate_status = DuplicateStatus.CONFIRMED
        else:
            moved = list(FundsRecord.objects.filter(project=project).values_list("on", flat=True))
            Project.objects.filter(pk=original.pk).update(
                funds_in_place=F("funds_in_place") + project.funds_in_place
            )
            project.funds_in_place = 0
            # Contract changes stay with the duplicate: they change *its* agreed investment, and moved to
            # the original they would rewrite the original's amount as of their effective dates.
            for model in (FundsRecord, Milestone, Problem, Attachment):
                model.objects.filter(project=project).update(project=original)
            _funds_follow(original)
            taken = set(original.monthly.values_list("month", flat=True))
            MonthlyInvestment.objects.filter(project=project).exclude(month__in=taken).update(
                project=original
            )
            project.duplicate_status = DuplicateStatus.MERGED
        project.version = F("version") + 1
        project.save()
        project.refresh_from_db()
        record(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=project,
            before=before,
            after=snapshot(project),
            source=source,
            reason=reason or _merge_reason(decision, original, project),
            zone_id=project.zone_id,
        )
        ledger.refresh_later(
            project.zone, [project.signed_on, project.started_on, *(moved if decision == "merge" else [])]
        )
    return project


def duplicate_refusal(actor, project: Project) -> str:
    """Why `actor` cannot decide about the project's suspected duplicate now; "" when they can."""
    if project.duplicate_status != DuplicateStatus.FLAGGED or project.duplicate_of_id is None:
        return "该项目没有待确认的疑似重复"
    if not Project.objects.visible_to(actor).filter(pk=project.duplicate_of_id).exists():
        # Deciding needs both projects in sight; a merge would also move funds into a hidden project.
        return "疑似重复的原项目是保密项目,您无权查看,请由招商局、项目办或管理员确认"
    return ""


def duplicate_outcome(project: Project, decision: str) -> list[str]:
    """What `resolve_duplicate` would change, in sentences for the confirmation page: what stays, what
    moves to the original (counted from the rows as they are now) and what is counted afterwards."""
    from ..models import Attachment, ContractChange, FundsRecord, Milestone, MonthlyInvestment, Problem

    original = project.duplicate_of
    this = f"本项目 {project.code} {project.name}"
    that = f"原项目 {original.code} {original.name}"
    if decision == "new":
        signed = f"(签约日期 {project.signed_on:%Y-%m-%d})" if project.signed_on else "(签约后)"
        return [
            f"{this}确认为新项目,不再标为疑似重复,计入签约统计{signed}。",
            f"{that}不变;两个项目的到位资金、里程碑、问题和附件都各自保留。",
        ]
    funds = FundsRecord.objects.filter(project=project).aggregate(n=Count("id"), s=Sum("amount"))
    counts = {
        "里程碑": Milestone.objects.filter(project=project).count(),
        "问题": Problem.objects.filter(project=project).count(),
        "附件": Attachment.objects.filter(project=project).count(),
    }
    taken = set(original.monthly.values_list("month", flat=True))
    months = list(MonthlyInvestment.objects.filter(project=project).values_list("month", flat=True))
    moving = [m for m in months if m not in taken]
    staying = [m for m in months if m in taken]
    out = [f"{this}标为“已合并”,不再计入签约统计,也不能再调整阶段;{that}保留自己的签约日期和基本信息。"]
    if funds["n"]:
        out.append(
            f"本项目的 {funds['n']} 笔到位资金(合计 {funds['s']:,.2f} 万元)移到{that},"
            "计入原项目的累计到位资金,按原项目的功能区和行业统计。"
        )
    else:
        out.append("本项目没有到位资金记录,不移动资金。")
    moved = "、".join(f"{n} 个{k}" for k, n in counts.items() if n)
    out.append(f"{moved}移到原项目。" if moved else "本项目没有里程碑、问题或附件要移动。")
    if moving:
        out.append(f"月度投资 {'、'.join(moving)} 移到原项目。")
    if staying:
        out.append(f"月度投资 {'、'.join(staying)} 原项目已有,留在本项目。")
    if ContractChange.objects.filter(project=project).exists():
        out.append("本项目的合同变更留在本项目(它们只改本项目的协议投资)。")
    return out


def _merge_reason(decision: str, original: Project, project: Project) -> str:
    """The change log's reason for a duplicate decision. The duplicate's history shows it on the
    duplicate's page, so a confidential original (that page's readers may not see) is not named there;
    the entry's `duplicate_of` still records which project it was."""
    if decision == "new":
        return "确认为新项目"
    if original.confidential and not project.confidential:
        return "合并到原项目(保密项目)"
    return f"合并到 {original.code} {original.name}"


def create_event(*, actor, zone: Zone, data: dict, source: str) -> Event:
    ensure(actor, zone, "add")
    errors: dict = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = "必填"
    elif len(name) > 100:
        errors["name"] = "不能超过 100 个字"
    elif Event.objects.filter(zone=zone, name=name).exists():
        errors["name"] = "已有同名的签约活动"
    held_on = date(data.get("held_on"), "held_on", errors, required=True, not_after_today=False)
    place, note = (str(data.get(key) or "").strip() for key in ("place", "note"))
    if len(place) > 100:
        errors["place"] = "不能超过 100 个字"
    if len(note) > 300:
        errors["note"] = "不能超过 300 个字"
    raise_errors(errors)
    with transaction.atomic():
        event = Event.objects.create(
            zone=zone,
            name=name,
            held_on=held_on,
            place=place,
            note=note,
        )
        record(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=event,
            before=None,
            after=snapshot(event),
            source=source,
            zone_id=zone.pk,
        )
    return event
