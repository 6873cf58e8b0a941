import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import scopes
from .choices import AuditKind, ChangeAction, ChangeSource

AUDIT_ROLE = "auditadmin"  # the audit administrator of 三员分立 (accounts.choices.Role.AUDITADMIN)
MIN_RETENTION_DAYS = 180  # 等保2.0 level 3: audit records kept at least six months


class AuditRetentionError(Exception):
    """A deletion of audit rows younger than the retention period."""


def retention_days() -> int:
    return max(MIN_RETENTION_DAYS, int(getattr(settings, "JUSHI_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)))


def retention_cutoff() -> dt.datetime:
    # Real time, never the application clock: a pinned demo date must not make young rows look old.
    return timezone.now() - dt.timedelta(days=retention_days())


def _refuse_young(count: int) -> None:
    if count:
        days = retention_days()
        since = timezone.localtime(retention_cutoff()).strftime("%Y-%m-%d %H:%M")
        raise AuditRetentionError(
            f"审计记录至少保留 {days} 天:有 {count} 条记录晚于 {since},不能删除"
            f"(清理旧记录请用 jushi audit prune --before 日期)"
        )


class AuditQuerySet(models.QuerySet):
    """Rows of the audit trail: zone admins see their zones' rows; national rows (no zone) only users who
    see all zones and the audit administrator, who sees everything. Deleting rows inside the retention
    period is refused."""

    def visible_to(self, user):
        # The audit administrator (三员分立) has no scope: they audit the whole platform.
        if getattr(user, "role", "") == AUDIT_ROLE and getattr(user, "is_active", False):
            return self
        scope = scopes.scope_of(user)
        if scope.all_zones:
            return self
        if scope.enterprise_id is not None or not scope.zone_ids:
            return self.none()
        return self.filter(zone_id__in=scope.zone_ids)

    def restrict(self, user, action: str = "audit"):
        if not scopes.can(user, action):
            return self.none()
        return self.visible_to(user)

    def delete(self):
        _refuse_young(self.filter(time__gte=retention_cutoff()).count())
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class ChangeLogQuerySet(AuditQuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class Chained(models.Model):
    """A link of the audit chain. `seq` numbers the links of both tables (ChangeLog, AuditEvent) as one
    sequence; `hash` is SHA-256 over the row's content and `prev_hash`, the hash of link seq - 1.
    Rows are written only by `jushi.core.audit.append`, which holds the chain head while it writes."""

    seq = models.BigIntegerField(_("序号"), unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    time = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        _refuse_young(int(self.time is not None and self.time >= retention_cutoff()))
        return super().delete(*args, **kwargs)


class ChangeLog(Chained):
    """One create, update or delete of a record, from any door: page, API, import or command."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=10, choices=ChangeAction.choices)
    source = models.CharField(_("来源"), max_length=10, choices=ChangeSource.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    zone_id = models.BigIntegerField(_("开发区"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    batch = models.CharField(_("批次"), max_length=36, blank=True, db_index=True)

    objects = ChangeLogQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def kind_label(self) -> str:
        return self.get_action_display()

    @property
    def subject(self) -> str:
        return f"{self.content_type.name} {self.object_repr}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) for every field that differs."""
        before, after = self.before or {}, self.after or {}
        from .changelog import label_for

        model = self.content_type.model_class()
        keys = list(dict.fromkeys([*before, *after]))
        # In the model's field order, not the JSON's: PostgreSQL's jsonb keeps keys in its own order.
        order = {f.name: i for i, f in enumerate(model._meta.fields)} if model else {}
        keys.sort(key=lambda k: (order.get(k, len(order)), k))
        return [
            (label_for(model, key), before.get(key), after.get(key))
            for key in keys
            if before.get(key) != after.get(key)
        ]


class AuditEvent(Chained):
    """A security event in the same chain as the change log: a login, a logout, a failed login (the
    username tried and the address, never the password), a change of someone's rights, an export, a
    pruning of old audit rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("用户名"), max_length=150, blank=True)
    kind = models.CharField(_("事件"), max_length=10, choices=AuditKind.choices, db_index=True)
    source = models.CharField(_("来源"), max_length=10, choices=ChangeSource.choices)
    ip = models.CharField(_("IP 地址"), max_length=45, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    zone_id = models.BigIntegerField(_("开发区"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    detail = models.JSONField(_("详情"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")

    def __str__(self):
        return f"{self.get_kind_display()} {self.object_repr}"

    @property
    def kind_label(self) -> str:
        return self.get_kind_display()

    @property
    def subject(self) -> str:
        return self.object_repr

    def changes(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        return [
            (key, before.get(key), after.get(key))
            for key in dict.fromkeys([*before, *after])
            if before.get(key) != after.get(key)
        ]


class AuditChain(models.Model):
    """The chain head, one row: the last link written. Writers lock it (select_for_update) for the rest
    of their transaction, so two writers can never both append after the same link; verify compares it
    with the last row to notice deleted tail rows. It also keeps the last verification's result."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_ok = models.BooleanField(null=True)
    verified_count = models.BigIntegerField(default=0)
    verified_message = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self):
        return f"第 {self.seq} 条"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user (a reminder to report, a returned report); shown in the shell."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.CharField(_("内容"), max_length=1000, blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")

    def __str__(self):
        return self.title


class TableConfig(models.Model):
    """A user's choice of the columns a list page shows (NetBox's table configuration): one row per
    user and table, the column keys in the order shown. Read through `jushi.core.tables`, which drops
    keys the table no longer has."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="table_configs")
    table = models.CharField(_("表格"), max_length=40)
    columns = models.JSONField(_("显示的列"), default=list)
    updated = models.DateTimeField(_("保存时间"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "table"], name="table_config_once_per_user")]
        verbose_name = _("列设置")
        verbose_name_plural = _("列设置")

    def __str__(self):
        return f"{self.user} {self.table}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Superusers and users who see every zone see every job; zone staff see their zones' jobs and their
        own; anyone else (a reporter) only the jobs they asked for."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = scopes.scope_of(user)
        if scope.all_zones:
            return self
        if scope.enterprise_id is None and scope.zone_ids:
            return self.filter(models.Q(zone_id__in=scope.zone_ids) | models.Q(requested_by=user))
        return self.filter(requested_by=user)

    def unfinished(self):
        return self.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])


class Job(models.Model):
    """One piece of background work (an import, an export, a scheduled reminder run): who asked, what it is,
    how far it got, how it ended. The work itself runs through django-tasks (`task_id` is its row in the
    database backend); this record is what people see on the 后台任务 page. See jushi.core.jobs."""

    kind = models.CharField(_("类型"), max_length=64, db_index=True)
    title = models.CharField(_("任务"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, null=True, blank=True
    )
    zone_id = models.BigIntegerField(_("开发区"), null=True, blank=True, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)  # in words, for the person who asked
    detail = models.TextField(_("技术细节"), blank=True)  # the traceback, for the administrators' log
    done = models.IntegerField(_("已处理"), default=0)
    total = models.IntegerField(_("总数"), null=True, blank=True)
    phase = models.CharField(_("阶段"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    task_id = models.CharField(_("队列编号"), max_length=64, blank=True)
    worker_id = models.CharField(_("后台进程"), max_length=64, blank=True)
    retry_of = models.ForeignKey(
        "self",
        verbose_name=_("重试自"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
    )
    # Scheduled runs: "kind:zone:date", unique, so several workers start each day's run once.
    schedule_key = models.CharField(_("定时键"), max_length=120, null=True, blank=True, unique=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


class IdempotencyKey(models.Model):
    """A client's key for one action (报送, 审核通过, 退回), so a request sent twice (a retry after a lost
    answer, a server restarted mid-request, a double click) acts once. Written by `jushi.core.idempotency`
    in the same transaction as the action: a crash before the commit leaves neither, after it both, and
    the second request answers what the first did (`status`, `location` or `body`). Unique per user,
    action and key; keys older than `JUSHI_IDEMPOTENCY_DAYS` are pruned (`idempotency.prune`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("重复提交标识"), max_length=100)
    action = models.CharField(_("操作"), max_length=40)
    target = models.CharField(_("对象"), max_length=64)  # the acted-on record's id
    # Real time, never the application clock: a pinned demo date must not make fresh keys look old.
    created = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField(_("应答状态"), null=True, blank=True)
    location = models.CharField(_("跳转地址"), max_length=300, blank=True)  # pages: where it redirected
    body = models.JSONField(_("应答内容"), null=True, blank=True)  # the API: the JSON answered

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "action", "key"], name="idempotency_key_once_per_user")
        ]
        verbose_name = _("重复提交标识")
        verbose_name_plural = _("重复提交标识")

    def __str__(self):
        return f"{self.action} {self.target} {self.key}"
