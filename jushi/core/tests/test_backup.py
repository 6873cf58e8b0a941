"""`jushi backup` and `jushi restore` round-trip the demo, on the database the suite runs on.

The demo is loaded once per module into a database of its own (a temporary SQLite file, or a PostgreSQL
database created beside the suite's), in a subprocess, so the test's own database is not involved; a few
files are put under its MEDIA_ROOT. The restored copy is compared with the original by row hashes the
test computes itself (not the module's), and the media folders byte by byte."""

import hashlib
import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

REPO = Path(__file__).resolve().parents[3]
VENDOR = "postgresql" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
PDF = "projects/1/3/合同 2024.pdf"


@dataclass
class Site:
    """A database and a var folder (media under it), addressed the way an operator would."""

    name: str
    url: str
    var: Path

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSHI_", "PYTEST_"))}
        env.update(
            DATABASE_URL=self.url, JUSHI_VAR_DIR=str(self.var), DJANGO_SETTINGS_MODULE="jushi.settings"
        )
        return env

    @property
    def label(self) -> str:
        """What --confirm expects: the database name, or the SQLite file's name."""
        return self.name if VENDOR == "postgresql" else Path(self.name).name

    def jushi(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "jushi.cli", *args],
            cwd=REPO,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def hashes(self) -> dict[str, tuple[int, str]]:
        return pg_hashes(self.name) if VENDOR == "postgresql" else sqlite_hashes(Path(self.name))


# ----------------------------------------------------------- the test's own view of a database's rows


def sqlite_hashes(path: Path) -> dict[str, tuple[int, str]]:
    """Each table: (rows, sha256 of the rows' reprs sorted), read with plain sqlite3."""
    if not path.exists():
        return {}
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        result = {}
        for table in tables:
            rows = sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return result
    finally:
        conn.close()


def pg_params() -> dict:
    db = settings.DATABASES["default"]
    return {
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
    }


def pg_url(name: str) -> str:
    p = pg_params()
    return f"postgres://{p['user']}:{p['password']}@{p['host']}:{p['port']}/{name}"


def pg_hashes(name: str) -> dict[str, tuple[int, str]]:
    """Each table: (rows, md5 of the server's row texts sorted), computed by the server."""
    import psycopg

    with psycopg.connect(dbname=name, **pg_params()) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        result = {}
        for table in tables:
            count, digest = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "  # noqa: S608
                f'FROM "{table}" AS t'
            ).fetchone()
            result[table] = (count, digest)
        return result


def pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **pg_params()) as conn:
        for statement in statements:
            conn.execute(statement)


def media_tree(var: Path) -> dict[str, bytes]:
    root = var / "media"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------- fixtures


@dataclass
class Demo:
    source: Site
    tmp: Path
    archive: Path  # .tar.gz
    plain: Path  # .tar, for byte surgery
    before: dict

    def target(self, tag: str) -> Site:
        """An empty place to restore into: a new SQLite file, or a new PostgreSQL database."""
        var = self.tmp / tag
        if VENDOR == "postgresql":
            name = f"{self.source.name.removesuffix('_src')}_{tag}"
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
            return Site(name, pg_url(name), var)
        path = var / "db.sqlite3"
        return Site(str(path), f"sqlite:///{path}", var)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("backup")
    created = []
    if VENDOR == "postgresql":
        name = f"jushi_bk{os.getpid()}_src"
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        created.append(name)
        source = Site(name, pg_url(name), tmp / "src")
    else:
        path = tmp / "src" / "a.sqlite3"
        source = Site(str(path), f"sqlite:///{path}", tmp / "src")
    loaded = source.jushi("demo", "--no-serve")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    media = source.var / "media"
    (media / PDF).parent.mkdir(parents=True)
    (media / PDF).write_bytes(random.Random(15).randbytes(200_000))  # an attachment that does not compress
    (media / "notes" / "说明.txt").parent.mkdir(parents=True)
    (media / "notes" / "说明.txt").write_text("签约材料齐全\n", encoding="utf-8")
    # The import stash (UPLOAD_DIR) is transient: not part of a backup.
    (source.var / "uploads").mkdir(exist_ok=True)
    (source.var / "uploads" / "stash.csv").write_text("企业名称\n", encoding="utf-8")
    archive, plain = tmp / "demo.tar.gz", tmp / "demo.tar"
    for path in (archive, plain):
        made = source.jushi("backup", str(path))
        assert made.returncode == 0, made.stderr[-2000:]
        assert "备份完成" in made.stdout
    demo = Demo(source, tmp, archive, plain, source.hashes())
    try:
        yield demo
    finally:
        for name in created:
            base = name.removesuffix("_src")
            pg_admin(
                *(
                    f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'
                    for n in (name, f"{base}_dst", f"{base}_mig", f"{base}_bad")
                )
            )
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------------- tests


