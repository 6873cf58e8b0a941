"""Background jobs: long work (large imports and exports, scheduled reminders) leaves the request and runs in
`jushi worker`, with its progress on the 后台任务 page.

The queue is django-tasks with its database backend (no broker to run): `start()` writes the Job record and
enqueues `execute` in one transaction, so a job exists exactly when its queue row does. The worker claims
the row, `run()` calls the kind's handler with a `progress` callable and records how it ended: the result,
or the error in words (the traceback goes to `detail` and the log, never to the person who asked).

A handler that writes does it in one transaction: when the worker dies halfway (killed, restarted, the
machine lost power) the database rolls the transaction back, and `reap()` marks the job failed once the
worker's heartbeat has stopped. Anyone who may see the job and do its kind of work can retry it; a retry
is a new job with the same parameters (`retry_of` links them).

Kinds register with `@jobs.kind(...)`; scheduled work with `jobs.schedule(...)`, run by the workers once a
day per zone (`schedule_key` is unique, so two workers never start the same run twice).
"""

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks import task

from . import clock, runtime
from .models import Job, JobStatus

logger = logging.getLogger(__name__)

# The worker that runs jobs in this process: `jushi worker` sets its id; "inline" is a test or a command.
WORKER_ID = "inline"


class JobError(Exception):
    """A job that cannot go on, with the reason in words for the person who asked."""


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    action: str  # the role action (accounts.choices.ROLE_ACTIONS) needed to retry it
    handler: Callable


@dataclass(frozen=True)
class Schedule:
    kind: str
    at: dt.time  # local time (Asia/Shanghai) from which the day's run is due
    description: str
    per_zone: bool = True


KINDS: dict[str, Kind] = {}
SCHEDULES: list[Schedule] = []
_zones: Callable[[], list[tuple[int, str]]] = list


def kind(name: str, *, title: str, action: str = "view"):
    """Register a handler `fn(job, progress) -> dict` for jobs of this kind."""

    def register(fn):
        KINDS[name] = Kind(name=name, title=title, action=action, handler=fn)
        return fn

    return register


def schedule(kind_name: str, *, at: str, description: str, per_zone: bool = True) -> None:
    """Run jobs of `kind_name` every day from `at` (HH:MM, Beijing time), one per zone when per_zone."""
    hour, minute = (int(part) for part in at.split(":"))
    if not any(s.kind == kind_name for s in SCHEDULES):
        SCHEDULES.append(Schedule(kind_name, dt.time(hour, minute), description, per_zone))


def register_zones(provider: Callable[[], list[tuple[int, str]]]) -> None:
    """The registry app tells core which zones exist (id, name), for per-zone scheduled runs."""
    global _zones
    _zones = provider


# -- starting, running, retrying ------------------------------------------------------------------------


def start(
    kind_name: str,
    *,
    actor,
    params: dict | None = None,
    title: str = "",
    zone_id: int | None = None,
    total: int | None = None,
    retry_of: Job | None = None,
    schedule_key: str | None = None,
) -> Job:
    """Record a job and put it in the queue; the worker picks it up within a second or so."""
    registered = KINDS[kind_name]
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind_name,
            title=title or registered.title,
            requested_by=actor if getattr(actor, "pk", None) else None,
            zone_id=zone_id,
            params=params or {},
            total=total,
            retry_of=retry_of,
            schedule_key=schedule_key,
        )
        queued = execute.enqueue(job.pk)
        job.task_id = str(queued.id)
        job.save(update_fields=["task_id"])
    return job


@task()
def execute(job_id: int) -> str:
    """The queue's entry point: run one job by its id."""
    return run(job_id)


class Progress:
    """The `progress(done, total=None, phase=None)` a handler calls as it goes. Cheap to call per row: it
    tells the runtime cache at most four times a second, and the job's row every few seconds when no
    transaction is open (inside one, SQLite's write lock is ours and the row can wait for the end)."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.done = 0
        self.total = job.total
        self.phase = ""
        self._told = 0.0
        self._saved = 0.0

    def __call__(self, done: int, total: int | None = None, phase: str | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        changed_phase = phase is not None and phase != self.phase
        if phase is not None:
            self.phase = phase
        now = time.monotonic()
        if changed_phase or now - self._told >= 0.25 or (self.total and done >= self.total):
            runtime.set_progress(self.job_id, done=self.done, total=self.total, phase=self.phase)
            self._told = now
        if not connection.in_atomic_block and (changed_phase or now - self._saved >= 3):
            Job.objects.filter(pk=self.job_id).update(done=self.done, total=self.total, phase=self.phase)
            self._saved = now


FAILED_UNEXPECTEDLY = "任务出错({name}),已写入的内容全部撤销;可以重试,若仍失败请联系系统管理员"
WORKER_STOPPED = "后台任务进程在运行中停止(被终止或重启),已写入的内容全部撤销;可以重试"


def run(job_id: int) -> str:
    """Run one queued job in this process and record how it ended. Returns the final status."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker_id=WORKER_ID
    )
    if not claimed:
        return Job.objects.filter(pk=job_id).values_list("status", flat=True).first() or "missing"
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    progress = Progress(job)
    runtime.set_progress(job.pk, done=0, total=job.total, phase="开始")
    try:
        registered = KINDS.get(job.kind)
        if registered is None:
            raise JobError(f"未知的任务类型“{job.kind}”")
        result = registered.handler(job, progress)
    except JobError as exc:
        _finish(job, progress, JobStatus.FAILED, error=str(exc))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            progress,
            JobStatus.FAILED,
            error=FAILED_UNEXPECTEDLY.format(name=type(exc).__name__),
            detail=traceback.format_exc(),
        )
    except BaseException:  # the worker is being stopped: say so, then let it stop
        _finish(job, progress, JobStatus.FAILED, error=WORKER_STOPPED)
        raise
    else:
        _finish(job, progress, JobStatus.SUCCEEDED, result=result or {})
    return Job.objects.filter(pk=job_id).values_list("status", flat=True).first()


def _finish(job, progress, status, *, result=None, error="", detail=""):
    done = progress.done
    if status == JobStatus.SUCCEEDED and progress.total:
        done = progress.total
    Job.objects.filter(pk=job.pk).update(
        status=status,
        finished_at=timezone.now(),
        result=result,
        error=error,
        detail=detail,
        done=done,
        total=progress.total,
        phase="",
    )
    runtime.clear_progress(job.pk)


def run_queued(limit: int | None = None) -> int:
    """Run every queued job here and now, oldest first, as `jushi worker --batch` does (tests, commands).
    Marks the queue's own rows done too. Returns how many ran."""
    from django_tasks_db.models import DBTaskResult

    count = 0
    for job in Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "id"):
        if limit is not None and count >= limit:
            break
        run(job.pk)
        finished = Job.objects.get(pk=job.pk)
        row = DBTaskResult.objects.filter(pk=job.task_id).first() if job.task_id else None
        if row is not None and row.status == "READY":
            row.claim(WORKER_ID)
            row.set_successful(finished.status)
        count += 1
    return count


def reap() -> int:
    """Mark failed every running job whose worker has stopped beating (killed, restarted, lost). Its
    transaction died with it, so nothing it wrote stays. Returns how many were marked."""
    from django_tasks_db.models import DBTaskResult

    grace = timezone.now() - dt.timedelta(seconds=settings.JUSHI_WORKER_STALE_SECONDS)
    marked = 0
    running = Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=grace).exclude(worker_id="inline")
    for job in running.only("pk", "worker_id", "task_id"):
        if runtime.alive(job.worker_id):
            continue
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=WORKER_STOPPED, phase=""
        )
        if updated:
            marked += 1
            runtime.clear_progress(job.pk)
            if job.task_id:
                DBTaskResult.objects.filter(pk=job.task_id, status="RUNNING").update(
                    status="FAILED",
                    finished_at=timezone.now(),
                    exception_class_path="jushi.core.jobs.WorkerStopped",
                )
    return marked


def may_retry(user, job: Job) -> bool:
    if job.status != JobStatus.FAILED or not Job.objects.visible_to(user).filter(pk=job.pk).exists():
        return False
    registered = KINDS.get(job.kind)
    if registered is None:
        return False
    return job.requested_by_id == user.pk or user.is_superuser or user.can(registered.action)


