from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    MONTHLY = "M", _("月报")
    QUARTERLY = "Q", _("季报")
    ANNUAL = "Y", _("年报")


class Obligation(models.TextChoices):
    """Who must report a form: taken from the registry when a period opens."""

    SIZE_SET = "size_set", _("本年规上企业")
    ASSIGNED = "assigned", _("指定企业")


class ValueType(models.TextChoices):
    DECIMAL = "decimal", _("数值")
    INTEGER = "integer", _("整数")


class Aggregation(models.TextChoices):
    FLOW = "flow", _("累计流量")  # 1–本月 sums; the month's own value is the difference of cumulatives
    STOCK = "stock", _("期末存量")  # a value at period end (employees, receivables)
    RATIO = "ratio", _("比率")


class Severity(models.TextChoices):
    BLOCKING = "blocking", _("强制性")  # must be fixed before submitting
    WARNING = "warning", _("提示性")  # may stand with a written explanation


class AppliesTo(models.TextChoices):
    FORM = "form", _("整张表一次")
    EACH_FLOW = "each_flow", _("每个非负累计指标")  # flows that may not be negative (not profit-type)
    EACH_CUMULATIVE = "each_cumulative", _("每个累计指标")
    EACH_FIELD = "each_field", _("每个指标")


class Status(models.TextChoices):
    PENDING = "pending", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


# The workflow, in one table: which action moves a submission from which states to which state.
# Services check it; nothing else changes a submission's status.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "save": (frozenset({Status.PENDING, Status.DRAFT, Status.RETURNED}), ""),  # "" keeps the state
    "submit": (frozenset({Status.PENDING, Status.DRAFT, Status.RETURNED}), Status.SUBMITTED),
    "approve": (frozenset({Status.SUBMITTED}), Status.APPROVED),
    "return": (frozenset({Status.SUBMITTED}), Status.RETURNED),
    "correct": (frozenset({Status.APPROVED}), Status.DRAFT),  # a new revision, with a reason
    "import": (frozenset(Status.values), Status.APPROVED),
}

DONE = frozenset({Status.SUBMITTED, Status.APPROVED})
EDITABLE = TRANSITIONS["save"][0]


class EventKind(models.TextChoices):
    SAVED = "saved", _("保存草稿")
    SUBMITTED = "submitted", _("报送")
    RESUBMITTED = "resubmitted", _("修改后重新报送")
    RETURNED = "returned", _("退回")
    APPROVED = "approved", _("审核通过")
    CORRECTION = "correction", _("申请更正(新修订版)")
    IMPORTED = "imported", _("批量导入")
    REMINDED = "reminded", _("催报")


class FlagKind(models.TextChoices):
    """Why a zone total looks implausible (DOMAIN.md section 3a): checked after approvals."""

    SURGE = "surge", _("增幅超过300%")
    PLUNGE = "plunge", _("降幅超过75%")
    CONCENTRATED = "concentrated", _("单一企业占变动80%以上")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    REVIEWED = "reviewed", _("已核实")
