from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import scopes
from .choices import ChangeAction, ChangeSource


class ChangeLogQuerySet(models.QuerySet):
    def visible_to(self, user):
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

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class ChangeLog(models.Model):
    """One create, update or delete of a record, from any door: page, API, import or command."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
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

    def changes(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) for every field that differs."""
        before, after = self.before or {}, self.after or {}
        from .changelog import label_for

        model = self.content_type.model_class()
        return [
            (label_for(model, key), before.get(key), after.get(key))
            for key in dict.fromkeys([*before, *after])
            if before.get(key) != after.get(key)
        ]


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
