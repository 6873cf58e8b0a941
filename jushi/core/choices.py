from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")


class ChangeSource(models.TextChoices):
    WEB = "web", _("页面")
    API = "api", _("接口")
    IMPORT = "import", _("导入")
    CLI = "cli", _("命令行")
    DEMO = "demo", _("演示数据")


class AuditKind(models.TextChoices):
    """Security events, chained with the change log in one audit trail (等保2.0 安全审计)."""

    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    LOGIN_FAILED = "login_fail", _("登录失败")
    PERMISSION = "permission", _("权限变更")
    EXPORT = "export", _("导出")
    PRUNE = "prune", _("清理审计记录")
