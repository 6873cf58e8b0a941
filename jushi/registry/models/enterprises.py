from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jushi.lib import uscc

from ..choices import EnterpriseStatus
from ..querysets import EnterpriseQuerySet, SizeMembershipQuerySet
from ..validators import validate_not_future, validate_plausible_date
from .geography import Park, Zone
from .industries import Industry


def validate_credit_code(value: str) -> None:
    try:
        uscc.validate(value)
    except uscc.InvalidCode as exc:
        raise ValidationError(str(exc), code="uscc") from exc


class Enterprise(models.Model):
    """An enterprise in a zone, keyed by its unified social credit code."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("开发区"), on_delete=models.PROTECT, related_name="enterprises"
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("园区/功能区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    established_on = models.DateField(
        _("成立日期"), null=True, blank=True, validators=[validate_plausible_date, validate_not_future]
    )
    entered_on = models.DateField(_("入区日期"), null=True, blank=True, validators=[validate_plausible_date])
    status = models.CharField(
        _("状态"), max_length=10, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING
    )
    land_area_mu = models.DecimalField(
        _("占地面积(亩)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_synthetic = models.BooleanField(
        _("合成数据"), default=False, help_text=_("演示用的合成记录,不是真实企业数据")
    )
    notes = models.CharField(_("备注"), max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = EnterpriseQuerySet.as_manager()
    CHANGE_LABELS = {"size_years": _("规上年份")}

    class Meta:
        ordering = ["zone", "name"]
        indexes = [models.Index(fields=["zone", "name"]), models.Index(fields=["zone", "status"])]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:enterprise_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.credit_code:
            self.credit_code = uscc.normalize(self.credit_code)
        if self.park_id and self.zone_id and self.park.zone_id != self.zone_id:
            raise ValidationError({"park": _("园区不属于该开发区")})
        if self.established_on and self.entered_on and self.entered_on < self.established_on:
            raise ValidationError({"entered_on": _("入区日期不能早于成立日期")})

    def size_years(self) -> list[int]:
        return sorted(m.year for m in self.size_memberships.all())


class SizeMembership(models.Model):
    """The enterprise is in the above-designated-size set (规上) of this year, the frame growth uses."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="size_memberships"
    )
    year = models.PositiveSmallIntegerField(
        _("年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    entered_on = models.DateField(_("纳入日期"), null=True, blank=True, validators=[validate_plausible_date])
    exited_on = models.DateField(_("退出日期"), null=True, blank=True, validators=[validate_plausible_date])
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = SizeMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="size_membership_once_a_year")
        ]
        verbose_name = _("规上企业名录")
        verbose_name_plural = _("规上企业名录")

    def __str__(self):
        return f"{self.enterprise} {self.year}"
