from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ROLE_ACTIONS, Department, Role


class User(AbstractUser):
    """A person who logs in. The role says what they may do; the registry's scope says where."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.LEADER)
    department = models.CharField(_("部门"), max_length=12, choices=Department.choices, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def can(self, action: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return action in ROLE_ACTIONS.get(self.role, frozenset())

    @property
    def is_reporter(self) -> bool:
        return self.role == Role.REPORTER and not self.is_superuser
