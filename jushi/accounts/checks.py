"""Deploy checks (`jushi check --deploy`) for the login rules and the separation of duties (三员分立)."""

from collections import defaultdict

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from .choices import DUTY_ROLES, Role

ORDER = ("superuser", Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN)


def _label(duty: str) -> str:
    return "超级用户" if duty == "superuser" else str(Role(duty).label)


@register(Tags.security, deploy=True)
def check_two_factor(app_configs, **kwargs):
    if settings.JUSHI_2FA_REQUIRED:
        return []
    return [
        Warning(
            "JUSHI_2FA_REQUIRED 已关闭:管理员和超级用户可以不用双因素认证登录",
            hint="生产环境请去掉 JUSHI_2FA_REQUIRED=0(等保2.0 三级要求管理员使用两种以上鉴别技术)",
            id="accounts.W001",
        )
    ]


def duty_problems(users) -> list[Warning]:
    """What is wrong with who holds the three duties. `users`: the active accounts that can log in."""
    problems = []
    holders = {duty: [u for u in users if u.role == duty and not u.is_superuser] for duty in DUTY_ROLES}
    superusers = [u for u in users if u.is_superuser]
    if superusers and not all(holders.values()):
        missing = "、".join(_label(d) for d in ORDER[1:] if not holders[d])
        problems.append(
            Warning(
                f"超级用户({'、'.join(u.username for u in superusers)})是三员职责的唯一持有者:没有{missing}账号",
                hint="建立系统管理员、安全管理员、审计管理员三个账号,分别交给三个人;日常不用超级用户",
                id="accounts.W002",
            )
        )
    # One person, known by e-mail or full name across accounts, holding two of: the three duties, superuser.
    by_person = defaultdict(set)
    for u in users:
        held = {"superuser"} if u.is_superuser else set()
        if u.role in DUTY_ROLES:
            held.add(u.role)
        for key in {u.email.strip().lower(), u.full_name.strip()} - {""}:
            by_person[key] |= {(h, u.username) for h in held}
    for u in superusers:
        if u.role in DUTY_ROLES:
            by_person[f"@{u.username}"] |= {("superuser", u.username), (u.role, u.username)}
    reported = set()
    for person, held in sorted(by_person.items()):
        duties = {h for h, _name in held}
        accounts = tuple(sorted({name for _h, name in held}))
        if len(duties) > 1 and accounts not in reported:
            reported.add(accounts)
            labels = "、".join(_label(d) for d in ORDER if d in duties)
            problems.append(
                Warning(
                    f"同一人({person.lstrip('@')})同时持有{labels}(账号:{'、'.join(accounts)})",
                    hint="三员分立:系统管理员、安全管理员、审计管理员和超级用户应由不同的人担任",
                    id="accounts.W003",
                )
            )
    return problems


@register(Tags.security, deploy=True)
def check_separation_of_duties(app_configs, **kwargs):
    from django.contrib.auth import get_user_model

    try:
        users = [u for u in get_user_model().objects.filter(is_active=True) if u.has_usable_password()]
    except DatabaseError:
        return []  # no database yet (before migrate): nothing to say about accounts
    return duty_problems(users)
