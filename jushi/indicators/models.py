"""The indicator catalog, department figures, targets and plans, and the computed results.

Indicators are data (DOMAIN.md §4): a zone adds its own without code. Results are rows (zone, park or
industry × indicator × period) written by the engine in `services/`, never typed in; every other
figure a page shows is read from them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jushi.core import scopes
from jushi.core.choices import ChangeSource
from jushi.lib import growth, wording
from jushi.lib.periods import Period, PeriodError
from jushi.registry.models import Zone

from .choices import Aggregation, GrowthMethod, PriceBasis, Scope, Source

indicator_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9_]*$", _("只能用大写字母、数字和下划线,以字母开头,如 IND_GO")
)


def validate_period_code(value: str) -> None:
    try:
        Period.parse(value)
    except PeriodError as exc:
        raise ValidationError("%(reason)s", params={"reason": str(exc)}) from None


class IndicatorQuerySet(models.QuerySet):
    """National indicators (no zone) for everyone; a zone's own within that zone's scope."""

    def visible_to(self, user):
        scope = scopes.scope_of(user)
        if scope == scopes.NOBODY:
            return self.none()
        if scope.all_zones:
            return self
        if scope.enterprise_id is not None:
            return self.filter(zone__isnull=True)
        return self.filter(models.Q(zone__isnull=True) | models.Q(zone_id__in=scope.zone_ids))

    def for_zone(self, zone_id):
        """What is computed for a zone: the national catalog and the zone's own indicators."""
        return self.filter(models.Q(zone__isnull=True) | models.Q(zone_id=zone_id))


class Indicator(models.Model):
    """A catalog entry. Without a zone it is national (changed by national admins only); with one it is
    that zone's own, computed and shown only there."""

    code = models.CharField(_("指标代码"), max_length=30, unique=True, validators=[indicator_code_validator])
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("开发区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空为全国指标"),
    )
    name = models.CharField(_("指标名称"), max_length=60)
    unit = models.CharField(_("计量单位"), max_length=20, help_text=_("显示单位,如 亿元、户、%"))
    source = models.CharField(_("来源"), max_length=6, choices=Source.choices)
    aggregation = models.CharField(_("汇总方式"), max_length=6, choices=Aggregation.choices)
    growth_method = models.CharField(_("增速口径"), max_length=5, choices=GrowthMethod.choices)
    price_basis = models.CharField(
        _("价格"), max_length=7, choices=PriceBasis.choices, default=PriceBasis.NOMINAL
    )
    department = models.CharField(_("责任部门"), max_length=40, blank=True)
    # ENT: which reported field feeds it, and the factor from the form's unit to the display unit
    form_code = models.CharField(_("报表"), max_length=40, blank=True)
    field_code = models.CharField(_("报表指标"), max_length=40, blank=True)
    scale = models.DecimalField(
        _("换算系数"),
        max_digits=20,
        decimal_places=10,
        default=Decimal(1),
        help_text=_("报表单位 × 系数 = 显示单位;千元 → 亿元为 0.00001"),
    )
    # CALC: an expression over other indicators' codes, e.g. IND_RD / IND_REV
    formula = models.CharField(_("计算公式"), max_length=300, blank=True)
    decimals = models.PositiveSmallIntegerField(_("显示小数位"), default=2)
    alert_growth_below = models.DecimalField(
        _("增速预警下限"),
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("同比增速低于此值(小数,如 0.05 表示 5%)时预警"),
    )
    in_bulletin = models.BooleanField(_("写入简报"), default=True)
    two_year_average = models.BooleanField(
        _("两年平均增速"), default=False, help_text=_("简报同时写出两年平均增长(几何平均)")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")

    def __str__(self):
        return f"{self.name}({self.unit})"

    def clean(self):
        super().clean()
        errors = {}
        if self.source == Source.ENT and not (self.form_code and self.field_code):
            errors["field_code"] = _("企业报表来源的指标须指定报表和报表指标")
        if self.source == Source.CALC and not self.formula.strip():
            errors["formula"] = _("计算指标须填写计算公式")
        if self.source != Source.CALC and self.formula.strip():
            errors["formula"] = _("只有计算指标才有计算公式")
        if self.aggregation == Aggregation.RATIO and self.growth_method not in (
            GrowthMethod.POINTS,
            GrowthMethod.NATURAL,
        ):
            errors["growth_method"] = _("比率指标的变化按百分点或自然口径计算")
        if errors:
            raise ValidationError(errors)


class DeptFigure(models.Model):
    """A figure a department publishes for a zone and period (GDP, budget revenue, new market entities…),
    with the official growth where it publishes one. Cumulative, like every period here."""

    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="dept_figures")
    period = models.CharField(_("报告期"), max_length=10, validators=[validate_period_code])
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True, blank=True)
    last_year = models.DecimalField(_("上年同期"), max_digits=20, decimal_places=4, null=True, blank=True)
    official_growth = models.DecimalField(
        _("官方增速"),
        max_digits=10,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("小数,0.143 即 14.3%"),
    )
    caliber = models.CharField(
        _("口径"), max_length=30, blank=True, help_text=_("如 自然口径、同口径、全口径、地方级")
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    explanation = models.CharField(
        _("情况说明"),
        max_length=300,
        blank=True,
        help_text=_("官方增速与数值、上年同期推算的增速不一致等需要说明的情况"),
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=ChangeSource.choices, default=ChangeSource.WEB
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["zone", "indicator", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "indicator", "period"], name="dept_figure_once"),
            models.CheckConstraint(
                condition=models.Q(value__isnull=False) | models.Q(official_growth__isnull=False),
                name="dept_figure_has_value_or_growth",
            ),
        ]
        verbose_name = _("部门数据")
        verbose_name_plural = _("部门数据")

    def __str__(self):
        return f"{self.zone} {self.indicator.name} {self.period}"

    @property
    def value_text(self) -> str | None:
        return wording.amount_text(self.value, "", 4)

    @property
    def last_year_text(self) -> str | None:
        return wording.amount_text(self.last_year, "", 4)

    @property
    def official_growth_pct(self) -> Decimal | None:
        """The official growth as bulletins print it: 0.143 → 14.3."""
        return growth.percent(self.official_growth)


