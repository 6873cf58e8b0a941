from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jushi.registry.models import Industry, Park, Zone

from ..choices import EVIDENCE_GRADE, Evidence, SourceRegion
from ..querysets import ProjectPartQuerySet
from .pipeline import Project


class FundsRecord(models.Model):
    """An amount of funds in place (到位资金) on a date, with its evidence. The project's zone, functional
    area and industry are copied onto the record (and kept in step by the services when the project's
    change), so that a period's totals by area and industry are read from one covering index."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+", editable=False)
    park = models.ForeignKey(Park, null=True, on_delete=models.PROTECT, related_name="+", editable=False)
    industry = models.ForeignKey(
        Industry, null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="funds"
    )
    on = models.DateField(_("到位日期"))
    amount = models.DecimalField(_("金额(万元)"), max_digits=14, decimal_places=2)
    evidence = models.CharField(_("凭证类型"), max_length=10, choices=Evidence.choices)
    source_region = models.CharField(_("资金来源地"), max_length=10, choices=SourceRegion.choices)
    attachment = models.ForeignKey(
        "projects.Attachment",
        verbose_name=_("凭证附件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [
            # covering: a zone's sums by date span, evidence, area, industry and region need no table reads
            models.Index(
                fields=["zone", "on", "evidence", "park", "industry", "source_region", "amount"],
                name="funds_zone_span_covering",
            ),
            models.Index(fields=["project", "on"]),
        ]
        verbose_name = _("到位资金")
        verbose_name_plural = _("到位资金")

    def __str__(self):
        return f"{self.project} {self.on} {self.amount}万元"

    @property
    def grade(self) -> str:
        return EVIDENCE_GRADE[self.evidence]


class ContractChange(models.Model):
    """A recorded change of a signed contract's agreed investment (补充协议), counted from its effective
    date: the agreed investment as of a day is the amount at signing, changed by every contract change
    effective on or before that day. `old_investment` is the amount just before the change took effect
    (kept in step when an earlier-effective change is recorded later), so the changes form one chain from
    the signing amount to the project's current `agreed_investment`."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contract_changes")
    on = models.DateField(_("登记日期"))
    effective_on = models.DateField(
        _("生效日期"), help_text=_("变更自这一天起计入;不能早于签约日期,也不能晚于今天")
    )
    old_investment = models.DecimalField(_("原协议投资(万元)"), max_digits=14, decimal_places=2, null=True)
    new_investment = models.DecimalField(_("新协议投资(万元)"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("变更原因"), max_length=300)
    attachment = models.ForeignKey(
        "projects.Attachment",
        verbose_name=_("补充协议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        ordering = ["effective_on", "id"]
        indexes = [models.Index(fields=["project", "effective_on"], name="contract_project_effective")]
        verbose_name = _("合同变更")
        verbose_name_plural = _("合同变更")

    def __str__(self):
        return f"{self.project} {self.effective_on}"

    @property
    def delta(self):
        return self.new_investment - (self.old_investment or 0)
