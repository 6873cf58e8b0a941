"""Backup and restore: one archive holding a consistent database dump, the uploaded files and a manifest.

The archive (a tar file; gzip-compressed when its name ends in .tar.gz or .tgz) holds:

    database.sqlite3 | database.dump   SQLite: a copy made with the online backup API (consistent while
                                       the server writes); PostgreSQL: pg_dump --format=custom, taken in
                                       a snapshot the row hashes are computed in too
    media/...                          every file under MEDIA_ROOT (project attachments); the import
                                       stash (UPLOAD_DIR) is transient and left out
    manifest.json                      format and Jushi version, database vendor, schema version (each
                                       app's latest applied migration), creation time, per-table row
                                       counts and row hashes, and the size and sha256 of every member

Row hashes: sha256 over a table's rows in primary-key order, each row in a canonical text form that is
the same for the original database and its restored copy on the same vendor (SQLite: the stored values
as JSON; PostgreSQL: the server's row text with the session's time zone, date style and float digits
pinned). Restore verifies every member against the manifest before it touches the database, restores,
and recomputes the row hashes to prove the copy identical.
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump/pg_restore and a fresh `migrate`, fixed argument lists
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections

from .dbsnapshot import (
    BackupError,
    database_label,
    pg_binary,
    pg_connect,
    pg_digests,
    pg_env,
    pg_schema,
    pg_tables,
    quote,
    sqlite_digests,
    sqlite_path,
    sqlite_schema,
    sqlite_tables,
)

FORMAT = "jushi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DUMP_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1 << 20
# Files beyond this many get a progress bar (on a terminal).
PROGRESS_FROM = 50


@dataclass
class Outcome:
    """What a backup or restore did, for the summary line."""

    archive: Path
    vendor: str
    tables: int = 0
    rows: int = 0
    files: int = 0
    file_bytes: int = 0
    archive_bytes: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- helpers


def jushi_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jushi")
    except PackageNotFoundError:
        return "unknown"


def human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


def vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def archive_mode(path: Path, write: bool) -> str:
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return "w:gz" if write else "r:gz"
    if name.endswith(".tar"):
        return "w" if write else "r:"
    raise BackupError(f"{path.name}: 备份文件名须以 .tar.gz(压缩,推荐)或 .tar(不压缩)结尾")


def progress_bar(items, total: int, desc: str):
    """A tqdm bar on a terminal when there are many files; otherwise the items as they are."""
    if total < PROGRESS_FROM:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=desc, unit="个", disable=None, file=sys.stderr)


def media_files(root: Path) -> list[tuple[str, Path]]:
    """Every regular file under MEDIA_ROOT as (archive name, path), in a stable order."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((MEDIA_PREFIX + path.relative_to(root).as_posix(), path))
    return found


# ------------------------------------------------------------------------------------ database access


# ----------------------------------------------------------------------------------------------- backup