class Target(models.Model):
    """An annual target of a zone: an amount, or a growth rate, or both."""

    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    growth = models.DecimalField(_("目标增速"), max_digits=10, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone", "-year", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "indicator", "year"], name="target_once_a_year"),
            models.CheckConstraint(
                condition=models.Q(value__isnull=False) | models.Q(growth__isnull=False),
                name="target_has_value_or_growth",
            ),
        ]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")

    def __str__(self):
        return f"{self.zone} {self.year} {self.indicator.name}"

    @property
    def growth_pct(self) -> Decimal | None:
        return growth.percent(self.growth)


class Plan(models.Model):
    """A multi-year plan such as the 2023–2025 doubling action: base year value × multiple by end year."""

    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(_("名称"), max_length=100)
    base_year = models.PositiveSmallIntegerField(_("基期年"))
    base_value = models.DecimalField(_("基期值"), max_digits=20, decimal_places=4)
    multiple = models.DecimalField(_("倍数"), max_digits=6, decimal_places=3, default=Decimal(2))
    end_year = models.PositiveSmallIntegerField(_("目标年"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["zone", "indicator", "end_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gt=models.F("base_year")), name="plan_ends_later"
            ),
            models.CheckConstraint(condition=models.Q(multiple__gt=0), name="plan_multiple_positive"),
            models.CheckConstraint(condition=models.Q(base_value__gt=0), name="plan_base_positive"),
        ]
        verbose_name = _("规划目标")
        verbose_name_plural = _("规划目标")

    def __str__(self):
        return self.name


class FigureFields(models.Model):
    """What one computed figure says, shared by the live `Result` and the frozen `PublishedFigure`, so a
    page shows either through the same code."""

    scope = models.CharField(_("范围"), max_length=8, choices=Scope.choices, default=Scope.ZONE)
    scope_key = models.CharField(_("园区或行业代码"), max_length=20, blank=True)
    # Exact sums (forms in 千元 with 4 places × 0.00001 need 9 places in 亿元), and the growth from them to
    # 20 places, so that display rounds once (DOMAIN §3a): 0.3054998 prints 30.5%, never 30.6%.
    value = models.DecimalField(_("本期"), max_digits=32, decimal_places=12, null=True)
    last_year = models.DecimalField(_("上年同期"), max_digits=32, decimal_places=12, null=True)
    growth = models.DecimalField(_("增速"), max_digits=32, decimal_places=20, null=True)
    change = models.DecimalField(_("增减"), max_digits=32, decimal_places=12, null=True)  # units or points
    growth_method = models.CharField(_("增速口径"), max_length=5, choices=GrowthMethod.choices)
    price_basis = models.CharField(_("价格"), max_length=7, choices=PriceBasis.choices)
    units = models.PositiveIntegerField(_("计入单位数"), null=True)  # approved reports summed, for example
    # Coverage of an enterprise-sourced figure (DOMAIN §3a): the frame (应报), the approved reports among
    # them (`units`, 已审核), those left out of the growth for a blank last-year value, and the approved
    # reports' share of the frame's last-year value. Null for department and ledger figures.
    frame_units = models.PositiveIntegerField(_("应报单位数"), null=True)
    blank_base_units = models.PositiveIntegerField(_("上年同期为空的单位数"), null=True)
    coverage = models.DecimalField(_("覆盖率(上年值)"), max_digits=12, decimal_places=10, null=True)
    # The period's own month (or span) on the same caliber: a flow's per-unit differences of cumulatives,
    # a stock's period-end value, a count of events' difference of cumulative counts.
    month_value = models.DecimalField(_("本月"), max_digits=32, decimal_places=12, null=True)
    month_last_year = models.DecimalField(_("上年同月"), max_digits=32, decimal_places=12, null=True)
    month_growth = models.DecimalField(_("本月增速"), max_digits=32, decimal_places=20, null=True)

    class Meta:
        abstract = True

    @property
    def provisional(self) -> bool:
        """Below full coverage a figure is provisional (初步): not every report in the frame is approved."""
        return self.frame_units is not None and (self.units or 0) < self.frame_units

    @property
    def coverage_text(self) -> str:
        """`21/28 家已审核`, or "" for figures that have no frame."""
        if self.frame_units is None:
            return ""
        return f"{self.units or 0}/{self.frame_units} 家已审核"


class Result(FigureFields):
    """One computed figure: a zone (or one of its parks or industries) × indicator × period.

    Written only by the engine; `growth` is a fraction with its method and price basis alongside, so a
    page never shows a rate without saying what kind it is."""

    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="results")
    period = models.CharField(_("报告期"), max_length=10)
    computed = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        ordering = ["zone", "indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "scope", "scope_key", "indicator", "period"], name="result_once"
            )
        ]
        indexes = [models.Index(fields=["indicator", "period"])]
        verbose_name = _("指标结果")
        verbose_name_plural = _("指标结果")

    def __str__(self):
        return f"{self.zone} {self.indicator.code} {self.period}: {self.value}"


