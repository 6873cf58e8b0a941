"""Funds in place and contract changes. A project's cumulative funds never pass its agreed investment
unless a contract change raised it."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from jushi.core.changelog import record, snapshot
from jushi.core.choices import ChangeAction

from .. import ledger
from ..choices import Evidence, SourceRegion, StageCode
from ..models import Attachment, ContractChange, FundsRecord, Project, Stage
from .common import ProjectError, amount, date, ensure_project, raise_errors


def funds_total(project: Project) -> Decimal:
    """The sum of the project's funds records, counted afresh (Project.funds_in_place keeps it)."""
    return FundsRecord.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def _attachment(project: Project, attachment, errors: dict, key: str = "attachment"):
    if attachment in (None, ""):
        return None
    found = (
        attachment if isinstance(attachment, Attachment) else Attachment.objects.filter(pk=attachment).first()
    )
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
) -> FundsRecord:
    """Record an amount (万元) of funds in place on a date, with its evidence kind."""
    ensure_project(actor, project)
    errors: dict = {}
    signed = Stage.objects.get(code=StageCode.SIGNED)
    if project.stage.order < signed.order or project.signed_on is None:
        errors["on"] = "项目签约后才能登记到位资金"
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
    if len(note) > 300:
        errors["note"] = "不能超过 300 个字"
    raise_errors(errors)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)  # one funds check at a time
        so_far = locked.funds_in_place
        if locked.agreed_investment is not None and so_far + value > locked.agreed_investment:
            raise ProjectError(
                {
                    "amount": (
                        f"累计到位资金将达 {so_far + value:,.2f} 万元,超过协议总投资 "
                        f"{locked.agreed_investment:,.2f} 万元;请先登记合同变更"
                    )
                }
            )
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
    on,
    new_investment,
    reason: str,
    attachment=None,
    source: str,
    confirm: bool = False,
) -> ContractChange:
    """Record a change of a signed contract's agreed investment (补充协议), and apply it."""
    ensure_project(actor, project)
    errors: dict = {}
    if project.signed_on is None:
        errors["on"] = "项目尚未签约,直接修改协议投资即可"
    when = date(on, "on", errors, required=True)
    value = amount(new_investment, "new_investment", errors, confirm=confirm, required=True, positive=True)
    if not reason.strip():
        errors["reason"] = "必填"
    elif len(reason) > 300:
        errors["reason"] = "不能超过 300 个字"
    found = _attachment(project, attachment, errors)
    if value is not None and value == project.agreed_investment:
        errors["new_investment"] = "与现协议投资相同"
    raise_errors(errors)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        so_far = locked.funds_in_place
        if value < so_far:
            raise ProjectError({"new_investment": f"不能低于已到位资金 {so_far:,.2f} 万元"})
        before = snapshot(locked)
        change = ContractChange.objects.create(
            project=locked,
            on=when,
            old_investment=locked.agreed_investment,
            new_investment=value,
            reason=reason.strip(),
            attachment=found,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        locked.agreed_investment = value
        if locked.fixed_asset_investment is not None and locked.fixed_asset_investment > value:
            locked.fixed_asset_investment = value
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        record(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=locked,
            before=before,
            after=snapshot(locked),
            source=source,
            reason=f"合同变更:{reason.strip()}",
            zone_id=locked.zone_id,
        )
        ledger.refresh_later(locked.zone, [locked.signed_on, locked.started_on])
    return change
