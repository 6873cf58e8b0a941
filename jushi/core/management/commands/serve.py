"""`jushi serve`: production serving. gunicorn runs jushi.wsgi:application, WhiteNoise (in MIDDLEWARE)
serves the collected static files, the database is whatever DATABASE_URL says.

Before gunicorn starts: the static files are collected when they changed since the last collection (a
fingerprint of the sources' names, sizes and times is kept in STATIC_ROOT, so a second start takes
milliseconds), and the command refuses to start on a database with migrations left to apply. Then the
process becomes gunicorn (os.execv): systemd's signals (TERM to stop, HUP to reload) reach it directly.
"""

import hashlib
import os
import re
import sys
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

FINGERPRINT = ".jushi-collected"
# Files of the npm packages that no page loads (source maps, ES-module and unminified builds): collecting
# them would make the first start compress some 80 MB (minutes with brotli) for nothing.
IGNORE = ["CVS", ".*", "*~"]
UNUSED = [
    "*.map",
    "*.mjs",
    "*.esm.*",
    "*.amd.js",
    "*.cjs.js",
    "*.d.ts",
    "*.gz",
    "echarts.js",
    "echarts.common*.js",
    "echarts.simple*.js",
    "swagger-ui-es-bundle*",
    "swagger-ui.js",
    "htmx.js",
    "log.*.txt",
]
ADDRPORT = re.compile(r"^(?P<host>[^\s:]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})$")


def default_workers() -> int:
    """2 × the CPU cores this process may use, plus 1 (gunicorn's own advice)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 2 * cores + 1


def static_fingerprint() -> str:
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    digest.update(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(IGNORE + UNUSED):
            prefix = getattr(storage, "prefix", None) or ""
            stat = os.stat(storage.path(path))
            entries.append(f"{prefix}/{path}\t{stat.st_size}\t{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def collect_static_if_needed() -> bool:
    """Run collectstatic when the sources changed since the last run; True when it ran."""
    root = Path(settings.STATIC_ROOT)
    marker = root / FINGERPRINT
    fingerprint = static_fingerprint()
    if marker.exists() and marker.read_text().strip() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=UNUSED, stdout=StringIO())
    marker.write_text(fingerprint)
    return True


def unapplied_migrations() -> list[str]:
    connection = connections["default"]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class Command(BaseCommand):
    help = (
        "以生产方式运行网站:gunicorn 多进程服务,WhiteNoise 提供静态文件,数据库按 DATABASE_URL。"
        "启动前按需收集静态文件,并检查数据库迁移是否都已执行(有未执行的迁移时拒绝启动)。"
        "后台任务须另外运行 jushi worker。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            help="监听地址和端口,如 127.0.0.1:8000(默认)或 0.0.0.0:8000",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=f"gunicorn 工作进程数;默认按 CPU 核数计算:2 × 核数 + 1(本机为 {default_workers()})",
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="一个请求最长处理多少秒,超时的工作进程被重启;默认 60"
        )
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="不收集静态文件(已由部署脚本收集时)"
        )
        parser.add_argument(
            "--no-migrate-check",
            action="store_true",
            help="不检查数据库迁移(也不在启动前连接数据库)",
        )
        parser.add_argument(
            "--print", action="store_true", help="只打印将要执行的 gunicorn 命令,不启动(检查用)"
        )

    def handle(self, *args, **opts):
        match = ADDRPORT.match(opts["addrport"])
        if not match or not 0 < int(match["port"]) < 65536:
            raise CommandError(f"监听地址“{opts['addrport']}”格式不对,应为 主机:端口,如 127.0.0.1:8000")
        workers = opts["workers"] if opts["workers"] is not None else default_workers()
        if workers < 1:
            raise CommandError("--workers 至少为 1")
        if opts["timeout"] < 1:
            raise CommandError("--timeout 至少为 1 秒")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "jushi.wsgi:application",
            "--bind",
            opts["addrport"],
            "--workers",
            str(workers),
            "--timeout",
            str(opts["timeout"]),
            "--graceful-timeout",
            "30",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
            "--no-control-socket",  # one per user by default: two servers on a machine would fight over it
        ]
        if opts["print"]:
            self.stdout.write(" ".join(argv))
            return
        if not opts["no_migrate_check"]:
            self.check_migrations()
        if not opts["no_collectstatic"]:
            if collect_static_if_needed():
                self.stdout.write(f"已收集静态文件到 {settings.STATIC_ROOT}")
        self.check_hosts(match["host"])
        vendor = connections["default"].vendor
        self.stdout.write(
            f"聚势 Jushi 在 http://{opts['addrport']}/ 提供服务:gunicorn {workers} 个工作进程,"
            f"数据库 {vendor},请求超时 {opts['timeout']} 秒"
        )
        self.stdout.flush()
        connections.close_all()  # the workers open their own
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jushi.settings")
        os.execv(sys.executable, argv)  # noqa: S606 - becomes gunicorn, so signals reach it

    def check_migrations(self):
        try:
            pending = unapplied_migrations()
        except DatabaseError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(
                f"无法连接数据库,未启动:{reason}。请检查 DATABASE_URL 和数据库服务。"
            ) from None
        if pending:
            shown = "、".join(pending[:5]) + (f" 等 {len(pending)} 个" if len(pending) > 5 else "")
            raise CommandError(
                f"数据库有 {len(pending)} 个迁移尚未执行({shown}),未启动。请先执行 jushi migrate,再启动服务。"
            )

    def check_hosts(self, host: str):
        host = host.strip("[]")
        if host in ("0.0.0.0", "::") and not os.environ.get("ALLOWED_HOSTS"):  # noqa: S104
            self.stderr.write(
                "提示:监听所有地址,但没有设置 ALLOWED_HOSTS(默认只接受 localhost 和 127.0.0.1),"
                "用其他主机名或地址访问会得到 400;请设置 ALLOWED_HOSTS。"
            )
