from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import ParkKind, RegionLevel, ZoneLevel, ZoneType
from ..querysets import ParkQuerySet, ZoneQuerySet
from ..validators import validate_plausible_date

code_validator = RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("只能包含小写字母、数字和连字符"))


class Region(models.Model):
    """An administrative division (行政区划), identified by its six-digit GB/T 2260 code."""

    code = models.CharField(_("区划代码"), max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$")])
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self):
        return self.full_name()

    def full_name(self) -> str:
        names, region = [], self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))


class Zone(models.Model):
    """A development zone, the unit every record belongs to."""

    code = models.SlugField(_("代码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    level = models.CharField(_("级别"), max_length=12, choices=ZoneLevel.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=ZoneType.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="zones"
    )
    area_km2 = models.DecimalField(
        _("规划面积(平方公里)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    established_on = models.DateField(
        _("设立日期"), null=True, blank=True, validators=[validate_plausible_date]
    )
    description = models.TextField(_("简介"), blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("开发区")
        verbose_name_plural = _("开发区")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:zone_detail", args=[self.code])


class Park(models.Model):
    """A park (产业园) or functional area (功能区) inside a zone, with its leading industries."""

    zone = models.ForeignKey(Zone, verbose_name=_("开发区"), on_delete=models.PROTECT, related_name="parks")
    code = models.CharField(_("代码"), max_length=20, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=6, choices=ParkKind.choices, default=ParkKind.PARK)
    leading_industries = models.CharField(_("主导产业"), max_length=200, blank=True)
    area_km2 = models.DecimalField(
        _("面积(平方公里)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = ParkQuerySet.as_manager()

    class Meta:
        ordering = ["zone", "code"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="park_code_unique_in_zone"),
            models.UniqueConstraint(fields=["zone", "name"], name="park_name_unique_in_zone"),
        ]
        verbose_name = _("园区/功能区")
        verbose_name_plural = _("园区/功能区")

    def __str__(self):
        return self.name