class HashingReader(io.RawIOBase):
    """Reads a file into the tar while hashing what went in, so the manifest states what is stored."""

    def __init__(self, fh):
        self.fh = fh
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def read(self, size=-1):
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def dump_database(work: Path) -> tuple[Path, dict, dict, dict]:
    """The database dumped into `work`: (dump file, table digests, schema, extra manifest fields)."""
    vendor = connection.vendor
    if vendor == "sqlite":
        source = sqlite_path()
        if not source.exists():
            raise BackupError(f"数据库文件不存在:{source}")
        target = work / DUMP_MEMBERS["sqlite"]
        src = sqlite3.connect(source, timeout=settings.DATABASES["default"]["OPTIONS"].get("timeout", 20))
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step: a consistent copy even while the server writes (WAL)
            dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
            digests, schema = sqlite_digests(dst), sqlite_schema(dst)
        finally:
            dst.close()
            src.close()
        return target, digests, schema, {"sqlite_version": sqlite3.sqlite_version}
    if vendor == "postgresql":
        import psycopg

        target = work / DUMP_MEMBERS["postgresql"]
        pg_dump = pg_binary("pg_dump")
        try:
            conn = pg_connect()
        except psycopg.Error as exc:
            raise BackupError(f"连不上 PostgreSQL 数据库:{exc}") from exc
        try:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            # pg_dump and the row hashes read one snapshot: the manifest describes exactly the dump.
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            command = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"]
            dump = subprocess.Popen(  # noqa: S603
                command, env=pg_env(connection.settings_dict), stderr=subprocess.PIPE, text=True
            )
            try:
                digests, schema = pg_digests(conn), pg_schema(conn)
            except BaseException:
                dump.kill()
                dump.wait()
                raise
            _, errors = dump.communicate()
            server = conn.info.server_version
            conn.rollback()
        finally:
            conn.close()
        if dump.returncode != 0:
            raise BackupError(f"pg_dump 失败(退出码 {dump.returncode}):{errors.strip()[-800:]}")
        version = subprocess.run(  # noqa: S603
            [pg_dump, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        extra = {"pg_dump": version, "server_version": f"{server // 10000}.{server % 10000}"}
        return target, digests, schema, extra
    raise BackupError(f"不支持备份 {connection.vendor} 数据库(只支持 SQLite 和 PostgreSQL)")


def add_member(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    stat = path.stat()
    info = tarfile.TarInfo(name)
    info.size = stat.st_size
    info.mtime = int(stat.st_mtime)
    info.mode = 0o600 if not name.startswith(MEDIA_PREFIX) else 0o644
    with open(path, "rb") as fh:
        reader = HashingReader(fh)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.digest.hexdigest()}


def database_errors() -> tuple[type[Exception], ...]:
    from django.db import DatabaseError

    errors: list[type[Exception]] = [DatabaseError, sqlite3.Error]
    try:
        import psycopg

        errors.append(psycopg.Error)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return tuple(errors)


def create(path: Path, *, overwrite: bool = False, out: Callable[[str], None] = print) -> Outcome:
    """Write the archive `path`; a partial archive never carries the final name."""
    try:
        return _create(path, overwrite=overwrite, out=out)
    except database_errors() as exc:
        raise BackupError(f"备份失败,数据库出错:{exc}") from exc


def _create(path: Path, *, overwrite: bool, out: Callable[[str], None]) -> Outcome:
    started = time.monotonic()
    path = path.expanduser().absolute()
    mode = archive_mode(path, write=True)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} 已存在:换一个文件名(建议带日期),或加 --overwrite 覆盖")
    if not path.parent.is_dir():
        raise BackupError(f"目录不存在:{path.parent}")
    vendor = connection.vendor
    partial = path.with_name(path.name + ".partial")
    outcome = Outcome(archive=path, vendor=vendor)
    with tempfile.TemporaryDirectory(prefix="jushi-backup-", dir=path.parent) as tmp:
        out(f"正在导出 {vendor_name(vendor)} 数据库……")
        dump, digests, schema, extra = dump_database(Path(tmp))
        files: dict[str, dict] = {}
        media = media_files(Path(settings.MEDIA_ROOT))
        try:
            # The archive holds every row (password hashes too): readable by its owner only.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, "wb") as fh, tarfile.open(fileobj=fh, mode=mode, format=tarfile.PAX_FORMAT) as tar:
                files[dump.name] = add_member(tar, dump.name, dump)
                if media:
                    out(f"正在打包上传的文件({len(media)} 个,{settings.MEDIA_ROOT})……")
                for name, file_path in progress_bar(media, len(media), "上传的文件"):
                    files[name] = add_member(tar, name, file_path)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "jushi_version": jushi_version(),
                    "vendor": vendor,
                    "database": str(connection.settings_dict["NAME"]),
                    "database_member": dump.name,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "schema": schema,
                    "tables": digests,
                    "files": files,
                    **extra,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"写入 {path} 失败:{exc.strerror or exc}") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    media_entries = [v for k, v in files.items() if k.startswith(MEDIA_PREFIX)]
    outcome.tables = len(digests)
    outcome.rows = sum(d["rows"] for d in digests.values())
    outcome.files = len(media_entries)
    outcome.file_bytes = sum(v["size"] for v in media_entries)
    outcome.archive_bytes = path.stat().st_size
    outcome.seconds = time.monotonic() - started
    return outcome


