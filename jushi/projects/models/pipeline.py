import datetime as dt
import re
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jushi.core import clock
from jushi.lib import uscc
from jushi.registry.models import Enterprise, Industry, Park, Zone

from ..choices import STAGE_DATE_FIELD, DuplicateStatus, Light, SourceRegion, StageCode
from ..querysets import EventQuerySet, InvestorQuerySet, ProjectQuerySet

# Words that say nothing about who a company is, dropped before names are compared.
_NAME_NOISE = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|控股|股份|公司|科技|实业|发展|投资|"
    r"新疆|喀什|项目|建设|一期|二期|三期|年产|\s|[()()·\-—_,,.。])"
)


def normalize_name(name: str) -> str:
    """A company or project name reduced for comparison: full-width folded, noise words dropped."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    return _NAME_NOISE.sub("", text)


def validate_credit_code(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        uscc.validate(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class Stage(models.Model):
    """One stage of the pipeline, as data: its order, how long a project may stay, the forecast
    probability that a project in it signs (or, once signed, reaches production), and what a project
    must have recorded to enter it."""

    code = models.CharField(_("代码"), max_length=12, choices=StageCode.choices, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    order = models.PositiveSmallIntegerField(_("顺序"), unique=True)
    time_limit_days = models.PositiveIntegerField(
        _("时限(天)"), null=True, blank=True, help_text=_("停留超过时限即亮红灯;空为不限")
    )
    probability = models.DecimalField(
        _("预测概率"), max_digits=4, decimal_places=2, help_text=_("0–1,用于按概率加权预测签约额")
    )
    required_fields = models.JSONField(_("进入本阶段需填写"), default=list, blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("项目阶段")
        verbose_name_plural = _("项目阶段")

    def __str__(self):
        return self.name

    @property
    def date_field(self) -> str:
        return STAGE_DATE_FIELD[self.code]


class Investor(models.Model):
    """The company behind a project. The credit code, when known, identifies it; otherwise the
    normalized name does (the duplicate guard compares both)."""

    name = models.CharField(_("投资方"), max_length=100)
    normalized_name = models.CharField(max_length=100, db_index=True, editable=False)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
    )
    region = models.CharField(_("所在地区"), max_length=50, blank=True, help_text=_("如 山东省济南市"))
    created = models.DateTimeField(auto_now_add=True)

    objects = InvestorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("投资方")
        verbose_name_plural = _("投资方")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_name(self.name)
        super().save(*args, **kwargs)


class Event(models.Model):
    """A signing event: an expo or promotion meeting where contracts are signed (签约活动)."""

    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.CASCADE, related_name="events")
    name = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("举办日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "name"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="event_unique_name")]
        verbose_name = _("签约活动")
        verbose_name_plural = _("签约活动")

    def __str__(self):
        return self.name


class Project(models.Model):
    """A lead or project, from the first contact to full capacity. Amounts are in 万元 (the ledger's
    unit); pages show 亿元 where the bulletin does."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("开发区"), on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(_("项目编号"), max_length=20)
    name = models.CharField(_("项目名称"), max_length=120)
    normalized_name = models.CharField(max_length=120, editable=False)
    investor = models.ForeignKey(
        Investor, verbose_name=_("投资方"), on_delete=models.PROTECT, related_name="projects"
    )
    source_region = models.CharField(
        _("资金来源地"), max_length=10, choices=SourceRegion.choices, default=SourceRegion.OUT_PROVINCE
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("行业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey(
        Park, verbose_name=_("功能区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("落地企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        help_text=_("项目公司注册后关联,投产上规后进入统计报表"),
    )
    agreed_investment = models.DecimalField(
        _("协议总投资(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fixed_asset_investment = models.DecimalField(
        _("固定资产投资(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_output = models.DecimalField(
        _("达产后年产值(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_tax = models.DecimalField(
        _("达产后年税收(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    funds_in_place = models.DecimalField(
        _("累计到位资金(万元)"),
        max_digits=16,
        decimal_places=2,
        default=0,
        editable=False,
        help_text=_("全部到位资金记录之和,由登记、删除与合并到位资金的服务维护"),
    )
    land_mu = models.DecimalField(_("用地(亩)"), max_digits=10, decimal_places=2, null=True, blank=True)
    parcel = models.CharField(_("地块编号"), max_length=50, blank=True)
    contract_no = models.CharField(_("合同编号"), max_length=50, blank=True)
    event = models.ForeignKey(
        Event,
        verbose_name=_("签约活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    official = models.CharField(_("责任领导"), max_length=50, blank=True)
    unit = models.CharField(_("责任单位"), max_length=100, blank=True)
    confidential = models.BooleanField(
        _("保密"), default=False, help_text=_("在谈阶段不公开名称:只有管理员、招商局和项目办能看到")
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("阶段"), on_delete=models.PROTECT, related_name="projects"
    )
    stage_entered_on = models.DateField(_("进入本阶段日期"))
    lead_on = models.DateField(_("线索日期"))
    talks_on = models.DateField(_("洽谈日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    planned_start_on = models.DateField(
        _("约定开工日期"), null=True, blank=True, help_text=_("签约后超过此日期仍未开工即亮红灯")
    )
    land_on = models.DateField(_("摘牌日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    produced_on = models.DateField(_("投产日期"), null=True, blank=True)
    full_on = models.DateField(_("达产日期"), null=True, blank=True)
    duplicate_status = models.CharField(
        _("查重"), max_length=8, choices=DuplicateStatus.choices, default=DuplicateStatus.NONE, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复于"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic lock for stage moves
    note = models.TextField(_("备注"), blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    CHANGE_LABELS = {"stage_name": _("阶段")}

    class Meta:
        ordering = ["-updated", "-id"]
        constraints = [models.UniqueConstraint(fields=["zone", "code"], name="project_unique_code")]
        indexes = [
            models.Index(fields=["zone", "stage", "updated"]),  # a kanban column, latest first
            models.Index(fields=["zone", "updated"]),  # the ledger, latest first
            models.Index(fields=["zone", "signed_on"]),
            models.Index(fields=["zone", "started_on"]),
            models.Index(fields=["investor"]),
        ]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_name(self.name)
        super().save(*args, **kwargs)

    @property
    def agreed_yi(self) -> Decimal | None:
        return None if self.agreed_investment is None else self.agreed_investment / 10000

    def stage_age(self, today: dt.date | None = None) -> int:
        """Days in the current stage."""
        return ((today or clock.today()) - self.stage_entered_on).days

    def light(self, today: dt.date | None = None) -> str:
        """红黄绿 of the project's progress: red past the stage's time limit (or, once signed and not
        started, past the agreed start date), amber in the last fifth of the limit, green otherwise."""
        today = today or clock.today()
        stage = self.stage
        if stage.code in (StageCode.SIGNED, StageCode.LAND) and self.planned_start_on:
            if today > self.planned_start_on:
                return Light.RED
            if (self.planned_start_on - today).days <= 30:
                return Light.AMBER
            return Light.GREEN
        limit = stage.time_limit_days
        if not limit:
            return Light.GREEN
        age = self.stage_age(today)
        if age > limit:
            return Light.RED
        return Light.AMBER if age * 5 >= limit * 4 else Light.GREEN

    def is_counted(self) -> bool:
        return self.duplicate_status in (DuplicateStatus.NONE, DuplicateStatus.CONFIRMED)


class ProjectCodeSequence(models.Model):
    """The last number given to a project code of a zone and year (P2024-0001…). Advanced under a row
    lock by `create_project`, which skips any number an imported or legacy code already uses, so two
    new projects never get one code and P2024-913 cannot outrank P2024-0914 as text did."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "year"], name="project_code_sequence_unique")]
        verbose_name = _("项目编号序列")
        verbose_name_plural = _("项目编号序列")

    def __str__(self):
        return f"P{self.year}-{self.last:04d}"


class StageChange(models.Model):
    """A project moved from one stage to another, on a date, by someone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    days = models.PositiveIntegerField(
        _("停留天数"), null=True, blank=True, help_text=_("离开该阶段时写入;仍在该阶段为空")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [
            models.Index(fields=["project", "on"]),
            models.Index(fields=["on", "to_stage", "days", "project"], name="stagechange_span_covering"),
        ]
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")

    def __str__(self):
        return f"{self.project} → {self.to_stage}"
