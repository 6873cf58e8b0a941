"""Concurrent writers queue behind the chain head: no two links share a number, the chain never forks."""

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test import TransactionTestCase

from jushi.core import audit, changelog
from jushi.core.choices import AuditKind, ChangeAction, ChangeSource
from jushi.core.models import AuditEvent, ChangeLog

WRITERS, EACH = 4, 15


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite lets one writer at a time anyway")
class ConcurrentWritersTests(TransactionTestCase):
    # The rows migrations installed (industries, forms, the catalog, content types) are put back before the
    # test and the flush afterwards leaves them to the next serialized test: without it, a flush recreates
    # content types under new ids and a later serialized test cannot load its snapshot.
    serialized_rollback = True

    def test_parallel_writers_make_one_chain(self):
        ct = ContentType.objects.get_for_model(AuditEvent)
        errors = []
        start = threading.Barrier(WRITERS)

        def write(n):
            try:
                start.wait()
                for i in range(EACH):
                    if i % 2:
                        audit.record_event(kind=AuditKind.LOGIN, object_repr=f"w{n}-{i}", user_name=f"w{n}")
                    else:
                        obj = ContentType(pk=ct.pk, app_label=ct.app_label, model=ct.model)
                        changelog.record(
                            actor=None,
                            action=ChangeAction.UPDATE,
                            obj=obj,
                            before={"i": i},
                            after={"i": i + 1},
                            source=ChangeSource.CLI,
                        )
            except Exception as exc:  # reported below: a thread's exception does not fail the test itself
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        seqs = sorted(
            [
                *ChangeLog.objects.values_list("seq", flat=True),
                *AuditEvent.objects.values_list("seq", flat=True),
            ]
        )
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + WRITERS * EACH)))
        result = audit.verify()
        self.assertTrue(result.ok, result.message)
