"""Change-log rows written before the chain existed are hashed by migration 0004, in id order."""

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from jushi.core import audit
from jushi.core.models import AuditChain, ChangeLog

BEFORE = [("core", "0002_notification")]
AFTER = [("core", "0005_changelog_seq_required")]


class HashExistingRowsTests(TransactionTestCase):
    # Like every transactional test that runs beside the serialized ones on PostgreSQL: the migrated rows
    # (content types among them) are loaded before and the flush after does not recreate them under new ids.
    serialized_rollback = True

    def tearDown(self):
        # Leave the schema as every later test expects it: all of every app's migrations, not just 0005.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        super().tearDown()

    def test_existing_rows_are_chained_in_id_order_and_verify(self):
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        ContentType = old.get_model("contenttypes", "ContentType")
        OldLog = old.get_model("core", "ChangeLog")
        ct = ContentType.objects.get(app_label="core", model="notification")
        for i in range(5):
            OldLog.objects.create(
                action="update",
                source="web",
                content_type=ct,
                object_id=str(i),
                object_repr=f"通知{i}",
                user_name="admin",
                zone_id=7 if i % 2 else None,
                before={"n": i, "amount": "1.50"},
                after={"n": i + 1, "list": [1, 2.0]},
            )
        OldLog.objects.filter(object_id="0").update(time=dt.datetime(2024, 7, 20, 2, 12, tzinfo=dt.UTC))

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)

        rows = list(ChangeLog.objects.order_by("id"))
        self.assertEqual([r.seq for r in rows], [1, 2, 3, 4, 5])
        self.assertEqual(rows[0].prev_hash, "")
        self.assertEqual([r.prev_hash for r in rows[1:]], [r.hash for r in rows[:-1]])
        head = AuditChain.objects.get(pk=1)
        self.assertEqual((head.seq, head.hash), (5, rows[-1].hash))
        result = audit.verify()
        self.assertTrue(result.ok, result.message)
        self.assertEqual(result.count, 5)
        # and new rows continue the same chain
        event = audit.record_event(kind="login", object_repr="admin", user_name="admin")
        self.assertEqual((event.seq, event.prev_hash), (6, rows[-1].hash))
        ChangeLog.objects.filter(pk=rows[0].pk).update(object_repr="改过")
        self.assertIn("第 1 条记录", audit.verify().message)
