from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    UPSTREAM = "up", _("上游")
    MIDSTREAM = "mid", _("中游")
    DOWNSTREAM = "down", _("下游")
    SUPPORT = "support", _("配套")


class Role(models.TextChoices):
    LEADER = "leader", _("链主")
    CORE = "core", _("核心")
    SUPPORTING = "supporting", _("配套")


class Gap(models.TextChoices):
    """What a node of the target map needs (DOMAIN.md §7)."""

    FILL = "fill", _("补链")  # an empty node of the chain as it stands
    STRENGTHEN = "strengthen", _("强链")  # a thin node: fewer than its threshold
    EXTEND = "extend", _("延链")  # a new node up- or downstream the zone wants and lacks


class Strength(models.TextChoices):
    STRONG = "strong", _("较强")
    THIN = "thin", _("薄弱")
    EMPTY = "empty", _("空白")


class CompanySize(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
