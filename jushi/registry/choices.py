from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    PREFECTURE = "prefecture", _("地级")
    COUNTY = "county", _("县级")


class ZoneLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    OTHER = "other", _("其他")


class ZoneType(models.TextChoices):
    ETDZ = "etdz", _("经开区")
    HIGHTECH = "hightech", _("高新区")
    BONDED = "bonded", _("综合保税区")
    INDUSTRIAL = "industrial", _("产业园区")
    OTHER = "other", _("其他")


class ParkKind(models.TextChoices):
    PARK = "park", _("产业园")
    AREA = "area", _("功能区")


class IndustryLevel(models.TextChoices):
    SECTION = "section", _("门类")
    DIVISION = "division", _("大类")
    GROUP = "group", _("中类")
    CLASS = "class", _("小类")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("在营")
    BUILDING = "building", _("在建")
    SUSPENDED = "suspended", _("停产")
    MOVED_OUT = "moved_out", _("迁出")
    CLOSED = "closed", _("注销")
