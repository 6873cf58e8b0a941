"""Refreshes of one zone at the same moment (two approvals committing together) queue on the zone's row."""

import threading
from io import StringIO

import pytest
from django.db import connection, connections
from django.test import TransactionTestCase

from jushi.indicators import engine
from jushi.indicators.models import Result
from jushi.registry import demo as registry_demo
from jushi.registry.models import Zone
from jushi.reporting import demo as reporting_demo

REFRESHERS, EACH = 4, 3


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite lets one writer at a time anyway")
class ConcurrentRefreshTests(TransactionTestCase):
    # The rows migrations installed (industries, forms, the catalog, content types) are put back before the
    # test and the flush afterwards leaves them to the next serialized test: without it, a flush recreates
    # content types under new ids and a later serialized test cannot load its snapshot.
    serialized_rollback = True

    def test_parallel_refreshes_of_one_period_neither_fail_nor_duplicate(self):
        registry_demo.load(StringIO(), password="demo-pass-1")
        reporting_demo.load(StringIO(), password="demo-pass-1")
        zone = Zone.objects.get(code="kashgar-edz")
        expected = engine.refresh(zone, "2024-06", following=False)
        errors = []
        start = threading.Barrier(REFRESHERS)

        def refresh():
            try:
                start.wait()
                for _ in range(EACH):
                    engine.refresh(zone, "2024-06", following=False)
            except Exception as exc:  # reported below: a thread's exception does not fail the test itself
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=refresh) for _ in range(REFRESHERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])  # before the zone lock: UniqueViolation on result_once
        self.assertEqual(Result.objects.filter(zone=zone, period="2024-06").count(), expected)