# ---------------------------------------------------------------------------------------------- restore


def safe_member_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name


def unpack(path: Path, work: Path) -> tuple[dict, dict[str, dict]]:
    """Extract the archive into `work`, hashing each member: (manifest, {member: size and sha256})."""
    if not path.is_file():
        raise BackupError(f"备份文件不存在:{path}")
    seen: dict[str, dict] = {}
    manifest_bytes = None
    current = "(文件头)"
    try:
        with tarfile.open(path, archive_mode(path, write=False)) as tar:
            for member in tar:
                current = member.name
                if member.isdir():
                    continue
                if not member.isfile() or not safe_member_name(member.name):
                    raise BackupError(f"{path.name}: 成员 {member.name} 不是普通文件或路径不安全,拒绝恢复")
                if member.name in seen:
                    raise BackupError(f"{path.name}: 成员 {member.name} 出现了两次,拒绝恢复")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest_bytes = source.read()
                    seen[MANIFEST] = {}
                    continue
                target = work / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "wb") as fh:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        size += len(block)
                        fh.write(block)
                os.utime(target, (member.mtime, member.mtime))
                seen[member.name] = {"size": size, "sha256": digest.hexdigest()}
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"{path.name}: 备份文件已损坏,读到成员 {current} 时出错({exc}),拒绝恢复") from exc
    if manifest_bytes is None:
        if seen:
            raise BackupError(
                f"{path.name}: 备份文件不完整或已损坏:读到成员 {current} 之后就读不下去了,没有 {MANIFEST},拒绝恢复"
            )
        raise BackupError(f"{path.name}: 没有 {MANIFEST},不是聚势的备份文件")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        raise BackupError(f"{path.name}: {MANIFEST} 已损坏,无法解析") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path.name}: 不是聚势的备份文件({MANIFEST} 的 format 不是 {FORMAT})")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path.name}: 备份格式版本 {manifest.get('format_version')} 不受支持"
            f"(本程序读取第 {FORMAT_VERSION} 版);请用聚势 {manifest.get('jushi_version')} 恢复"
        )
    del seen[MANIFEST]
    return manifest, seen


def verify_members(path: Path, manifest: dict, seen: dict[str, dict]) -> None:
    """Every member the manifest lists, with its size and checksum; nothing unlisted."""
    listed = manifest.get("files") or {}
    for name, expected in listed.items():
        got = seen.get(name)
        if got is None:
            raise BackupError(f"{path.name}: 缺少成员 {name}(清单中有),备份不完整,拒绝恢复")
        if got["size"] != expected.get("size") or got["sha256"] != expected.get("sha256"):
            raise BackupError(
                f"{path.name}: 成员 {name} 的校验和与清单不符(大小 {got['size']},清单 {expected.get('size')}),"
                "备份已损坏,拒绝恢复;数据库未改动"
            )
    extra = sorted(set(seen) - set(listed))
    if extra:
        raise BackupError(f"{path.name}: 成员 {extra[0]} 不在清单中,备份被改动过,拒绝恢复")
    member = manifest.get("database_member")
    if member not in listed or member != DUMP_MEMBERS.get(manifest.get("vendor")):
        raise BackupError(f"{path.name}: 清单没有数据库成员,拒绝恢复")


