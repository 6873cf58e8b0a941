"""Moving many rows in and out of the database without building a model instance for each.

A period import writes 300,000 values and reads three times as many for the checks' history. Django's
`bulk_create` and `values_list` spend most of that time creating instances and converting each cell
one call at a time. These helpers keep the SQL Django's (the query is built by the ORM, the insert
names the model's own columns) and skip only the per-cell machinery:

    insert_rows(Value, ["submission", "field", "current"], rows)   # tuples in: 500-row INSERTs, or COPY
    raw_values(Value.objects.filter(...).values_list("field_id", "current"))  # tuples out, as stored
    to_decimal(cell)   # a raw numeric cell (SQLite gives int or float, PostgreSQL Decimal) → Decimal

Callers pass values the database driver already takes (ints, str, Decimal); fields that need their
own preparation (dates, JSON) are prepared here with the field's own `get_db_prep_save`, and
decimals go to SQLite as floats (see `_column`).
"""

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from decimal import Context, Decimal

from django.db import connections, models, router

_PLAIN = (
    models.IntegerField,  # and its subclasses: small, big and positive integers
    models.AutoField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.DecimalField,  # both drivers adapt Decimal themselves (SQLite through Django's adapter)
)
FROM_FLOAT = Context(prec=15).create_decimal_from_float  # SQLite keeps 15 significant digits


def _column(model, name: str, vendor: str):
    """The column name, and how to prepare a value for it: None when the driver takes it as is."""
    field = model._meta.get_field(name)
    if isinstance(field, models.DecimalField) and vendor == "sqlite":
        # SQLite keeps a decimal column as REAL (or INTEGER when whole). Django binds the Decimal's text
        # and SQLite parses it; binding the nearest float stores the very same value (a test pins it)
        # without the parsing, a tenth of the time of a 300,000-row insert.
        return field.column, AS_FLOAT
    if isinstance(field, (models.ForeignKey, *_PLAIN)):
        return field.column, None
    return field.column, lambda value, connection: field.get_db_prep_save(value, connection)


AS_FLOAT = "float"  # marks a column whose values are bound as floats (see _column)


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence], *, chunk: int = 500) -> int:
    """Insert `rows` (tuples in the order of `fields`) into `model`'s table; returns how many.

    No signals, no defaults, no validation: the caller supplies every column it needs, already
    checked. Run it inside the caller's transaction so a failure leaves nothing behind. SQLite gets
    one INSERT of up to `chunk` rows at a time, PostgreSQL one COPY stream."""
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = [_column(model, name, connection.vendor) for name in fields]
    floats = [i for i, (_, prepare) in enumerate(columns) if prepare is AS_FLOAT]
    prepared = [(i, prepare) for i, (_, prepare) in enumerate(columns) if callable(prepare)]
    rows = _prepared(rows, connection, floats, prepared)
    if connection.vendor == "postgresql":
        return _copy(connection, model._meta.db_table, [c for c, _ in columns], rows)
    # Many rows per INSERT: SQLite runs one statement of 500 rows twice as fast as 500 executions.
    width = len(columns)
    per_statement = max(1, min(chunk, _max_params(connection) // width))
    one = "({})".format(", ".join(["%s"] * width))
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608  (identifiers from the model, quoted)
        quote(model._meta.db_table), ", ".join(quote(c) for c, _ in columns)
    )
    full = head + ", ".join([one] * per_statement)
    total = 0
    batch: list = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.extend(row)
            if len(batch) == per_statement * width:
                cursor.execute(full, batch)
                total += per_statement
                batch = []
        if batch:
            cursor.execute(head + ", ".join([one] * (len(batch) // width)), batch)
            total += len(batch) // width
    return total


def _max_params(connection) -> int:
    """Parameters one statement may bind: 32,766 since SQLite 3.32, 999 before; else Django's figure."""
    if connection.vendor == "sqlite":
        return 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
    return connection.features.max_query_params or 65535


def _copy(connection, table: str, columns: list[str], rows: Iterable[Sequence]) -> int:
    """PostgreSQL: COPY FROM STDIN, one stream for all rows (executemany would be a statement each)."""
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(quote(table), ", ".join(quote(c) for c in columns))
    total = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            total += 1
    return total


def _prepared(rows: Iterable[Sequence], connection, floats: list[int], prepared: list) -> Iterator[Sequence]:
    if not floats and not prepared:
        yield from rows
        return
    last = {}  # column → (value, prepared): a batch often repeats one time stamp in every row
    for row in rows:
        row = list(row)
        for i in floats:
            value = row[i]
            if value is not None:
                row[i] = float(value)
        for i, prepare in prepared:
            value = row[i]
            seen = last.get(i)
            if seen is not None and seen[0] is value:
                row[i] = seen[1]
            else:
                row[i] = prepare(value, connection)
                last[i] = (value, row[i])
        yield row


def raw_values(queryset: models.QuerySet) -> Iterator[tuple]:
    """The rows of a `values_list` queryset as the driver returns them: no converters applied.

    Decimal columns come back as int or float on SQLite; pass them through `to_decimal`."""
    sql, params = queryset.query.sql_with_params()
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(10_000)
            if not rows:
                return
            yield from rows


def to_decimal(value) -> Decimal | None:
    """A numeric cell as Decimal, with the value Django's SQLite converter would give."""
    if value is None or type(value) is Decimal:
        return value
    if type(value) is float:
        return FROM_FLOAT(value)
    return Decimal(value)
