"""The database side of a backup, per vendor: connecting, listing tables in a stable order, the row
digests the manifest records and the restore re-checks, the schema, where the file is and what the
operator types to confirm. `jushi.core.backup` builds the archive and the restore on these."""

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

from django.db import connection, connections


class BackupError(Exception):
    """A backup or restore refused or failed, said in words for the operator."""


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def pg_binary(name: str) -> str:
    """pg_dump / pg_restore: the newest under /usr/lib/postgresql/*/bin (a newer client reads and dumps
    older servers), else the one on PATH."""
    versioned = []
    for path in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"):
        major = path.parent.parent.name
        if major.isdigit():
            versioned.append((int(major), str(path)))
    if versioned:
        return max(versioned)[1]
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}:请安装 PostgreSQL 客户端(Debian/Ubuntu: postgresql-client)")
    return found


def pg_env(settings_dict: dict) -> dict:
    """The connection for pg_dump/pg_restore, passed in the environment (never the password on the
    command line, where `ps` would show it)."""
    env = dict(os.environ)
    pairs = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(option):
            pairs[variable] = options[option]
    for key, value in pairs.items():
        if value not in (None, ""):
            env[key] = str(value)
    return env


def pg_connect(alias: str = "default", **kwargs):
    """A psycopg connection of its own to Django's PostgreSQL database (not Django's connection)."""
    import psycopg

    params = connections[alias].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, **kwargs)


PG_SESSION = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 1",
    "SET bytea_output = 'hex'",
)


def pg_tables(cur) -> list[str]:
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
    )
    return [row[0] for row in cur.fetchall()]


def pg_order(cur, table: str) -> str:
    cur.execute(
        "SELECT a.attname FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND i.indisprimary "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)",
        [quote(table)],
    )
    columns = [quote(row[0]) for row in cur.fetchall()]
    return ", ".join(columns) if columns else "t::text"


def pg_digests(conn) -> dict[str, dict]:
    """Row count and row hash of every table, in the connection's current transaction."""
    result = {}
    with conn.cursor() as cur:
        for statement in PG_SESSION:
            cur.execute(statement)
        tables = pg_tables(cur)
        orders = {table: pg_order(cur, table) for table in tables}
    for table in tables:
        digest, rows = hashlib.sha256(), 0
        with conn.cursor() as cur:
            query = f"SELECT t::text FROM {quote(table)} AS t ORDER BY {orders[table]}"  # noqa: S608
            for (text,) in cur.stream(query):
                digest.update(text.encode())
                digest.update(b"\n")
                rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def pg_schema(conn) -> dict[str, str]:
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
        if not cur.fetchone()[0]:
            return {}
        cur.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return dict(cur.fetchall())


def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name"
    )
    return [row[0] for row in rows]


def sqlite_value(value):
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    return value


def sqlite_digests(conn: sqlite3.Connection) -> dict[str, dict]:
    """Row count and row hash of every table: the stored values (int, float, text, blob, null) as a
    JSON array per row, in primary-key order."""
    result = {}
    for table in sqlite_tables(conn):
        info = conn.execute(f"PRAGMA table_info({quote(table)})").fetchall()
        keyed = sorted((col[5], col[1]) for col in info if col[5])
        columns = [quote(name) for _, name in keyed] or [quote(col[1]) for col in info]
        digest, rows = hashlib.sha256(), 0
        query = f"SELECT * FROM {quote(table)} ORDER BY {', '.join(columns)}"  # noqa: S608
        for row in conn.execute(query):
            line = json.dumps([sqlite_value(v) for v in row], ensure_ascii=False, separators=(",", ":"))
            digest.update(line.encode())
            digest.update(b"\n")
            rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def sqlite_schema(conn: sqlite3.Connection) -> dict[str, str]:
    if "django_migrations" not in sqlite_tables(conn):
        return {}
    return dict(conn.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall())


def sqlite_path() -> Path:
    return Path(connection.settings_dict["NAME"])


def database_label() -> str:
    """What the operator types to confirm an overwrite: PostgreSQL's database name, SQLite's file name."""
    if connection.vendor == "sqlite":
        return sqlite_path().name
    return str(connection.settings_dict["NAME"])
