"""Industrial chains (DOMAIN.md §7): a chain is a tree of nodes by segment; enterprises and projects
attach to nodes with a role; a node is in the current map, the target map, or both; target companies
from outside wait in a pool until one becomes a lead in the project ledger."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jushi.core import scopes
from jushi.core.querysets import RestrictedQuerySet
from jushi.projects.models import Project
from jushi.projects.models.pipeline import normalize_name
from jushi.registry.models import Enterprise, Zone

from .choices import CompanySize, Role, Segment


class _ZoneOnly(RestrictedQuerySet):
    """Chains are the zone's business: enterprise reporters see none of them."""

    def visible_to(self, user):
        if scopes.scope_of(user).enterprise_id is not None:
            return self.none()
        return super().visible_to(user)


class ChainQuerySet(_ZoneOnly):
    zone_path = "zone"


class NodeQuerySet(_ZoneOnly):
    zone_path = "chain__zone"


class PoolQuerySet(_ZoneOnly):
    zone_path = "zone"


class Chain(models.Model):
    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.CASCADE, related_name="chains")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("产业链"), max_length=60)
    description = models.TextField(_("说明"), blank=True)
    thin_threshold = models.PositiveSmallIntegerField(
        _("薄弱阈值"), default=3, help_text=_("节点上的企业和在建在谈项目少于此数即为薄弱(节点可单独设定)")
    )
    bulletin_label = models.CharField(
        _("简报用语"),
        max_length=30,
        blank=True,
        help_text=_("如“锂电产业”;填写后简报写出本链的企业、投资与预计产值"),
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = ChainQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["zone", "code"], name="chain_unique_code")]
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")

    def __str__(self):
        return self.name


class Node(models.Model):
    """A link of the chain (环节). `in_current`: part of the chain as the zone has it mapped today;
    `in_target`: wanted in the target map. A node only in the target map is an extension (延链)."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级节点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(
        _("节点代码"), max_length=40, help_text=_("链内唯一;目标企业库导入时用它指明节点")
    )
    name = models.CharField(_("节点"), max_length=60)
    segment = models.CharField(_("环节"), max_length=8, choices=Segment.choices)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    in_current = models.BooleanField(_("现状图"), default=True)
    in_target = models.BooleanField(_("远景图"), default=True)
    thin_threshold = models.PositiveSmallIntegerField(_("薄弱阈值"), null=True, blank=True)
    industry_prefixes = models.CharField(
        _("对应行业"), max_length=100, blank=True, help_text=_("GB/T 4754 代码前缀,逗号分隔,如 3841,3849")
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = NodeQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["chain", "code"], name="node_unique_code")]
        verbose_name = _("产业链节点")
        verbose_name_plural = _("产业链节点")

    def __str__(self):
        return self.name

    @property
    def threshold(self) -> int:
        return self.thin_threshold if self.thin_threshold is not None else self.chain.thin_threshold


class NodeLinkQuerySet(_ZoneOnly):
    """A link is read with its node; a link to a project also needs the project to be visible, so a
    confidential project stays unnamed to those who may not see it (issue 13)."""

    zone_path = "node__chain__zone"

    def visible_to(self, user):
        return (
            super()
            .visible_to(user)
            .filter(Q(project__isnull=True) | Q(project__in=Project.objects.visible_to(user).values("pk")))
        )

    def hidden_from(self, user):
        """The links in this queryset to projects the user may not see: counted, never named."""
        return self.filter(project__isnull=False).exclude(
            project__in=Project.objects.visible_to(user).values("pk")
        )

    def open_on(self, day):
        """The links that count on `day`: landed by then and not yet ended (an end date is the first day
        the link no longer counts)."""
        return self.filter(landed_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))

    def open(self):
        return self.filter(ended_on__isnull=True)


class NodeLink(models.Model):
    """An enterprise or a project on a node, with its role, from its landing date until its end date.

    A link that no longer holds is ended (end date and reason), never deleted, so a past period's chain
    figures stay as they were. The same enterprise or project may be on a node once among its open links;
    a later return is a new link, landing no earlier than the previous one ended."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="links")
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.CASCADE, related_name="chain_links"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="chain_links"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.SUPPORTING)
    landed_on = models.DateField(
        _("落地日期"), help_text=_("企业入链或项目签约的日期;某期的产业链数字只数到期末已落地的企业和项目")
    )
    ended_on = models.DateField(
        _("结束日期"),
        null=True,
        blank=True,
        help_text=_("企业或项目不再属于本节点的日期(当天起不再计入);为空表示仍在链上"),
    )
    end_reason = models.CharField(_("结束原因"), max_length=300, blank=True)
    investment = models.DecimalField(
        _("投资额(万元)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("台账之前落地的企业按入区协议填写;企业在台账中有项目时以台账为准"),
    )
    expected_output = models.DecimalField(
        _("达产后年产值(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = NodeLinkQuerySet.as_manager()

    class Meta:
        ordering = ["node", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, project__isnull=True)
                | Q(enterprise__isnull=True, project__isnull=False),
                name="link_enterprise_or_project",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("landed_on")),
                name="link_ends_after_landing",
            ),
            models.UniqueConstraint(
                fields=["node", "enterprise"],
                condition=Q(enterprise__isnull=False, ended_on__isnull=True),
                name="link_enterprise_open_once",
            ),
            models.UniqueConstraint(
                fields=["node", "project"],
                condition=Q(project__isnull=False, ended_on__isnull=True),
                name="link_project_open_once",
            ),
        ]
        verbose_name = _("节点企业/项目")
        verbose_name_plural = _("节点企业/项目")

    def __str__(self):
        return f"{self.node}: {self.enterprise or self.project}"

    def is_open_on(self, day) -> bool:
        return self.landed_on <= day and (self.ended_on is None or self.ended_on > day)


class PoolCompany(models.Model):
    """A company the zone would like to bring in (目标企业库), imported from outside."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="pool")
    name = models.CharField(_("企业名称"), max_length=100)
    normalized_name = models.CharField(max_length=100, editable=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    region = models.CharField(_("所在地区"), max_length=50, blank=True)
    products = models.CharField(_("主要产品"), max_length=200, blank=True)
    node = models.ForeignKey(Node, verbose_name=_("节点"), on_delete=models.PROTECT, related_name="pool")
    size = models.CharField(_("规模"), max_length=8, choices=CompanySize.choices)
    listed = models.BooleanField(_("上市公司"), default=False)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    lead = models.ForeignKey(
        Project,
        verbose_name=_("已转为线索"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = PoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "normalized_name"], name="pool_unique_company")
        ]
        verbose_name = _("目标企业")
        verbose_name_plural = _("目标企业库")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_name(self.name)
        super().save(*args, **kwargs)
