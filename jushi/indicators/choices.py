from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where an indicator's figures come from (DOMAIN.md §4)."""

    ENT = "ENT", _("企业报表")  # approved enterprise reports, summed by the engine
    DEPT = "DEPT", _("部门数据")  # entered or imported by staff from the department that owns it
    LEDGER = "LEDGER", _("项目台账")  # the zone's investment ledger, through the source interface
    CALC = "CALC", _("计算")  # a formula over other indicators


class Aggregation(models.TextChoices):
    SUM = "sum", _("累计值合计")  # cumulative flows (1–本月) summed over units
    STOCK = "stock", _("期末存量")  # values at period end summed over units
    RATIO = "ratio", _("比率(合计之比)")  # Σ numerator / Σ denominator, never an average of ratios
    COUNT = "count", _("个数")  # units counted at period end (enterprises in the set): a stock of units
    EVENTS = "events", _("事件计数")  # events counted from January (signings, starts): a cumulative flow


class GrowthMethod(models.TextChoices):
    SAME_CALIBER = "SC", _("同口径")  # this year's set against the same units a year earlier
    NATURAL = "NAT", _("自然口径")  # this year's total against last year's total, same definition
    OFFICIAL = "OFF", _("官方数")  # the growth the department publishes, passed through
    POINTS = "PP", _("百分点")  # a ratio's change, in percentage points
    UNITS = "UNITS", _("增减数量")  # a count's change in units (增加3家), with the rate beside it


class PriceBasis(models.TextChoices):
    NOMINAL = "nominal", _("现价")
    REAL = "real", _("可比价")


class Scope(models.TextChoices):
    ZONE = "zone", _("开发区")
    PARK = "park", _("园区")
    INDUSTRY = "industry", _("行业")
