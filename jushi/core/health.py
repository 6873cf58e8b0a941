"""/healthz: whether this deployment can serve and get its background work done, for a monitor or a load
balancer.

Three checks, each answering `ok` and, when it fails, a `message` in Chinese:
- database: `SELECT 1` on the default connection (a statement timeout of a few seconds on PostgreSQL; the
  connection's own timeout comes from DATABASE_URL, e.g. `?connect_timeout=5`);
- migrations: no migration left to apply (an "all applied" answer is kept CACHE_SECONDS per process, so a
  monitor polling every few seconds costs one SELECT);
- worker: a background worker (`jushi worker`) whose heartbeat is fresher than JUSHI_WORKER_STALE_SECONDS
  (jushi.core.runtime, shared through JUSHI_VAR_DIR).

200 with {"status": "ok", "checks": {...}} when all pass; 503 with {"status": "fail", "failing": [names],
"checks": {...}} otherwise. Anonymous, GET/HEAD only, no session, never throttled nor audited: it must
answer a monitor that has no account, and must not write anything on a database that may be down.
"""

import time

from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import runtime

CACHE_SECONDS = 30
STATEMENT_TIMEOUT_MS = 3000
_applied_at: list[float] = [0.0]  # when this process last found every migration applied


def check_database() -> dict:
    started = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        connection.close_if_unusable_or_obsolete()
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return {"ok": False, "message": f"数据库无法连接或无法查询:{reason}"}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_migrations() -> dict:
    if time.monotonic() - _applied_at[0] < CACHE_SECONDS:
        return {"ok": True, "cached": True}
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return {
            "ok": False,
            "message": f"无法读取迁移记录:{str(exc).strip().splitlines()[0] if str(exc) else exc}",
        }
    if plan:
        names = [f"{migration.app_label}.{migration.name}" for migration, backwards in plan]
        shown = "、".join(names[:5]) + (f" 等 {len(names)} 个" if len(names) > 5 else "")
        return {
            "ok": False,
            "unapplied": names,
            "message": f"有 {len(names)} 个数据库迁移尚未执行:{shown};请执行数据库迁移(jushi migrate)",
        }
    _applied_at[0] = time.monotonic()
    return {"ok": True}


def check_worker() -> dict:
    heard = runtime.workers()
    live = [w for w in heard if w["alive"]]
    last = min((w["age"] for w in heard), default=None)
    last_beat = None if last is None else round(last, 1)
    if live:
        return {"ok": True, "workers": len(live), "last_beat_seconds": last_beat}
    when = "从未收到心跳" if last is None else f"最近一次心跳在 {last:.0f} 秒前"
    return {
        "ok": False,
        "workers": 0,
        "last_beat_seconds": last_beat,
        "message": f"没有运行中的后台任务进程(jushi worker),{when}",
    }


CHECKS = {"database": check_database, "migrations": check_migrations, "worker": check_worker}


@never_cache
@require_safe
def healthz(request):
    checks = {}
    for name, check in CHECKS.items():
        if name == "migrations" and not checks["database"]["ok"]:
            checks[name] = {"ok": False, "message": "数据库无法连接,无法检查迁移"}
            continue
        checks[name] = check()
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "fail" if failing else "ok", "checks": checks}
    if failing:
        body = {"status": "fail", "failing": failing, "checks": checks}
    return JsonResponse(body, status=503 if failing else 200, json_dumps_params={"ensure_ascii": False})


def reset() -> None:
    """Forget the cached "all migrations applied" (tests)."""
    _applied_at[0] = 0.0
