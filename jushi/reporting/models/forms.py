"""Forms as data (表式): a form, its fields, its check rules and who must report it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jushi.registry.models import Enterprise, Zone

from ..choices import Aggregation, AppliesTo, Obligation, PeriodType, Severity, ValueType
from ..querysets import AssignmentQuerySet, ReportFormQuerySet, RuleQuerySet

code_validator = RegexValidator(r"^[a-z][a-z0-9_]*$", _("只能用小写字母、数字和下划线,以字母开头"))
form_code_validator = RegexValidator(r"^[a-z][a-z0-9-]*$", _("只能用小写字母、数字和连字符,以字母开头"))


class ReportForm(models.Model):
    """A statistical form (表式), e.g. the monthly industrial form; shared by every zone."""

    code = models.CharField(_("表式代码"), max_length=40, unique=True, validators=[form_code_validator])
    number = models.CharField(_("表号"), max_length=20, blank=True, help_text=_("如 B204-1"))
    name = models.CharField(_("表名"), max_length=100)
    period_type = models.CharField(_("报告期"), max_length=1, choices=PeriodType.choices)
    combine_jan_feb = models.BooleanField(
        _("1-2月合并"), default=True, help_text=_("月报的第一期为 1-2 月,1 月不单独报送")
    )
    opens_day = models.PositiveSmallIntegerField(
        _("开始填报日"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("报告期结束后的次月几日开始填报"),
    )
    deadline_day = models.PositiveSmallIntegerField(
        _("截止日"), default=16, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    deadline_hour = models.PositiveSmallIntegerField(
        _("截止时"), default=12, validators=[MaxValueValidator(23)], help_text=_("截止日的几点(北京时间)")
    )
    obligation = models.CharField(_("报送范围"), max_length=10, choices=Obligation.choices)
    sections = models.CharField(
        _("行业门类"),
        max_length=40,
        blank=True,
        help_text=_("报送范围为规上企业时,限于这些国民经济行业门类,逗号分隔,如 B,C,D;空为不限"),
    )
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ReportFormQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("报表表式")
        verbose_name_plural = _("报表表式")

    def __str__(self):
        return f"{self.number} {self.name}".strip()

    def get_absolute_url(self):
        return reverse("reporting:form_detail", args=[self.code])

    def section_list(self) -> list[str]:
        return [s.strip().upper() for s in self.sections.split(",") if s.strip()]


class FormField(models.Model):
    """One figure on a form: reported as this period's cumulative value and the same period last year."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField(_("指标代码"), max_length=40, validators=[code_validator])
    label = models.CharField(_("指标名称"), max_length=100)
    unit = models.CharField(_("计量单位"), max_length=20, help_text=_("按表式印制的单位,如 千元"))
    value_type = models.CharField(_("数值类型"), max_length=10, choices=ValueType.choices)
    decimals = models.PositiveSmallIntegerField(_("小数位"), default=1, validators=[MaxValueValidator(4)])
    aggregation = models.CharField(_("汇总方式"), max_length=10, choices=Aggregation.choices)
    allow_negative = models.BooleanField(_("可为负"), default=False, help_text=_("利润类指标可为负"))
    required = models.BooleanField(_("必填"), default=False)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    help_text = models.CharField(_("填报说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["form", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="form_field_code_once")]
        verbose_name = _("表式指标")
        verbose_name_plural = _("表式指标")

    def __str__(self):
        return f"{self.label}({self.unit})"

    @property
    def is_flow(self) -> bool:
        return self.aggregation == Aggregation.FLOW


class Assignment(models.Model):
    """An enterprise named to report a form whose obligation is 'assigned'."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="assignments")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="form_assignments")
    since = models.DateField(_("起始日期"), null=True, blank=True)
    until = models.DateField(_("截止日期"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "enterprise"], name="assignment_once")]
        verbose_name = _("指定报送企业")
        verbose_name_plural = _("指定报送企业")

    def __str__(self):
        return f"{self.enterprise} · {self.form}"


class Rule(models.Model):
    """A check (审核规则) written as an expression that must hold; false flags it, null skips it.

    A rule without a zone is national: it governs every zone and only a national admin (superuser)
    changes it; a zone switches it off for itself with a `RuleOverride`. A rule with a zone is that
    zone's own, checked only for its submissions."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules")
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("开发区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("空为全国规则"),
    )
    code = models.CharField(_("规则代码"), max_length=40, validators=[code_validator])
    name = models.CharField(_("规则名称"), max_length=100)
    expression = models.TextField(
        _("表达式"),
        help_text=_("必须成立的条件,如 export_value <= sales_output;用 this 指代逐个指标"),
    )
    message = models.CharField(
        _("提示信息"),
        max_length=300,
        help_text=_("不成立时显示;可用 {表达式} 插入数值,如 {label}本期 {this},上期 {prior(this)}"),
    )
    severity = models.CharField(_("类型"), max_length=10, choices=Severity.choices)
    applies_to = models.CharField(_("适用"), max_length=20, choices=AppliesTo.choices, default=AppliesTo.FORM)
    is_active = models.BooleanField(_("启用"), default=True)
    is_builtin = models.BooleanField(_("系统内置"), default=False)
    order = models.PositiveSmallIntegerField(_("顺序"), default=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["form", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "code"], condition=models.Q(zone__isnull=True), name="rule_code_once"
            ),
            models.UniqueConstraint(
                fields=["form", "zone", "code"],
                condition=models.Q(zone__isnull=False),
                name="zone_rule_code_once",
            ),
        ]
        verbose_name = _("审核规则")
        verbose_name_plural = _("审核规则")

    def __str__(self):
        return self.name

    @property
    def is_national(self) -> bool:
        return self.zone_id is None

    @property
    def per_field(self) -> bool:
        return self.applies_to != AppliesTo.FORM

    def clean(self):
        super().clean()
        from jushi.lib import expr

        from ..checks import signature_for, trial_error

        if not self.form_id:
            return
        # Findings and explanations are keyed by rule code: a zone's rule may not reuse a code its
        # form's national rules (or its own zone's) already use.
        clash = Rule.objects.filter(form_id=self.form_id, code=self.code).exclude(pk=self.pk)
        if self.zone_id is not None:
            clash = clash.filter(models.Q(zone__isnull=True) | models.Q(zone_id=self.zone_id))
        if self.code and clash.exists():
            raise ValidationError({"code": _("该表式已有代码相同的规则")})
        signature = signature_for(self.form, per_field=self.per_field)
        errors = {}
        try:
            expr.parse(self.expression, signature)
        except expr.ExprError as exc:
            errors["expression"] = str(exc)
        else:
            problem = trial_error(self.form, self.expression, per_field=self.per_field)
            if problem:
                errors["expression"] = problem
        try:
            expr.render(self.message, signature)
        except expr.ExprError as exc:
            errors["message"] = str(exc)
        if errors:
            raise ValidationError(errors)


class RuleOverride(models.Model):
    """A zone's own switch for a national rule: `enabled=False` switches it off for that zone only."""

    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(Rule, verbose_name=_("规则"), on_delete=models.CASCADE, related_name="overrides")
    enabled = models.BooleanField(_("本开发区启用"), default=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("修改时间"))

    class Meta:
        ordering = ["zone", "rule"]
        constraints = [models.UniqueConstraint(fields=["zone", "rule"], name="rule_override_once")]
        verbose_name = _("审核规则(本开发区设置)")
        verbose_name_plural = _("审核规则(本开发区设置)")

    def __str__(self):
        return f"{self.zone} · {self.rule}"
