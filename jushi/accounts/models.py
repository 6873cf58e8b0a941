import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DUTY_ROLES, PASSWORD_EXPIRY_ROLES, ROLE_ACTIONS, TWO_FACTOR_ROLES, Department, Role


class User(AbstractUser):
    """A person who logs in. The role says what they may do; the registry's scope says where."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.LEADER)
    department = models.CharField(_("部门"), max_length=12, choices=Department.choices, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    # Real time (not the app clock): the password age is a security timer.
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # The three administrators work in the Django admin, which needs is_staff; their ModelAdmins
        # decide what each may touch (jushi.accounts.admin).
        if self.role in DUTY_ROLES and not self.is_staff:
            self.is_staff = True
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password):
        # A hasher upgrade on login re-encodes the same password through set_password: not a change.
        changed_at = self.password_changed_at
        ok = super().check_password(raw_password)
        self.password_changed_at = changed_at
        return ok

    def can(self, action: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return action in ROLE_ACTIONS.get(self.role, frozenset())

    @property
    def is_reporter(self) -> bool:
        return self.role == Role.REPORTER and not self.is_superuser

    @property
    def duty(self) -> str | None:
        """Which of the three administrator duties (三员) this account holds, if any."""
        return self.role if self.role in DUTY_ROLES and not self.is_superuser else None

    def requires_two_factor(self) -> bool:
        return self.is_superuser or self.role in TWO_FACTOR_ROLES

    def password_expires_at(self) -> dt.datetime | None:
        """When the password must be changed, or None when this account's password does not expire."""
        days = settings.JUSHI_PASSWORD_MAX_AGE_DAYS
        if not days or not self.has_usable_password():
            return None
        if not (self.is_superuser or self.role in PASSWORD_EXPIRY_ROLES):
            return None
        return self.password_changed_at + dt.timedelta(days=days)

    def password_expired(self) -> bool:
        expires = self.password_expires_at()
        return expires is not None and timezone.now() >= expires