def test_the_archive_holds_the_dump_the_media_and_a_manifest(demo):
    with tarfile.open(demo.archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        member = tar.extractfile("media/" + PDF).read()
    dump = "database.dump" if VENDOR == "postgresql" else "database.sqlite3"
    assert sorted(names) == sorted([dump, "media/" + PDF, "media/notes/说明.txt", "manifest.json"])
    assert manifest["vendor"] == VENDOR
    assert manifest["schema"]["reporting"].startswith("00")
    assert member == (demo.source.var / "media" / PDF).read_bytes()
    assert manifest["files"]["media/" + PDF] == {
        "size": len(member),
        "sha256": hashlib.sha256(member).hexdigest(),
    }
    # The manifest's counts agree with the test's own count of every table of the original.
    counted = {table: rows for table, (rows, _) in demo.before.items() if not table.startswith("sqlite_")}
    assert {t: v["rows"] for t, v in manifest["tables"].items()} == counted
    assert counted["accounts_user"] > 5


def test_restore_into_an_empty_database_is_identical_table_by_table(demo):
    target = demo.target("dst")
    done = target.jushi("restore", str(demo.archive))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "校验通过" in done.stdout
    after = target.hashes()
    assert after == demo.before
    assert sum(rows for rows, _ in after.values()) > 10_000
    assert media_tree(target.var) == media_tree(demo.source.var)


def test_a_freshly_migrated_database_counts_as_empty(demo):
    target = demo.target("mig")
    migrated = target.jushi("migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    if VENDOR == "postgresql":
        # A table the backup does not know (newer code), with a foreign key into a table it restores.
        import psycopg

        with psycopg.connect(dbname=target.name, autocommit=True, **pg_params()) as conn:
            conn.execute('CREATE TABLE "zz_newer" (user_id integer REFERENCES accounts_user (id))')
    done = target.jushi("restore", str(demo.archive))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "校验通过" in done.stdout
    assert target.hashes() == demo.before


def test_a_non_empty_target_is_refused_without_force(demo):
    refused = demo.source.jushi("restore", str(demo.archive))
    assert refused.returncode == 1
    assert "不是空的" in refused.stderr and "accounts_user" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert demo.source.hashes() == demo.before


def test_force_needs_the_database_name(demo):
    wrong = demo.source.jushi("restore", str(demo.archive), "--force", "--confirm", "jushi_wrong")
    assert wrong.returncode == 1
    assert "jushi_wrong" in wrong.stderr and demo.source.label in wrong.stderr and "未恢复" in wrong.stderr
    no_tty = demo.source.jushi("restore", str(demo.archive), "--force")
    assert no_tty.returncode == 1
    assert f"--confirm {demo.source.label}" in no_tty.stderr
    assert demo.source.hashes() == demo.before
    right = demo.source.jushi("restore", str(demo.archive), "--force", "--confirm", demo.source.label)
    assert right.returncode == 0, right.stderr[-2000:]
    assert "校验通过" in right.stdout
    assert demo.source.hashes() == demo.before


@pytest.mark.parametrize("member", ["media/" + PDF, "database"])
def test_a_corrupted_member_is_refused_before_the_database_is_touched(demo, member):
    broken = demo.tmp / "broken.tar"
    shutil.copy(demo.plain, broken)
    with tarfile.open(broken) as tar:
        if member == "database":
            member = next(n for n in tar.getnames() if n.startswith("database."))
        info = tar.getmember(member)
    with open(broken, "r+b") as fh:
        fh.seek(info.offset_data + info.size // 2)
        byte = fh.read(1)
        fh.seek(-1, io.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))
    # Even with --force and the right name, nothing is restored from a damaged archive.
    label = demo.source.label
    refused = demo.source.jushi("restore", str(broken), "--force", "--confirm", label)
    assert refused.returncode == 1
    assert f"成员 {member} 的校验和与清单不符" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert demo.source.hashes() == demo.before


def test_rows_that_differ_from_the_manifest_after_restore_are_named(demo):
    """An archive whose members are intact but whose manifest states other rows for one table: the
    restore goes through, the check afterwards names the table and exits non-zero."""
    tampered = demo.tmp / "tampered.tar"
    with tarfile.open(demo.plain) as src, tarfile.open(tampered, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["tables"]["registry_enterprise"]["sha256"] = "0" * 64
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    target = demo.target("bad")
    done = target.jushi("restore", str(tampered))
    assert done.returncode == 1
    assert "校验通过" not in done.stdout
    assert "恢复后校验不通过(1 处):表 registry_enterprise 的行内容与备份不同" in done.stderr


def test_a_damaged_compressed_archive_is_refused(demo):
    broken = demo.tmp / "broken.tar.gz"
    data = bytearray(demo.archive.read_bytes())
    data[len(data) // 3] ^= 0xFF
    broken.write_bytes(bytes(data))
    refused = demo.source.jushi("restore", str(broken), "--force", "--confirm", demo.source.label)
    assert refused.returncode == 1
    assert "已损坏" in refused.stderr and "拒绝恢复" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert demo.source.hashes() == demo.before


def test_a_backup_of_the_other_vendor_is_refused(tmp_path):
    other = "sqlite" if VENDOR == "postgresql" else "postgresql"
    manifest = {"format": "jushi-backup", "format_version": 1, "vendor": other, "files": {}, "tables": {}}
    data = json.dumps(manifest).encode()
    archive = tmp_path / "other.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="不支持跨数据库类型恢复"):
        call_command("restore", str(archive))


def test_an_archive_name_without_tar_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"\.tar\.gz"):
        call_command("backup", str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="备份文件不存在"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))
