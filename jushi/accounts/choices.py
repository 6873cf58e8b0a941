from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("开发区管理员")
    STAFF = "staff", _("工作人员")
    LEADER = "leader", _("领导(只读)")
    REPORTER = "reporter", _("企业填报员")
    REGIONAL = "regional", _("上级部门(多开发区)")
    # Separation of duties (三员分立, 等保2.0 level 3): three accounts that run the platform and see no
    # business data. They work in the Django admin (/django-admin/) and, for the auditor, the audit page.
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITADMIN = "auditadmin", _("审计管理员")


class Department(models.TextChoices):
    NONE = "", _("—")
    ECONOMY = "economy", _("经济发展局/统计")
    INVESTMENT = "investment", _("招商局")
    PROJECTS = "projects", _("项目办")
    FINANCE = "finance", _("财政局")
    GENERAL = "general", _("综合办公室")


# What each role may do. Which rows it may do it on is the scope's business (jushi.core.scopes).
# The system and security administrators have no business action at all (not even "view"), so every
# `restrict(user, ...)` is empty for them; the audit administrator only reads the audit trail.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {"view", "add", "change", "delete", "import", "export", "audit", "review", "publish"}
    ),
    Role.STAFF: frozenset({"view", "add", "change", "import", "export", "review", "publish"}),
    Role.LEADER: frozenset({"view", "export"}),
    Role.REGIONAL: frozenset({"view", "export"}),
    Role.REPORTER: frozenset({"view", "export", "report"}),
    Role.SYSADMIN: frozenset(),
    Role.SECADMIN: frozenset(),
    Role.AUDITADMIN: frozenset({"audit"}),
}

# The three duties of 三员分立: one person holds at most one of them, and none with business data.
DUTY_ROLES: frozenset[str] = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})

# Who must use two-factor login when JUSHI_2FA_REQUIRED is on (superusers too).
TWO_FACTOR_ROLES: frozenset[str] = frozenset({Role.ADMIN, *DUTY_ROLES})

# Whose password expires after JUSHI_PASSWORD_MAX_AGE_DAYS (superusers too). Leaders and regional
# officials read confidential statistics across a zone, so they rotate like staff; enterprise reporters
# are outside users who see only their own enterprise and log in a few times a year: no expiry, which
# would mostly lock them out before a reporting deadline.
PASSWORD_EXPIRY_ROLES: frozenset[str] = frozenset(
    {Role.ADMIN, Role.STAFF, Role.LEADER, Role.REGIONAL, *DUTY_ROLES}
)
