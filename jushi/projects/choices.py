"""Choices of the project ledger, and the stage rules the services check.

The stages themselves (order, time limit, forecast probability, the fields a project needs to enter
one) are data in `Stage`, installed by migration 0002 and editable by an administrator; the codes
below are the ones the services and the LEDGER indicators rely on.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class StageCode(models.TextChoices):
    LEAD = "lead", _("线索")
    TALKS = "talks", _("在谈")
    SIGNED = "signed", _("签约")
    LAND = "land", _("供地")
    STARTED = "started", _("开工")
    PRODUCING = "producing", _("投产")
    FULL = "full", _("达产")


# The date field a project records when it enters each stage (the lead's own date is `lead_on`).
STAGE_DATE_FIELD = {
    StageCode.LEAD: "lead_on",
    StageCode.TALKS: "talks_on",
    StageCode.SIGNED: "signed_on",
    StageCode.LAND: "land_on",
    StageCode.STARTED: "started_on",
    StageCode.PRODUCING: "produced_on",
    StageCode.FULL: "full_on",
}


class SourceRegion(models.TextChoices):
    ABROAD = "abroad", _("境外")
    OUT_PROVINCE = "province", _("省外(区外)")
    OUT_CITY = "city", _("市外")
    LOCAL = "local", _("本地")


OUTSIDE = (SourceRegion.ABROAD, SourceRegion.OUT_PROVINCE)  # 区外/省外到位资金 (INV_FUND_OUT)


class Evidence(models.TextChoices):
    """How a yuan of funds in place is proven, strongest first. The grade letter is what pages show."""

    BANK = "bank", _("银行进账单")
    VERIFIED = "verified", _("验资报告")
    INVOICE = "invoice", _("设备发票")
    SELF = "self", _("企业自报")


EVIDENCE_GRADE = {Evidence.BANK: "A", Evidence.VERIFIED: "B", Evidence.INVOICE: "C", Evidence.SELF: "D"}
EVIDENCED = (Evidence.BANK, Evidence.VERIFIED, Evidence.INVOICE)  # what INV_FUND counts (DOMAIN §6)


class DuplicateStatus(models.TextChoices):
    NONE = "", _("—")
    FLAGGED = "flagged", _("疑似重复,待确认")
    CONFIRMED = "new", _("已确认为新项目")
    MERGED = "merged", _("已合并")


COUNTED = (DuplicateStatus.NONE, DuplicateStatus.CONFIRMED)  # a signing is counted once


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("未解决")
    RESOLVED = "resolved", _("已解决")


class Escalation(models.IntegerChoices):
    NONE = 0, _("未督办")
    DEPARTMENT = 1, _("部门督办")
    LEADER = 2, _("领导督办")


class AttachmentKind(models.TextChoices):
    CONTRACT = "contract", _("合同")
    RECEIPT = "receipt", _("到位资金凭证")
    LAND = "land", _("用地文件")
    PERMIT = "permit", _("审批文件")
    PHOTO = "photo", _("现场照片")
    OTHER = "other", _("其他")


class Light(models.TextChoices):
    """红黄绿: overdue, due soon, on track."""

    RED = "red", _("红")
    AMBER = "amber", _("黄")
    GREEN = "green", _("绿")


BIG_PROJECT = Decimal(10000)  # 亿元以上 in 万元
CONFIRM_ABOVE = Decimal(10_000_000)  # 1,000 亿元 in 万元: an amount above this needs confirming
MAX_AMOUNT = Decimal(1_000_000_000)  # 10 万亿元: refused outright
DUE_SOON_DAYS = 7
