"""Zone-level plausibility flags (合理性核实): a zone total that jumps implausibly after approvals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jushi.core import clock
from jushi.registry.models import Enterprise

from ..choices import FlagKind, FlagStatus
from ..querysets import FlagQuerySet
from .forms import FormField
from .submissions import ReportingPeriod


class PlausibilityFlag(models.Model):
    """One additive flow field of one reporting period (zone × form × period) whose same-caliber zone
    total looks implausible: growth above +300% or below −75%, or one enterprise making more than 80%
    of the change. Kept by `services.plausibility.refresh_flags`; reviewed with a note by staff.

    `fingerprint` identifies the approved figures the flag describes: while they stay the same, a
    recomputation leaves the flag (and its review) alone; when they change, the flag is reopened."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="plausibility_flags")
    field = models.ForeignKey(FormField, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=FlagKind.choices)
    enterprises = models.PositiveIntegerField(_("同口径企业数"))
    current_total = models.DecimalField(_("本期合计"), max_digits=24, decimal_places=4)
    base_total = models.DecimalField(_("上年同期合计"), max_digits=24, decimal_places=4)
    growth = models.DecimalField(_("同口径增速"), max_digits=40, decimal_places=20, null=True, blank=True)
    dominant = models.ForeignKey(
        Enterprise,
        verbose_name=_("变动最大的企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dominant_share = models.DecimalField(
        _("占变动比重"), max_digits=40, decimal_places=20, null=True, blank=True
    )
    detail = models.CharField(_("说明"), max_length=500)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(_("状态"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    review_note = models.CharField(_("核实说明"), max_length=500, blank=True)
    created = models.DateTimeField(default=clock.now)
    updated = models.DateTimeField(default=clock.now)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["period", "field__order", "id"]
        constraints = [models.UniqueConstraint(fields=["period", "field"], name="flag_once_per_period_field")]
        verbose_name = _("合理性核实")
        verbose_name_plural = _("合理性核实")

    def __str__(self):
        return f"{self.period.zone} {self.period.label} {self.field.label}:{self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == FlagStatus.OPEN
