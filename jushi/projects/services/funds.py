"""Funds in place and contract changes. A project's cumulative funds never pass its agreed investment
unless a contract change raised it; contract changes count from their effective date."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from jushi.core import clock
from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction

from .. import ledger
from ..choices import AttachmentKind, Evidence, SourceRegion, StageCode
from ..models import Attachment, ContractChange, FundsRecord, Project, Stage
from .common import ProjectError, amount, as_id, date, ensure_project, raise_errors
from .schedule import check_upload, discard_file, store_attachment


def funds_closed(project: Project, signed: Stage | None = None) -> str:
    """Why funds in place cannot be recorded on the project now, in the user's words; "" when they can.
    The page shows it instead of the funds form, and `record_funds` refuses with it."""
    signed = signed or Stage.objects.get(code=StageCode.SIGNED)
    if project.stage.order < signed.order or project.signed_on is None:
        return f"项目签约后才能登记到位资金(当前阶段:{project.stage.name})"
    return ""


def contract_closed(project: Project) -> str:
    """Why a contract change cannot be recorded now; "" when it can (the rule `change_contract` checks)."""
    if project.signed_on is None:
        return f"项目签约后才能登记合同变更(当前阶段:{project.stage.name});签约前协议投资可直接在“编辑基本信息”中修改"
    return ""


def funds_total(project: Project) -> Decimal:
    """The sum of the project's funds records, counted afresh (Project.funds_in_place keeps it)."""
    return FundsRecord.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def agreed_on(project: Project, day: dt.date, changes: list[ContractChange] | None = None) -> Decimal | None:
    """The project's agreed investment as it stood on `day`: the current amount less the changes that
    take effect after `day` (see `ContractChange`)."""
    if project.agreed_investment is None:
        return None
    if changes is None:
        changes = list(ContractChange.objects.filter(project=project))
    return project.agreed_investment - sum((c.delta for c in changes if c.effective_on > day), Decimal(0))


def first_overrun(
    agreed: Decimal | None, funds: list[tuple[dt.date, Decimal]], changes: list[ContractChange]
) -> tuple[dt.date, Decimal, Decimal] | None:
    """The first day on which the cumulative funds (records dated up to that day) pass the agreed
    investment as it stood that day, as (day, funds, agreed); None when they never do.

    Why "as of each day" and not against today's amount: a period's figures are read as of its end, so a
    funds record must fit the contract that held on its own date. Funds dated before a supplementary
    agreement took effect cannot lean on it (the 2024H1 funds-in-place rate never passes 100% because of
    a change effective in July), and a change that lowers the amount may not undercut funds already in
    place from its effective date on. Checking the days on which funds arrive or a change takes effect is
    enough: between them neither side moves."""
    if agreed is None:
        return None
    days = sorted({d for d, _ in funds} | {c.effective_on for c in changes})
    for day in days:
        total = sum((a for d, a in funds if d <= day), Decimal(0))
        then = agreed - sum((c.delta for c in changes if c.effective_on > day), Decimal(0))
        if total > then:
            return day, total, then
    return None


def _attachment(project: Project, attachment, errors: dict, key: str = "attachment"):
    if attachment in (None, ""):
        return None
    if isinstance(attachment, Attachment):
        found = attachment
    else:  # an id out of a bigint's range or not a number is no attachment (not a database overflow)
        number = as_id(attachment)
        found = None if number is None else Attachment.objects.filter(pk=number).first()
    if found is None or found.project_id != project.pk:
        errors[key] = "附件不属于该项目"
        return None
    return found


