"""What the web processes and the background workers tell each other outside the database: each worker's
heartbeat and the live progress of the job it runs.

Both live in the `runtime` cache (files under JUSHI_VAR_DIR/runtime, settings.CACHES), not in a table: a
long import holds SQLite's one write lock for the whole of its transaction, and a heartbeat or a progress
count that waited for that lock would say the worker is dead exactly when it is busiest. The job's row
(jushi.core.models.Job) keeps what must last: its status, its final counts, its error.
"""

import os
import socket
import time

from django.conf import settings
from django.core.cache import caches

WORKERS_KEY = "workers"


def _cache():
    return caches["runtime"]


def beat(worker_id: str, *, job_id: int | None = None) -> None:
    """A worker is alive (and, with job_id, running that job)."""
    cache = _cache()
    now = time.time()
    cache.set(
        f"worker:{worker_id}",
        {"id": worker_id, "host": socket.gethostname(), "pid": os.getpid(), "at": now, "job": job_id},
        timeout=settings.JUSHI_WORKER_STALE_SECONDS * 10,
    )
    ids = set(cache.get(WORKERS_KEY) or ())
    if worker_id not in ids:
        cache.set(WORKERS_KEY, sorted(ids | {worker_id}), timeout=None)


def forget(worker_id: str) -> None:
    """A worker that stops cleanly removes itself."""
    cache = _cache()
    cache.delete(f"worker:{worker_id}")
    ids = set(cache.get(WORKERS_KEY) or ())
    if worker_id in ids:
        cache.set(WORKERS_KEY, sorted(ids - {worker_id}), timeout=None)


def workers() -> list[dict]:
    """Every worker heard of, each with `age` (seconds since its last beat) and `alive`."""
    cache = _cache()
    now = time.time()
    found = []
    for worker_id in cache.get(WORKERS_KEY) or ():
        info = cache.get(f"worker:{worker_id}")
        if info is None:
            continue
        age = now - info["at"]
        found.append({**info, "age": age, "alive": age <= settings.JUSHI_WORKER_STALE_SECONDS})
    return found


def alive(worker_id: str) -> bool:
    info = _cache().get(f"worker:{worker_id}")
    return info is not None and time.time() - info["at"] <= settings.JUSHI_WORKER_STALE_SECONDS


def live_workers() -> list[dict]:
    return [w for w in workers() if w["alive"]]


def set_progress(job_id: int, *, done: int, total: int | None, phase: str = "") -> None:
    _cache().set(
        f"job:{job_id}",
        {"done": done, "total": total, "phase": phase, "at": time.time()},
        timeout=86400,
    )


def progress(job_id: int) -> dict | None:
    return _cache().get(f"job:{job_id}")


def clear_progress(job_id: int) -> None:
    _cache().delete(f"job:{job_id}")
