import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jushi.core import clock

from ..choices import DUE_SOON_DAYS, AttachmentKind, Escalation, Light, ProblemStatus
from ..querysets import ProblemQuerySet, ProjectPartQuerySet
from .pipeline import Project


def _light(due: dt.date | None, done: bool, today: dt.date | None) -> str:
    if done or due is None:
        return Light.GREEN
    days = (due - (today or clock.today())).days
    if days < 0:
        return Light.RED
    return Light.AMBER if days <= DUE_SOON_DAYS else Light.GREEN


class Milestone(models.Model):
    """A planned step of a key project (立项, 环评, 开工, 主体封顶, 设备进场, 投产…) and when it happened."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("节点"), max_length=60)
    planned_on = models.DateField(_("计划日期"))
    actual_on = models.DateField(_("实际日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")

    def __str__(self):
        return f"{self.project} {self.name}"

    def light(self, today: dt.date | None = None) -> str:
        return _light(self.planned_on, self.actual_on is not None, today)

    def days_late(self, today: dt.date | None = None) -> int:
        end = self.actual_on or today or clock.today()
        return max((end - self.planned_on).days, 0)


class MonthlyInvestment(models.Model):
    """A key project's investment plan and what was actually invested, by month (万元)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="monthly")
    month = models.CharField(_("月份"), max_length=7, help_text=_("如 2024-03"))
    planned = models.DecimalField(_("计划投资(万元)"), max_digits=14, decimal_places=2, null=True, blank=True)
    actual = models.DecimalField(_("实际投资(万元)"), max_digits=14, decimal_places=2, null=True, blank=True)

    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="monthly_unique_month")]
        verbose_name = _("月度投资")
        verbose_name_plural = _("月度投资")

    def __str__(self):
        return f"{self.project} {self.month}"


class Problem(models.Model):
    """An item on a project's problem list (问题清单): who owns it, by when, how it was resolved, and
    how far it has been escalated (督办) once overdue."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    title = models.CharField(_("问题"), max_length=200)
    detail = models.TextField(_("详情"), blank=True)
    owner = models.CharField(_("责任人"), max_length=50)
    owner_unit = models.CharField(_("责任单位"), max_length=100, blank=True)
    raised_on = models.DateField(_("提出日期"))
    due_on = models.DateField(_("限期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    resolution = models.TextField(_("解决情况"), blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(
        _("督办"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_on = models.DateField(_("督办日期"), null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")

    def __str__(self):
        return self.title

    def light(self, today: dt.date | None = None) -> str:
        return _light(self.due_on, self.status == ProblemStatus.RESOLVED, today)

    def days_overdue(self, today: dt.date | None = None) -> int:
        if self.status == ProblemStatus.RESOLVED:
            return 0
        return max(((today or clock.today()) - self.due_on).days, 0)


def attachment_path(instance, filename: str) -> str:
    return f"projects/{instance.project.zone_id}/{instance.project_id}/{filename}"


class Attachment(models.Model):
    """A file kept with a project: contract, receipt, land papers, photos. Type and size are checked
    by the service before anything is stored."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类型"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.name