def record_funds(
    *,
    actor,
    project: Project,
    on,
    amount_wan,
    evidence: str,
    source_region: str | None = None,
    attachment=None,
    note: str = "",
    source: str,
    confirm: bool = False,
    upload=None,
) -> FundsRecord:
    """Record an amount (万元) of funds in place on a date, with its evidence kind. The evidence is an
    attachment already on the project, or a file given as `upload`: checked as the files section checks
    it, and kept as the project's attachment (到位资金凭证) in the same transaction as the record."""
    ensure_project(actor, project)
    errors: dict = {}
    closed = funds_closed(project)
    if closed:
        errors["on"] = closed
    when = date(on, "on", errors, required=True)
    if when is not None and project.signed_on is not None and when < project.signed_on:
        errors["on"] = f"不能早于签约日期 {project.signed_on:%Y-%m-%d}"
    value = amount(amount_wan, "amount", errors, confirm=confirm, required=True, positive=True)
    if evidence not in Evidence.values:
        errors["evidence"] = f"应为 {'、'.join(str(c.label) for c in Evidence)} 之一"
    region = source_region or project.source_region
    if region not in SourceRegion.values:
        errors["source_region"] = f"应为 {'、'.join(str(c.label) for c in SourceRegion)} 之一"
    found = _attachment(project, attachment, errors)
    file_name, file_size = "", 0
    if upload is not None:
        if found is not None:
            errors["file"] = "已选了已上传的凭证附件;上传新文件与选择已有附件只能二选一"
        else:
            file_name, file_size = check_upload(upload, errors, "file")
    if len(note) > 300:
        errors["note"] = "不能超过 300 个字"
    raise_errors(errors)
    stored: list[Attachment] = []  # the evidence file written to storage, removed if the record fails
    try:
        with transaction.atomic():
            locked = Project.objects.select_for_update().get(pk=project.pk)  # one funds check at a time
            dated = list(FundsRecord.objects.filter(project=locked).values_list("on", "amount"))
            changes = list(ContractChange.objects.filter(project=locked))
            over = first_overrun(locked.agreed_investment, [*dated, (when, value)], changes)
            if over is not None:
                day, total, then = over
                raise ProjectError(
                    {
                        "amount": (
                            f"到 {day:%Y-%m-%d} 累计到位资金将达 {total:,.2f} 万元,超过当时的协议总投资 "
                            f"{then:,.2f} 万元;请先登记合同变更"
                        )
                    }
                )
            if upload is not None:
                found = store_attachment(
                    actor=actor,
                    project=locked,
                    kind=AttachmentKind.RECEIPT,
                    upload=upload,
                    name=file_name,
                    size=file_size,
                    source=source,
                )
                stored.append(found)
            funds = FundsRecord.objects.create(
                zone_id=locked.zone_id,
                park_id=locked.park_id,
                industry_id=locked.industry_id,
                project=locked,
                on=when,
                amount=value,
                evidence=evidence,
                source_region=region,
                attachment=found,
                note=note.strip(),
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            Project.objects.filter(pk=locked.pk).update(funds_in_place=F("funds_in_place") + value)
            record(
                actor=actor,
                action=ChangeAction.CREATE,
                obj=funds,
                before=None,
                after=snapshot(funds),
                source=source,
                zone_id=locked.zone_id,
            )
            ledger.refresh_later(locked.zone, [when])
    except BaseException:
        for attachment in stored:  # its row was rolled back; storage is not transactional
            discard_file(attachment)
        raise
    return funds


def delete_funds(*, actor, funds: FundsRecord, reason: str, source: str) -> None:
    """Remove a funds record entered by mistake; the reason and the record stay in the change log."""
    ensure_project(actor, funds.project)
    if not reason.strip():
        raise ProjectError({"reason": "删除到位资金须说明原因"})
    with transaction.atomic():
        before = snapshot(funds)
        zone, when = funds.project.zone, funds.on
        record(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=funds,
            before=before,
            after=None,
            source=source,
            reason=reason.strip(),
            zone_id=zone.pk,
        )
        Project.objects.filter(pk=funds.project_id).update(funds_in_place=F("funds_in_place") - funds.amount)
        funds.delete()
        ledger.refresh_later(zone, [when])


def change_contract(
    *,
    actor,
    project: Project,
    effective_on,
    new_investment,
    reason: str,
    attachment=None,
    source: str,
    confirm: bool = False,
) -> ContractChange:
    """Record a change of a signed contract's agreed investment (补充协议), effective from
    `effective_on`: not before the signing date, not after today. It counts in every figure read as of
    that day or later, and in none before, so a closed period keeps its figures. Recorded today (by the
    application clock); a change effective before one already recorded slots in before it."""
    ensure_project(actor, project)
    errors: dict = {}
    if project.signed_on is None:
        errors["effective_on"] = "项目尚未签约,直接修改协议投资即可"
    when = date(effective_on, "effective_on", errors, required=True)
    if when is not None and project.signed_on is not None and when < project.signed_on:
        errors["effective_on"] = f"生效日期不能早于签约日期 {project.signed_on:%Y-%m-%d}"
    value = amount(new_investment, "new_investment", errors, confirm=confirm, required=True, positive=True)
    if not reason.strip():
        errors["reason"] = "必填"
    elif len(reason) > 300:
        errors["reason"] = "不能超过 300 个字"
    found = _attachment(project, attachment, errors)
    raise_errors(errors)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        changes = list(ContractChange.objects.filter(project=locked).order_by("effective_on", "id"))
        before_it = [c for c in changes if c.effective_on <= when]
        after_it = [c for c in changes if c.effective_on > when]
        if before_it:
            old = before_it[-1].new_investment
        elif changes:
            old = changes[0].old_investment
        else:
            old = locked.agreed_investment
        if value == old:
            raise ProjectError({"new_investment": f"与 {when:%Y-%m-%d} 时的协议投资相同"})
        change = ContractChange(
            project=locked,
            on=clock.today(),
            effective_on=when,
            old_investment=old,
            new_investment=value,
            reason=reason.strip(),
            attachment=found,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        current = after_it[-1].new_investment if after_it else value
        # The chain with the new change in it: the first later change now starts from the new amount.
        rebased = [c for c in after_it[:1]]
        for c in rebased:
            c.old_investment = value
        agreed = current
        dated = list(FundsRecord.objects.filter(project=locked).values_list("on", "amount"))
        over = first_overrun(agreed, dated, [*before_it, change, *after_it])
        if over is not None:
            day, total, then = over
            raise ProjectError(
                {
                    "new_investment": (
                        f"不能低于已到位资金:到 {day:%Y-%m-%d} 已到位 {total:,.2f} 万元,"
                        f"变更后当时的协议投资只有 {then:,.2f} 万元"
                    )
                }
            )
        change.save()
        for c in rebased:
            c.save(update_fields=["old_investment"])
        before = snapshot(locked)
        locked.agreed_investment = current
        if locked.fixed_asset_investment is not None and locked.fixed_asset_investment > current:
            locked.fixed_asset_investment = current
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        record(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=change,
            before=None,
            after=snapshot(change),
            source=source,
            reason=reason.strip(),
            zone_id=locked.zone_id,
        )
        record(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=locked,
            before=before,
            after=snapshot(locked),
            source=source,
            reason=f"合同变更(自 {when:%Y-%m-%d} 起):{reason.strip()}",
            zone_id=locked.zone_id,
        )
        # Only periods ending on or after the effective date move: a closed period keeps its figures.
        moved = [max(d, when) for d in (locked.signed_on, locked.started_on) if d]
        ledger.refresh_later(locked.zone, moved)
    return change
