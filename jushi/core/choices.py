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
