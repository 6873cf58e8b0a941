"""The audit hash chain: every change-log row and security event is a link; `jushi audit verify` names
the first edited or missing row; young rows cannot be deleted; pruning old rows keeps the chain valid."""

import datetime as dt
import io

from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from jushi.accounts.models import User
from jushi.core import audit, changelog
from jushi.core.choices import AuditKind, ChangeAction, ChangeSource
from jushi.core.models import AuditChain, AuditEvent, AuditRetentionError, ChangeLog


def _log(actor, obj, name, *, time=None):
    """A change-log row as `record` writes it, at `time` if given (rows written long ago)."""
    row = ChangeLog(
        time=time or timezone.now(),
        user=actor,
        user_name=actor.username,
        action=ChangeAction.UPDATE,
        source=ChangeSource.WEB,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=name,
        zone_id=None,
        before={"name": "旧"},
        after={"name": name},
    )
    return audit.append(row)


def _empty_chain():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_changelog")
        cursor.execute("DELETE FROM core_auditevent")
    AuditChain.objects.all().update(seq=0, hash="")


def _verify():
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as exc:
        return False, out.getvalue(), str(exc)
    return True, out.getvalue(), ""


class ChainTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = User.objects.create_user("zhang", password="x", role="admin")

    def setUp(self):
        # setUpTestData wrote a permission event (the user's creation); the chain starts with it.
        self.start = AuditChain.objects.get(pk=1).seq

    def write(self, n):
        return [
            changelog.record(
                actor=self.user,
                action=ChangeAction.UPDATE,
                obj=self.user,
                before={"full_name": f"名{i}"},
                after={"full_name": f"名{i + 1}"},
                source=ChangeSource.WEB,
                reason=f"第 {i} 次",
            )
            for i in range(n)
        ]

    def test_record_writes_linked_rows_and_verify_passes(self):
        rows = self.write(3)
        self.assertEqual([r.seq for r in rows], [self.start + 1, self.start + 2, self.start + 3])
        self.assertEqual(rows[1].prev_hash, rows[0].hash)
        self.assertEqual(rows[2].prev_hash, rows[1].hash)
        self.assertEqual(len(rows[0].hash), 64)
        head = AuditChain.objects.get(pk=1)
        self.assertEqual((head.seq, head.hash), (rows[2].seq, rows[2].hash))
        ok, out, _ = _verify()
        self.assertTrue(ok)
        self.assertIn(f"已校验 {self.start + 3} 条记录", out)

    def test_a_row_edited_in_the_database_is_named(self):
        rows = self.write(4)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_changelog SET reason = %s WHERE id = %s", ["改过的原因", rows[2].pk])
        ok, out, error = _verify()
        self.assertFalse(ok)
        when = timezone.localtime(rows[2].time).strftime("%Y-%m-%d %H:%M")
        self.assertIn(
            f"第 {rows[2].seq} 条记录(变更记录 id={rows[2].pk}, {when}, 修改 用户 zhang)内容被改动", error
        )
        self.assertIn(f"已校验 {rows[2].seq - 1} 条记录", out)
        head = AuditChain.objects.get(pk=1)
        self.assertIs(head.verified_ok, False)

    def test_an_edited_json_value_is_named(self):
        rows = self.write(2)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_changelog SET after = %s WHERE id = %s", ['{"full_name": "X"}', rows[0].pk]
            )
        self.assertIn(f"第 {rows[0].seq} 条记录", audit.verify().message)

    def test_a_deleted_middle_row_is_named_by_its_neighbours(self):
        rows = self.write(4)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_changelog WHERE id = %s", [rows[1].pk])
        ok, _, error = _verify()
        self.assertFalse(ok)
        self.assertIn(f"id={rows[0].pk}", error)
        self.assertIn(f"id={rows[2].pk}", error)
        self.assertIn(f"之间缺少 1 条记录(被删除):第 {rows[1].seq} 至 {rows[1].seq} 条", error)

    def test_a_deleted_tail_is_detected_through_the_head(self):
        rows = self.write(3)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_changelog WHERE id IN (%s, %s)", [rows[1].pk, rows[2].pk])
        ok, _, error = _verify()
        self.assertFalse(ok)
        self.assertIn(f"第 {rows[0].seq} 条记录(变更记录 id={rows[0].pk}", error)
        self.assertIn(f"之后缺少 2 条记录(被删除):第 {rows[1].seq} 至 {rows[2].seq} 条", error)

    def test_a_rehashed_edit_breaks_the_next_link(self):
        # Someone who edits a row and recomputes its own hash still breaks the link of the next row.
        rows = self.write(3)
        row = ChangeLog.objects.get(pk=rows[1].pk)
        row.reason = "伪造"
        new_hash = audit.digest(audit.content_of(row), row.prev_hash)
        ChangeLog.objects.filter(pk=row.pk).update(reason="伪造", hash=new_hash)
        message = audit.verify().message
        self.assertIn(f"第 {rows[2].seq} 条记录(变更记录 id={rows[2].pk}", message)
        self.assertIn("链接不符", message)

    def test_a_rolled_back_write_leaves_no_gap(self):
        self.write(1)
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.write(2)
            raise RuntimeError
        rows = self.write(1)
        self.assertEqual(rows[0].seq, self.start + 2)
        self.assertTrue(audit.verify().ok)

    def test_events_and_changes_share_one_chain(self):
        first = self.write(1)[0]
        event = audit.record_event(kind=AuditKind.LOGIN, actor=self.user, object_repr="zhang")
        last = self.write(1)[0]
        self.assertEqual((event.seq, event.prev_hash), (first.seq + 1, first.hash))
        self.assertEqual((last.seq, last.prev_hash), (event.seq + 1, event.hash))
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET ip = '10.0.0.9' WHERE id = %s", [event.pk])
        self.assertIn(f"第 {event.seq} 条记录(安全事件 id={event.pk}", audit.verify().message)


class RetentionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = User.objects.create_user("zhang", password="x", role="admin")

    def test_deleting_young_rows_is_refused(self):
        row = _log(self.user, self.user, "甲")
        events = AuditEvent.objects.count()
        with self.assertRaisesMessage(AuditRetentionError, "审计记录至少保留 180 天"):
            ChangeLog.objects.all().delete()
        with self.assertRaisesMessage(AuditRetentionError, "不能删除"):
            row.delete()
        with self.assertRaises(AuditRetentionError):
            AuditEvent.objects.all().delete()
        self.assertTrue(ChangeLog.objects.filter(pk=row.pk).exists())
        self.assertEqual(AuditEvent.objects.count(), events)

    @override_settings(JUSHI_AUDIT_RETENTION_DAYS=30)
    def test_retention_cannot_be_set_below_180_days(self):
        row = _log(self.user, self.user, "甲", time=timezone.now() - dt.timedelta(days=100))
        with self.assertRaisesMessage(AuditRetentionError, "至少保留 180 天"):
            row.delete()

    def test_prune_deletes_old_rows_and_verify_stays_green(self):
        old = timezone.now() - dt.timedelta(days=400)
        _empty_chain()  # the user's creation above is young; the chain must start with old rows
        olds = [_log(self.user, self.user, f"旧{i}", time=old + dt.timedelta(hours=i)) for i in range(5)]
        youngs = [_log(self.user, self.user, f"新{i}") for i in range(2)]
        self.assertTrue(audit.verify().ok)
        before = (timezone.now() - dt.timedelta(days=200)).date()
        out = io.StringIO()
        call_command("audit", "prune", "--before", before.isoformat(), stdout=out)
        self.assertIn("已删除", out.getvalue())
        self.assertIn("5 条审计记录", out.getvalue())
        self.assertFalse(ChangeLog.objects.filter(pk__in=[r.pk for r in olds]).exists())
        self.assertEqual(ChangeLog.objects.filter(pk__in=[r.pk for r in youngs]).count(), 2)
        anchor = AuditEvent.objects.get(kind=AuditKind.PRUNE)
        self.assertEqual(anchor.detail["through_seq"], olds[-1].seq)
        self.assertEqual(anchor.detail["through_hash"], olds[-1].hash)
        self.assertEqual(anchor.detail["deleted"], 5)
        self.assertEqual(anchor.user_name, "system")
        ok, out, _ = _verify()
        self.assertTrue(ok, out)
        # two young rows, the creation of the "system" user that ran the command, and the anchor
        self.assertIn("已校验 4 条记录", out)
        # Deleting the first remaining row is still caught after a pruning.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_changelog WHERE id = %s", [youngs[0].pk])
        self.assertIn("之间缺少 1 条记录", audit.verify().message)

    def test_prune_inside_the_retention_period_is_refused(self):
        _log(self.user, self.user, "甲")
        count = ChangeLog.objects.count()
        recent = (timezone.now() - dt.timedelta(days=10)).date().isoformat()
        with self.assertRaisesMessage(CommandError, "至少保留 180 天"):
            call_command("audit", "prune", "--before", recent, stdout=io.StringIO())
        with self.assertRaisesMessage(CommandError, "--before: 日期应为 YYYY-MM-DD"):
            call_command("audit", "prune", "--before", "2024-13-01", stdout=io.StringIO())
        self.assertEqual(ChangeLog.objects.count(), count)

    def test_a_broken_chain_is_not_pruned(self):
        _empty_chain()
        old = timezone.now() - dt.timedelta(days=400)
        rows = [_log(self.user, self.user, f"旧{i}", time=old) for i in range(3)]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_changelog SET object_repr = 'x' WHERE id = %s", [rows[1].pk])
        with self.assertRaisesMessage(CommandError, "审计链未通过校验,不清理"):
            call_command("audit", "prune", "--before", (old + dt.timedelta(days=5)).date().isoformat())
        self.assertEqual(ChangeLog.objects.count(), 3)

    def test_admin_site_offers_no_deletion_of_audit_rows(self):
        from django.contrib import admin

        for model in (ChangeLog, AuditEvent):
            model_admin = admin.site._registry.get(model)
            if model_admin is not None:
                self.assertFalse(model_admin.has_delete_permission(None))
