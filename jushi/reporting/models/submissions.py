"""Reporting periods, submissions (one per enterprise that must report), their values and history."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jushi.core import clock
from jushi.core.choices import ChangeSource
from jushi.lib.periods import Period
from jushi.registry.models import Enterprise, Zone

from ..choices import DONE, EDITABLE, EventKind, Severity, Status
from ..querysets import PeriodQuerySet, SubmissionQuerySet, ValueQuerySet
from .forms import FormField, ReportForm, Rule


class ReportingPeriod(models.Model):
    """One period of one form in one zone, opened by the zone's staff (or `jushi reporting open`).

    Each zone opens, chases and closes its own periods; the deadline comes from the form."""

    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="periods")
    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("报告期"), max_length=10)
    opens_at = models.DateTimeField(_("开始填报"))
    deadline = models.DateTimeField(_("截止时间"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["form", "zone", "-code"]
        constraints = [
            models.UniqueConstraint(fields=["form", "zone", "code"], name="period_once_per_form_and_zone")
        ]
        verbose_name = _("报告期")
        verbose_name_plural = _("报告期")

    def __str__(self):
        return f"{self.form.name} {self.label}"

    @property
    def period(self) -> Period:
        return Period.parse(self.code)

    @property
    def label(self) -> str:
        return self.period.label

    def is_open(self, now=None) -> bool:
        now = now or clock.now()
        return self.closed_at is None and self.opens_at <= now

    def state_label(self, now=None) -> str:
        now = now or clock.now()
        if self.closed_at is not None:
            return "已关闭"
        if now < self.opens_at:
            return "未开始"
        return "填报中" if now <= self.deadline else "已过截止时间"


class Submission(models.Model):
    """What one enterprise owes for one period of one form, and what it reported: the obligation and
    the report in one row. Status changes only through jushi.reporting.services."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="submissions")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    revision = models.PositiveIntegerField(_("修订版"), default=1)
    version = models.PositiveIntegerField(default=0, help_text="optimistic lock: bumped on every change")
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    correction_reason = models.CharField(_("更正原因"), max_length=500, blank=True)
    reminded_at = models.DateTimeField(_("最近催报"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("催报次数"), default=0)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["period", "enterprise"]
        constraints = [
            models.UniqueConstraint(fields=["period", "enterprise"], name="submission_once_per_period")
        ]
        indexes = [models.Index(fields=["period", "status"]), models.Index(fields=["enterprise", "period"])]
        verbose_name = _("报表")
        verbose_name_plural = _("报表")

    def __str__(self):
        return f"{self.enterprise} {self.period.form.name} {self.period.label}"

    def get_absolute_url(self):
        return reverse("reporting:submission_detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status in DONE

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def under_correction(self) -> bool:
        """Approved once, now a new revision being edited (draft, or returned again): its approved figures
        stay in force meanwhile, so it is neither owed nor overdue, and nobody reminds it."""
        return self.revision > 1 and self.status in EDITABLE

    def is_overdue(self, now=None) -> bool:
        """Not reported by the deadline: still owed after it, or first sent after it. A report under
        correction is not owed, so not overdue; one first sent late stays reported late."""
        deadline = self.period.deadline
        if self.first_submitted_at is not None:
            return self.first_submitted_at > deadline
        if (
            self.status in DONE or self.under_correction
        ):  # came in by import from the statistics bureau: its timing is the bureau's
            return False
        return (now or clock.now()) > deadline


class Value(models.Model):
    """One field of one submission: the working figures the reporter edits, and the approved ones.

    `current` is this period's cumulative value (1–本月), `last_year` the same period last year as
    reported now. `approved_*` hold what was last approved and change only on approval, so indicators
    read locked figures while a correction is being prepared.
    """

    # No index of its own: the unique (submission, field) index serves every lookup by submission,
    # and a second index would be maintained on each of the 300,000 rows a period import writes.
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="values", db_index=False
    )
    field = models.ForeignKey(FormField, on_delete=models.PROTECT, related_name="values")
    current = models.DecimalField(_("本期累计"), max_digits=20, decimal_places=4, null=True, blank=True)
    last_year = models.DecimalField(_("上年同期"), max_digits=20, decimal_places=4, null=True, blank=True)
    approved_current = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    approved_last_year = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    revision = models.PositiveIntegerField(_("修订版"), default=1)

    objects = ValueQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "field"], name="value_once_per_field")]
        verbose_name = _("报表数值")
        verbose_name_plural = _("报表数值")

    def __str__(self):
        return f"{self.field.label}: {self.current}"


class ValueChange(models.Model):
    """One save of a submission's values: who, when, why, and for each changed field old → new.

    `changes` maps a field code to {"current": [old, new], "last_year": [old, new]} (decimal strings or
    null), only for the parts that changed. One row per save keeps a 20,000-enterprise import cheap."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="value_changes")
    revision = models.PositiveIntegerField(_("修订版"))
    changes = models.JSONField(_("修改内容"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(max_length=150, blank=True)
    time = models.DateTimeField(_("时间"), default=clock.now)
    source = models.CharField(_("来源"), max_length=10, choices=ChangeSource.choices)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    batch = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("数值修改记录")
        verbose_name_plural = _("数值修改记录")

    def __str__(self):
        return f"{self.user_name} {self.time:%Y-%m-%d %H:%M} 修改 {len(self.changes)} 项"


class SubmissionEvent(models.Model):
    """A workflow step: saved, submitted, returned with a reason, approved, corrected, imported, reminded."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=12, choices=EventKind.choices)
    time = models.DateTimeField(_("时间"), default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    revision = models.PositiveIntegerField(_("修订版"), default=1)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=ChangeSource.choices, blank=True)
    batch = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("报表事件")
        verbose_name_plural = _("报表事件")

    def __str__(self):
        return f"{self.get_kind_display()} {self.actor_name}"


class CheckResult(models.Model):
    """A rule that flagged this submission when it was last sent, with the reporter's explanation."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="check_results")
    revision = models.PositiveIntegerField(default=1)
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=90, help_text="rule code, plus :field for per-field rules")
    field_code = models.CharField(max_length=40, blank=True)
    severity = models.CharField(_("类型"), max_length=10, choices=Severity.choices)
    message = models.CharField(_("提示"), max_length=500)
    explanation = models.CharField(_("说明"), max_length=1000, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("审核结果")
        verbose_name_plural = _("审核结果")

    def __str__(self):
        return self.message
