import logging
import threading

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from jushi.core import jobs, runtime

logger = logging.getLogger("jushi.worker")

BEAT_SECONDS = 5  # a heartbeat this often; JUSHI_WORKER_STALE_SECONDS (30) without one is a dead worker
HOUSEKEEPING_SECONDS = 30  # this often: fail the jobs of dead workers, start the day's scheduled runs


class Command(BaseCommand):
    help = (
        "运行后台任务进程:执行大批量导入导出等后台任务,每天按计划发送催报提醒、问题督办和日常检查,"
        "并定时报告心跳(/healthz 据此判断)。与网站共用同一数据库和 JUSHI_VAR_DIR;可以运行多个。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="执行完排队中的任务后退出(不做定时任务)")
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时多少秒查看一次,默认 1")
        parser.add_argument("--no-schedule", action="store_true", help="不启动每天的定时任务(只执行队列)")
        parser.add_argument("--worker-id", default="", help="进程编号(默认自动生成;多个进程须各不相同)")

    def handle(self, *args, **opts):
        worker_id = opts["worker_id"] or f"w-{get_random_string(12)}"
        jobs.WORKER_ID = worker_id
        stop = threading.Event()
        runtime.beat(worker_id)
        keeper = None
        if not opts["batch"]:
            keeper = threading.Thread(
                target=self.keep_house,
                args=(worker_id, stop, not opts["no_schedule"]),
                name="jushi-worker-housekeeping",
                daemon=True,
            )
            keeper.start()
        self.stdout.write(
            f"后台任务进程 {worker_id} 已启动" + ("(执行完排队任务后退出)" if opts["batch"] else "")
        )
        worker = Worker(
            queue_names=["default"],
            interval=opts["interval"],
            batch=opts["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if not opts["batch"]:
            worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            runtime.forget(worker_id)
            self.stdout.write(f"后台任务进程 {worker_id} 已停止")

    def keep_house(self, worker_id: str, stop: threading.Event, scheduling: bool) -> None:
        """Beat every few seconds; every half minute fail the jobs of dead workers and start what is due.
        Runs beside the job in progress, on its own database connection; a locked database (SQLite while a
        long import commits) is tried again next time."""
        waited = HOUSEKEEPING_SECONDS  # the first round at once
        while not stop.is_set():
            runtime.beat(worker_id, job_id=self.current_job())
            if waited >= HOUSEKEEPING_SECONDS:
                waited = 0
                try:
                    reaped = jobs.reap()
                    if reaped:
                        logger.warning("marked %s job(s) of stopped workers failed", reaped)
                    if scheduling:
                        for job in jobs.start_due():
                            self.stdout.write(f"定时任务已排队:{job.title}")
                except DatabaseError as exc:
                    logger.warning("housekeeping postponed: %s", exc)
                finally:
                    connection.close()
            stop.wait(BEAT_SECONDS)
            waited += BEAT_SECONDS

    @staticmethod
    def current_job():
        from jushi.core.models import Job, JobStatus

        try:
            return (
                Job.objects.filter(status=JobStatus.RUNNING, worker_id=jobs.WORKER_ID)
                .values_list("pk", flat=True)
                .first()
            )
        except DatabaseError:
            return None
        finally:
            connection.close()
