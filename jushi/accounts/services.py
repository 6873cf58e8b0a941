"""Security administration (安全管理员): lockouts and two-factor resets. Other engineers record these
in the audit trail; this module only does them, after checking who asks."""

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied

from .choices import Role


def is_security_admin(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or user.role == Role.SECADMIN))


def unlock(username: str, *, actor=None) -> int:
    """Lift the login lockout of a username (every IP it was tried from). The CLI passes no actor."""
    if actor is not None and not is_security_admin(actor):
        raise PermissionDenied("只有安全管理员可以解除登录锁定")
    return axes_reset(username=username)


def reset_two_factor(user, *, actor) -> int:
    """Remove a user's authenticator and recovery codes: they enrol again at the next login."""
    if not is_security_admin(actor):
        raise PermissionDenied("只有安全管理员可以重置双因素认证")
    from django_otp import devices_for_user

    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed
