from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("开发区管理员")
    STAFF = "staff", _("工作人员")
    LEADER = "leader", _("领导(只读)")
    REPORTER = "reporter", _("企业填报员")
    REGIONAL = "regional", _("上级部门(多开发区)")


class Department(models.TextChoices):
    NONE = "", _("—")
    ECONOMY = "economy", _("经济发展局/统计")
    INVESTMENT = "investment", _("招商局")
    PROJECTS = "projects", _("项目办")
    FINANCE = "finance", _("财政局")
    GENERAL = "general", _("综合办公室")


# What each role may do. Which rows it may do it on is the scope's business (jushi.core.scopes).
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {"view", "add", "change", "delete", "import", "export", "audit", "review", "publish"}
    ),
    Role.STAFF: frozenset({"view", "add", "change", "import", "export", "review", "publish"}),
    Role.LEADER: frozenset({"view", "export"}),
    Role.REGIONAL: frozenset({"view", "export"}),
    Role.REPORTER: frozenset({"view", "export", "report"}),
}
