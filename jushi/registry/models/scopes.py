from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enterprises import Enterprise
from .geography import Zone


class UserScope(models.Model):
    """Where a user works: some zones, all zones (province), or one enterprise (its reporter)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scope")
    all_zones = models.BooleanField(_("全部开发区"), default=False)
    zones = models.ManyToManyField(Zone, verbose_name=_("开发区"), blank=True, related_name="+")
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporters",
    )

    class Meta:
        verbose_name = _("用户范围")
        verbose_name_plural = _("用户范围")

    def __str__(self):
        return f"{self.user}"
