"""Demo accounts of the three administrators (三员分立). Loaded before the registry: they have no scope."""

from django.contrib.auth import get_user_model

from .choices import Role

DUTY_USERS = [
    ("xitong", "系统管理员(演示)", Role.SYSADMIN, "系统管理后台 /django-admin/:账号"),
    ("anquan", "安全管理员(演示)", Role.SECADMIN, "系统管理后台 /django-admin/:角色、锁定、双因素"),
    ("shenji", "审计管理员(演示)", Role.AUDITADMIN, "变更审计 /audit/ 与登录记录,只读"),
]


def load(stdout, *, password: str) -> list[tuple[str, str]]:
    User = get_user_model()
    logins = []
    for username, full_name, role, where in DUTY_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "role": role, "email": f"{username}@demo.jushi.invalid"},
        )
        if created:
            user.set_password(password)
            user.save()
        logins.append((username, f"{user.get_role_display()} — {where}"))
    return logins