class Publication(models.Model):
    """A zone's period as published (DOMAIN §3a): the figures, their coverage and the bulletin text,
    frozen, with who and when. Re-publishing adds the next numbered revision with its reason; nothing
    published is ever overwritten or deleted."""

    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("报告期"), max_length=10)  # the stored (monthly) code, as results are
    named = models.CharField(_("发布期别"), max_length=10)  # as published: 2024H1 → 2024年上半年
    revision = models.PositiveSmallIntegerField(_("版次"))  # 1 is the first release, 2 its first revision
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    incomplete = models.BooleanField(_("未全部审核即发布"), default=False)
    coverage = models.JSONField(_("覆盖情况"), default=list)  # per form: name, frame, approved, share
    bulletin = models.TextField(_("简报"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by_name = models.CharField(_("发布人"), max_length=150)
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        ordering = ["zone", "-period", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "period", "revision"], name="publication_revision_once")
        ]
        verbose_name = _("发布")
        verbose_name_plural = _("发布")

    def __str__(self):
        return f"{self.zone} {self.named} 第{self.revision}版"

    @property
    def label(self) -> str:
        return Period.parse(self.named).label

    @property
    def is_revision(self) -> bool:
        return self.revision > 1


class PublishedFigure(FigureFields):
    """One figure as it was published: a copy of the result, frozen with its publication."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="figures")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["publication", "indicator__order", "scope", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "scope", "scope_key", "indicator"], name="published_figure_once"
            )
        ]
        verbose_name = _("已发布数据")
        verbose_name_plural = _("已发布数据")

    def __str__(self):
        return f"{self.publication} {self.indicator.code}: {self.value}"

    @property
    def period(self) -> str:
        return self.publication.period
