"""What the ledger's services share: errors that name their field, amount and date checks, the
permission check."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied

from jushi.core import clock
from jushi.core.scopes import can
from jushi.registry.models import Zone

from ..choices import CONFIRM_ABOVE, MAX_AMOUNT
from ..models import Project


class ProjectError(ValueError):
    """Bad input for the ledger; `errors` maps field → message, and the message names the field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{label(k)}: {v}" for k, v in errors.items()))


class NeedsConfirmation(ProjectError):
    """An amount so large (over 1,000 亿元) that it is more likely a unit slip: saved only when the
    caller confirms it."""


class StaleProject(ProjectError):
    """Someone else moved the project since this user loaded it: one move wins, the other is told."""


LABELS = {
    "investor_name": "投资方",
    "investor_region": "投资方所在地区",
    "credit_code": "统一社会信用代码",
    "to_stage": "目标阶段",
    "version": "版本",
    "amount": "金额(万元)",
    "on": "日期",
    "effective_on": "生效日期",
    "evidence": "凭证类型",
    "new_investment": "新协议投资(万元)",
    "reason": "原因",
    "file": "文件",
    "month": "月份",
    "planned": "计划投资(万元)",
    "actual": "实际投资(万元)",
    "decision": "处理方式",
    "confirm": "确认",
    "held_on": "举办日期",
    "place": "地点",
}


def label(key: str) -> str:
    """A field's name as the user knows it."""
    if key in LABELS:
        return LABELS[key]
    from django.core.exceptions import FieldDoesNotExist

    from ..models import FundsRecord, Milestone, Problem

    for model in (Project, FundsRecord, Problem, Milestone):
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            continue
    return key


CENT = Decimal("0.01")  # the smallest unit every amount field stores (decimal_places=2)
FIRST_YEAR, LAST_YEAR = 1900, 2100  # a date from outside beyond these is a typing slip
MAX_ID = 2**63 - 1  # a bigint primary key


def as_id(value) -> int | None:
    """A row id given as text or a number: a positive integer a bigint holds, else None (so a lookup
    never overflows the database or trips on "²", which str.isdigit() accepts and int() refuses)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


def amount(
    value,
    key: str,
    errors: dict,
    *,
    confirm: bool = False,
    required: bool = False,
    positive=False,
    unit: str = "万元",
):
    """An amount in 万元: a number, not negative, not absurd, in whole cents (never rounded: 0.001 would
    be stored as 0); above 1,000 亿元 only when confirmed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[key] = "必填"
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        errors[key] = f"“{str(value)[:20]}”不是数字"
        return None
    if not number.is_finite():
        errors[key] = "不是有效数字"
        return None
    if number < 0:
        errors[key] = "不能为负数"
        return None
    if positive and number == 0:
        errors[key] = "必须大于 0"
        return None
    if number >= MAX_AMOUNT:
        shown = f"{number:,.0f}" if number.adjusted() < 20 else str(value).strip()[:20]  # not 5,000 digits
        errors[key] = f"{shown} {unit}超出合理范围(单位是{unit})"
        return None
    if number != number.quantize(CENT):
        errors[key] = f"“{str(value).strip()[:20]}”的小数位过多:最小单位为 0.01 {unit}"
        return None
    if number > CONFIRM_ABOVE and not confirm:
        errors.setdefault(
            "confirm", f"{label(key)} {number / 10000:,.2f} 亿元超过 1000 亿元,请核对单位(万元)后确认"
        )
    return number.quantize(CENT)


def date(value, key: str, errors: dict, *, required: bool = False, not_after_today: bool = True):
    if value in (None, ""):
        if required:
            errors[key] = "必填"
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            errors[key] = f"“{str(value)[:20]}”不是日期(格式 2024-06-30)"
            return None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        errors[key] = f"{value:%Y-%m-%d} 不在 {FIRST_YEAR}–{LAST_YEAR} 年之间,请核对"
        return None
    if not_after_today and value > clock.today():
        errors[key] = "不能晚于今天"
        return None
    return value


def raise_errors(errors: dict) -> None:
    if not errors:
        return
    if set(errors) == {"confirm"}:
        raise NeedsConfirmation(errors)
    raise ProjectError(errors)


def ensure(actor, zone: Zone, action: str = "change") -> None:
    if not can(actor, action) or not Zone.objects.restrict(actor, action).filter(pk=zone.pk).exists():
        raise PermissionDenied("无权修改该开发区的项目台账")


def ensure_project(actor, project: Project, action: str = "change") -> None:
    ensure(actor, project.zone, action)
    if not Project.objects.restrict(actor, action).filter(pk=project.pk).exists():
        raise PermissionDenied("无权修改该项目")