def retry(job: Job, *, actor) -> Job:
    if job.status != JobStatus.FAILED:
        raise JobError("只有失败的任务可以重试")
    return start(
        job.kind,
        actor=actor,
        params=job.params,
        title=job.title,
        zone_id=job.zone_id,
        total=job.total,
        retry_of=job,
    )


def live(job: Job) -> Job:
    """The job with its live progress (from the runtime cache) while it runs."""
    if job.status == JobStatus.RUNNING:
        seen = runtime.progress(job.pk)
        if seen:
            job.done, job.total, job.phase = seen["done"], seen["total"], seen["phase"]
    return job


# -- the schedule --------------------------------------------------------------------------------------


def system_user():
    from .commanding import system_user as make

    return make()


def due(now: dt.datetime | None = None) -> list[tuple[Schedule, int | None, str, str]]:
    """The scheduled runs due now and not yet started: (schedule, zone id, zone name, key)."""
    now = timezone.localtime(now)
    today = clock.today()
    found = []
    for item in SCHEDULES:
        if now.time() < item.at:
            continue
        targets = _zones() if item.per_zone else [(None, "")]
        keys = {
            f"{item.kind}:{zone_id or 0}:{today.isoformat()}": (zone_id, name) for zone_id, name in targets
        }
        started = set(Job.objects.filter(schedule_key__in=list(keys)).values_list("schedule_key", flat=True))
        for key, (zone_id, name) in keys.items():
            if key not in started:
                found.append((item, zone_id, name, key))
    return found


def start_due(now: dt.datetime | None = None) -> list[Job]:
    """Start each due scheduled run once (a second worker racing for the same key loses quietly)."""
    started = []
    for item, zone_id, name, key in due(now):
        title = KINDS[item.kind].title + (f"({name})" if name else "")
        try:
            with transaction.atomic():
                started.append(
                    start(item.kind, actor=system_user(), zone_id=zone_id, title=title, schedule_key=key)
                )
        except IntegrityError:
            continue
    return started


def schedule_rows(user) -> list[dict]:
    """The schedule as a user sees it: each item with its time and the last run in the user's zones."""
    rows = []
    visible = Job.objects.visible_to(user)
    for item in sorted(SCHEDULES, key=lambda s: (s.at, s.kind)):
        # A platform-wide run (no zone) holds no zone's data: its time, status and summary show to all.
        runs = visible if item.per_zone else Job.objects.all()
        last = runs.filter(kind=item.kind).exclude(schedule_key=None).order_by("-created_at").first()
        linked = last is not None and visible.filter(pk=last.pk).exists()
        rows.append({"schedule": item, "title": KINDS[item.kind].title, "last": last, "linked": linked})
    return rows


# -- core's own scheduled work ----------------------------------------------------------------------------

STASH_DAYS = 1  # an import file never confirmed
JOB_FILE_DAYS = 7  # a finished export's file
QUEUE_ROW_DAYS = 30  # the queue's own rows of finished jobs (the Job records stay)


@kind("core.cleanup", title="清理过期文件", action="delete")
def cleanup(job, progress):
    """Delete import files never confirmed, export files of finished jobs and the queue's old rows."""
    from pathlib import Path

    from django_tasks_db.models import DBTaskResult

    now = time.time()
    removed = 0
    for folder, days in (
        (Path(settings.UPLOAD_DIR), STASH_DAYS),
        (Path(settings.VAR_DIR) / "jobs", JOB_FILE_DAYS),
    ):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and path.stat().st_mtime < now - days * 86400:
                path.unlink(missing_ok=True)
                removed += 1
    cutoff = timezone.now() - dt.timedelta(days=QUEUE_ROW_DAYS)
    rows, _ = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    ).delete()
    from . import idempotency

    keys = idempotency.prune()
    return {"summary": f"删除过期文件 {removed} 个,队列记录 {rows} 条,过期的重复提交防护记录 {keys} 条"}


schedule(
    "core.cleanup",
    at="03:00",
    per_zone=False,
    description=(
        f"删除超过 {STASH_DAYS} 天未确认的导入文件、超过 {JOB_FILE_DAYS} 天的导出文件、{QUEUE_ROW_DAYS} 天前的"
        "队列记录和过期的重复提交防护记录(报送、审核的幂等键)"
    ),
)
