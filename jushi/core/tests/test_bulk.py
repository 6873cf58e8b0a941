"""Bulk helpers store and read exactly what the ORM would, on SQLite and on PostgreSQL."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from jushi.core.bulk import insert_rows, raw_values, to_decimal
from jushi.lib.periods import Period
from jushi.registry.models import Enterprise, Industry, Region, Zone
from jushi.reporting.models import ReportForm, Submission, SubmissionEvent, Value, ValueChange
from jushi.reporting.services.periods import open_period

pytestmark = pytest.mark.django_db

FIGURES = [
    D("14263.9"),
    D("0"),
    D("12345"),
    D("0.0001"),
    D("-7.5"),
    D("999999999999999.9"),  # 16 significant digits: beyond what SQLite keeps
    D("123456789.1234"),
    None,
]


@pytest.fixture
def two_submissions(django_user_model):
    region = Region.objects.create(code="650000", name="新疆", level="province")
    zone = Zone.objects.create(code="z", name="测试区", level="national", kind="etdz", region=region)
    industry, _ = Industry.objects.get_or_create(code="C", defaults={"name": "制造业", "level": "section"})
    for i in range(2):
        Enterprise.objects.create(
            zone=zone, industry=industry, name=f"企业{i}", credit_code=f"9165010000000000{i}X"
        )
    form = ReportForm.objects.get(code="ind-monthly")
    actor = django_user_model.objects.create_superuser("root", "r@x.invalid", "x")
    period, _ = open_period(actor=actor, form=form, zone=zone, period=Period.parse("2024-06"))
    Submission.objects.bulk_create(
        Submission(period=period, enterprise=e) for e in Enterprise.objects.filter(zone=zone)
    )
    return list(Submission.objects.filter(period=period)), list(form.fields.all()[: len(FIGURES)]), actor


def test_inserted_decimals_read_back_as_the_orm_stores_them(two_submissions):
    (by_orm, by_bulk), fields, _ = two_submissions
    Value.objects.bulk_create(
        Value(submission=by_orm, field=f, current=v, last_year=v)
        for f, v in zip(fields, FIGURES, strict=True)
    )
    written = insert_rows(
        Value,
        ["submission", "field", "current", "last_year", "revision"],
        [(by_bulk.pk, f.pk, v, v, 1) for f, v in zip(fields, FIGURES, strict=True)],
        chunk=3,  # several executemany batches
    )
    assert written == len(FIGURES)
    orm = list(Value.objects.filter(submission=by_orm).order_by("field").values_list("current", "last_year"))
    bulk = list(
        Value.objects.filter(submission=by_bulk).order_by("field").values_list("current", "last_year")
    )
    assert bulk == orm
    assert bulk[0] == (D("14263.9"), D("14263.9"))
    if connection.vendor == "sqlite":  # the same storage class too: REAL, INTEGER or NULL
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT submission_id, typeof(current) FROM reporting_value ORDER BY submission_id, field_id"
            )
            kinds = {}
            for submission_id, kind in cursor.fetchall():
                kinds.setdefault(submission_id, []).append(kind)
        assert kinds[by_bulk.pk] == kinds[by_orm.pk]


def test_raw_values_and_to_decimal_match_the_orm(two_submissions):
    (submission, _), fields, _ = two_submissions
    Value.objects.bulk_create(
        Value(submission=submission, field=f, current=v) for f, v in zip(fields, FIGURES, strict=True)
    )
    query = Value.objects.filter(submission=submission).order_by("field").values_list("field_id", "current")
    assert [(f, to_decimal(v)) for f, v in raw_values(query)] == list(query)


def test_dates_and_json_are_prepared_by_their_fields(two_submissions):
    (submission, _), _, actor = two_submissions
    now = timezone.now()
    changes = {"gross_output": {"current": [None, "1.5"]}}
    insert_rows(
        ValueChange,
        ["submission", "revision", "changes", "user", "user_name", "time", "source", "reason", "batch"],
        [(submission.pk, 1, changes, actor.pk, "root", now, "import", "", "b")] * 2,
    )
    insert_rows(
        SubmissionEvent,
        ["submission", "kind", "time", "actor", "actor_name", "revision", "note", "source", "batch"],
        [(submission.pk, "imported", now, None, "", 1, "", "import", "b")],
    )
    stored = list(ValueChange.objects.filter(submission=submission))
    assert [(c.changes, c.time, c.user_id) for c in stored] == [(changes, now, actor.pk)] * 2
    assert SubmissionEvent.objects.get(submission=submission).time == now