def schema_check(manifest: dict) -> list[str]:
    """Refuse a backup newer than the code; a note when it is older (run `jushi migrate` afterwards)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    leaves = {}
    for app, name in loader.graph.leaf_nodes():
        leaves.setdefault(app, set()).add(name)
    backup = manifest.get("schema") or {}
    newer = [
        f"{app}.{name}" for app, name in sorted(backup.items()) if app in leaves and (app, name) not in known
    ]
    if newer:
        raise BackupError(
            f"备份的数据库结构比当前程序新:迁移 {'、'.join(newer[:5])} 在本程序中不存在。"
            f"请先把聚势升级到 {manifest.get('jushi_version')} 或更新的版本,再恢复"
        )
    older = [app for app, names in sorted(leaves.items()) if backup.get(app) not in names]
    if older:
        return [
            f"备份的数据库结构比当前程序旧(应用 {'、'.join(older[:8])}{' 等' if len(older) > 8 else ''}"
            " 有未应用的迁移):备份已按原样恢复,请接着运行 jushi migrate"
        ]
    return []


def target_counts() -> dict[str, int]:
    """Rows per table in the target database ({} when it has no tables)."""
    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur, include_views=False)
        counts = {}
        for table in tables:
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cur.fetchone()[0]
    return counts


def migrations_key() -> str:
    """A digest of every migration file's content (and the Django version): what a fresh `migrate`
    inserts can only change when this does."""
    import inspect

    import django
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256(django.get_version().encode())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key, migration in sorted(loader.disk_migrations.items()):
        digest.update(repr(key).encode())
        source = inspect.getsourcefile(sys.modules[migration.__module__])
        if source:
            digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:32]


def private_cache_dir() -> Path | None:
    """A folder only this user can write (a poisoned cache could make a full database look empty)."""
    folder = Path(tempfile.gettempdir()) / f"jushi-fresh-migrate-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        stat = folder.lstat()
    except OSError:
        return None
    if folder.is_symlink() or stat.st_uid != os.getuid() or stat.st_mode & 0o077:
        return None
    return folder


def fresh_migrate_counts() -> dict[str, int]:
    """Rows per table right after `jushi migrate` on an empty database: the data migrations' seed
    (stages, industries, standard forms …) plus content types and permissions. Made in a throw-away
    SQLite file in a subprocess, so nothing of it touches the target; kept per migration content."""
    folder = private_cache_dir()
    cached = folder / f"{migrations_key()}.json" if folder else None
    if cached and cached.is_file():
        try:
            return json.loads(cached.read_text())
        except ValueError:
            pass
    with tempfile.TemporaryDirectory(prefix="jushi-fresh-") as tmp:
        db = Path(tmp) / "fresh.sqlite3"
        env = dict(os.environ)
        env.update(DATABASE_URL=f"sqlite:///{db}", JUSHI_VAR_DIR=tmp)
        env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE or "jushi.settings")
        run = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "jushi.cli", "migrate", "--noinput", "-v0"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            raise BackupError(f"无法判断目标数据库是否为空(全新迁移失败):{run.stderr.strip()[-400:]}")
        conn = sqlite3.connect(db)
        try:
            count = "SELECT COUNT(*) FROM {}"
            counts = {t: conn.execute(count.format(quote(t))).fetchone()[0] for t in sqlite_tables(conn)}
        finally:
            conn.close()
    if cached:
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(counts))
        os.replace(partial, cached)
    return counts


def occupied_tables(out: Callable[[str], None] = print) -> dict[str, int]:
    """Tables of the target holding rows beyond what a fresh `migrate` inserts ({} = empty)."""
    counts = {table: n for table, n in target_counts().items() if n}
    if not counts:
        return {}
    out("目标数据库已有表和数据:正在与全新迁移的数据库比对,看它是否只含迁移写入的初始数据……")
    fresh = fresh_migrate_counts()
    return {table: n for table, n in sorted(counts.items()) if n > fresh.get(table, 0)}


def confirm_overwrite(
    force: bool, confirm: str | None, ask: Callable[[str], str] | None, out: Callable[[str], None] = print
) -> None:
    label = database_label()
    if not force:
        occupied = occupied_tables(out)
        if occupied:
            shown = "、".join(f"{t}({n} 行)" for t, n in list(occupied.items())[:5])
            raise BackupError(
                f"目标数据库 {label} 不是空的:{shown}{' 等' if len(occupied) > 5 else ''}"
                f"共 {len(occupied)} 张表有数据。恢复会覆盖其中全部数据;确需覆盖,请加 --force 并确认数据库名"
            )
        return
    if confirm is None:
        if ask is None:
            raise BackupError(f"--force 要求确认:没有终端可输入,请加 --confirm {label}(目标数据库名)")
        confirm = ask(f"恢复将覆盖数据库 {label} 中的全部数据。请输入数据库名 {label} 确认:").strip()
    if confirm != label:
        raise BackupError(f"确认的数据库名“{confirm}”与目标数据库 {label} 不符,未恢复")


def load_database(work: Path, manifest: dict) -> None:
    dump = work / manifest["database_member"]
    connections.close_all()  # Django lets go of the database before it is replaced
    if connection.vendor == "sqlite":
        target = sqlite_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(dump)
        dst = sqlite3.connect(target, timeout=settings.DATABASES["default"]["OPTIONS"].get("timeout", 20))
        try:
            src.backup(dst)
        except sqlite3.Error as exc:
            raise BackupError(f"写入 SQLite 数据库 {target} 失败:{exc}(是否有服务仍在使用它?)") from exc
        finally:
            dst.close()
            src.close()
        return
    load_postgresql(dump, manifest)


def load_postgresql(dump: Path, manifest: dict) -> None:
    """pg_restore --clean --if-exists --no-owner --no-privileges, its script run by psql in ONE
    transaction that first drops the target's tables the backup does not have (a target migrated by
    newer code: their foreign keys would block --clean, and `jushi migrate` recreates them). Any error
    rolls the whole restore back."""
    with pg_connect(autocommit=True) as conn, conn.cursor() as cur:
        extra = [t for t in pg_tables(cur) if t not in manifest["tables"]]
    prelude = ""
    if extra:
        prelude = f"DROP TABLE IF EXISTS {', '.join(quote(t) for t in extra)} CASCADE;\n"
    env = pg_env(connection.settings_dict)
    restore_cmd = [
        pg_binary("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--file=-",
        str(dump),
    ]
    psql_cmd = [pg_binary("psql"), "--single-transaction", "--quiet", "--no-psqlrc", "--set=ON_ERROR_STOP=1"]
    psql_cmd.append(f"--output={os.devnull}")  # the script's SELECT results; errors still come out
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_out:
        psql = subprocess.Popen(  # noqa: S603
            psql_cmd, env=env, stdin=subprocess.PIPE, stdout=psql_out, stderr=subprocess.STDOUT
        )
        script = subprocess.Popen(restore_cmd, env=env, stdout=subprocess.PIPE, stderr=restore_err)  # noqa: S603
        try:
            psql.stdin.write(prelude.encode())
            shutil.copyfileobj(script.stdout, psql.stdin, CHUNK)
        except BrokenPipeError:
            pass  # psql stopped at an error: its output says which
        finally:
            script.stdout.close()
            try:
                psql.stdin.close()
            except BrokenPipeError:
                pass
        script.wait()
        psql.wait()
        restore_err.seek(0)
        psql_out.seek(0)
        errors = (restore_err.read() + psql_out.read()).decode(errors="replace").strip()
    if script.returncode != 0 or psql.returncode != 0:
        raise BackupError(
            f"恢复 PostgreSQL 数据库失败(pg_restore 退出码 {script.returncode},psql 退出码 "
            f"{psql.returncode}),整个恢复已回滚,数据库未改动:{errors[-800:]}"
        )


def restore_media(work: Path, manifest: dict) -> tuple[int, int]:
    root = Path(settings.MEDIA_ROOT)
    names = sorted(n for n in manifest["files"] if n.startswith(MEDIA_PREFIX))
    size = 0
    for name in progress_bar(names, len(names), "上传的文件"):
        target = root / name.removeprefix(MEDIA_PREFIX)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / name, target)
        except OSError as exc:
            raise BackupError(
                f"数据库已恢复,但写入上传的文件 {target} 失败:{exc.strerror or exc}。"
                "处理好目录权限或磁盘空间后,用 --force --confirm 重新恢复"
            ) from exc
        size += target.stat().st_size
    return len(names), size


def current_digests() -> dict[str, dict]:
    connections.close_all()
    if connection.vendor == "sqlite":
        conn = sqlite3.connect(sqlite_path())
        try:
            return sqlite_digests(conn)
        finally:
            conn.close()
    with pg_connect() as conn:
        digests = pg_digests(conn)
        conn.rollback()
    return digests


def verify_restored(manifest: dict) -> list[str]:
    """Tables whose rows differ from the manifest, and media files that differ, in words."""
    got = current_digests()
    problems = []
    for table, expected in sorted(manifest["tables"].items()):
        have = got.get(table)
        if have is None:
            problems.append(f"表 {table} 不存在")
        elif have["rows"] != expected["rows"]:
            problems.append(f"表 {table} 有 {have['rows']} 行,备份中 {expected['rows']} 行")
        elif have["sha256"] != expected["sha256"]:
            problems.append(f"表 {table} 的行内容与备份不同")
    root = Path(settings.MEDIA_ROOT)
    for name, expected in sorted(manifest["files"].items()):
        if name.startswith(MEDIA_PREFIX):
            path = root / name.removeprefix(MEDIA_PREFIX)
            if not path.is_file() or sha256_file(path) != expected["sha256"]:
                problems.append(f"文件 {path} 与备份不同")
    return problems


def restore(
    path: Path,
    *,
    force: bool = False,
    confirm: str | None = None,
    ask: Callable[[str], str] | None = None,
    out: Callable[[str], None] = print,
) -> Outcome:
    """Verify the archive, restore it into the (empty, or confirmed) database and prove it identical."""
    try:
        return _restore(path, force=force, confirm=confirm, ask=ask, out=out)
    except database_errors() as exc:
        raise BackupError(f"恢复失败,数据库出错:{exc}") from exc


def _restore(path: Path, *, force, confirm, ask, out) -> Outcome:
    started = time.monotonic()
    path = path.expanduser().absolute()
    archive_mode(path, write=False)
    outcome = Outcome(
        archive=path, vendor=connection.vendor, archive_bytes=path.stat().st_size if path.exists() else 0
    )
    with tempfile.TemporaryDirectory(prefix="jushi-restore-") as tmp:
        work = Path(tmp)
        out(f"正在读取并校验 {path.name}……")
        manifest, seen = unpack(path, work)
        vendor = manifest.get("vendor")
        if vendor != connection.vendor:
            raise BackupError(
                f"{path.name} 是 {vendor_name(vendor)} 数据库的备份,当前数据库是 {vendor_name(connection.vendor)}:"
                "不支持跨数据库类型恢复。请恢复到同类型的数据库;要在两种数据库之间迁移数据,"
                "请在原库用 jushi dumpdata 导出、在新库 jushi migrate 后用 jushi loaddata 导入"
            )
        verify_members(path, manifest, seen)
        out(
            f"校验和一致:{len(seen)} 个成员(备份于 {manifest.get('created')},聚势 {manifest.get('jushi_version')})"
        )
        outcome.notes = schema_check(manifest)
        confirm_overwrite(force, confirm, ask, out)
        out(f"正在恢复 {vendor_name(connection.vendor)} 数据库 {database_label()}……")
        load_database(work, manifest)
        outcome.files, outcome.file_bytes = restore_media(work, manifest)
    problems = verify_restored(manifest)
    if problems:
        shown = ";".join(problems[:10])
        raise BackupError(
            f"恢复后校验不通过({len(problems)} 处):{shown}{' 等' if len(problems) > 10 else ''}。"
            "恢复出的数据与备份清单不一致,请勿使用;检查备份后重新恢复"
        )
    outcome.tables = len(manifest["tables"])
    outcome.rows = sum(t["rows"] for t in manifest["tables"].values())
    outcome.seconds = time.monotonic() - started
    return outcome
