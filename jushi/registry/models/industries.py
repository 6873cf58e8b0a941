from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import IndustryLevel


class Industry(models.Model):
    """GB/T 4754-2017 national economic industry classification, shipped as data (a data migration)."""

    code = models.CharField(_("行业代码"), max_length=4, unique=True)
    name = models.CharField(_("行业名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=IndustryLevel.choices)
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
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")

    def __str__(self):
        return f"{self.code} {self.name}"

    def section(self) -> "Industry":
        node = self
        while node.parent_id is not None:
            node = node.parent
        return node
