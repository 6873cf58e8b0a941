"""Background jobs: queued with django-tasks' row, run with progress, failures in words, retry, dead workers
reaped, per-zone schedule started once, and the 后台任务 pages by scope."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jushi.core import jobs, runtime
from jushi.core.models import Job, JobStatus
from jushi.core.testing import PersonaTestCase

CALLS: list[int] = []


@jobs.kind("test.count", title="测试计数", action="import")
def count_rows(job, progress):
    total = job.params["rows"]
    for done in range(1, total + 1):
        progress(done, total, phase="计数")
    CALLS.append(job.pk)
    return {"summary": f"数了 {total} 行", "link": "/"}


@jobs.kind("test.flaky", title="测试偶发失败", action="import")
def flaky(job, progress):
    if job.retry_of_id is None:
        raise jobs.JobError("第 3 行:企业名称为空")
    return {"summary": "重试成功"}


@jobs.kind("test.crash", title="测试出错", action="import")
def crash(job, progress):
    raise KeyError("secret-internal-detail")


class JobLifecycleTests(PersonaTestCase):
    def test_start_queues_one_task_row_and_run_records_the_result(self):
        job = jobs.start("test.count", actor=self.reviewer, params={"rows": 5}, zone_id=self.kashgar.pk)
        self.assertEqual(job.status, JobStatus.QUEUED)
        task_row = DBTaskResult.objects.get(pk=job.task_id)
        self.assertEqual(task_row.task_path, "jushi.core.jobs.execute")
        self.assertEqual(task_row.args_kwargs["args"], [job.pk])

        self.assertEqual(jobs.run_queued(), 1)
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED)
        self.assertEqual((job.done, job.total), (5, 5))
        self.assertEqual(job.result["summary"], "数了 5 行")
        self.assertIsNotNone(job.started_at)
        self.assertGreaterEqual(job.finished_at, job.started_at)
        self.assertEqual(DBTaskResult.objects.get(pk=job.task_id).status, "SUCCESSFUL")
        self.assertEqual(jobs.run_queued(), 0)  # nothing runs twice

    def test_a_failure_in_words_then_a_retry(self):
        job = jobs.start("test.flaky", actor=self.reviewer, zone_id=self.kashgar.pk)
        jobs.run_queued()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertEqual(job.error, "第 3 行:企业名称为空")
        self.assertTrue(jobs.may_retry(self.reviewer, job))
        self.assertFalse(jobs.may_retry(self.leader, job))  # a leader may not import

        again = jobs.retry(job, actor=self.reviewer)
        self.assertEqual((again.retry_of_id, again.status), (job.pk, JobStatus.QUEUED))
        jobs.run_queued()
        again.refresh_from_db()
        self.assertEqual(again.status, JobStatus.SUCCEEDED)
        with self.assertRaises(jobs.JobError):
            jobs.retry(again, actor=self.reviewer)

    def test_an_unexpected_error_is_told_in_chinese_and_the_traceback_kept_apart(self):
        job = jobs.start("test.crash", actor=self.reviewer, zone_id=self.kashgar.pk)
        with self.assertLogs("jushi.core.jobs", "ERROR"):
            jobs.run_queued()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertIn("任务出错(KeyError)", job.error)
        self.assertNotIn("secret-internal-detail", job.error)
        self.assertIn("secret-internal-detail", job.detail)
        self.client.force_login(self.reviewer)
        page = self.client.get(reverse("core:job", args=[job.pk])).content.decode()
        self.assertIn("任务出错(KeyError)", page)
        self.assertNotIn("secret-internal-detail", page)
        self.assertNotIn("Traceback", page)

    def test_a_running_job_whose_worker_stopped_beating_is_failed(self):
        started = timezone.now() - dt.timedelta(minutes=5)
        dead = Job.objects.create(
            kind="test.count", title="死", status=JobStatus.RUNNING, worker_id="w-dead", started_at=started
        )
        living = Job.objects.create(
            kind="test.count", title="活", status=JobStatus.RUNNING, worker_id="w-live", started_at=started
        )
        runtime.beat("w-live", job_id=living.pk)
        self.assertEqual(jobs.reap(), 1)
        dead.refresh_from_db()
        living.refresh_from_db()
        self.assertEqual(dead.status, JobStatus.FAILED)
        self.assertIn("后台任务进程在运行中停止", dead.error)
        self.assertEqual(living.status, JobStatus.RUNNING)

    def test_progress_is_live_while_running_and_the_page_polls_until_finished(self):
        job = jobs.start("test.count", actor=self.reviewer, params={"rows": 10}, zone_id=self.kashgar.pk)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker_id="w-1", total=10)
        runtime.beat("w-1", job_id=job.pk)
        runtime.set_progress(job.pk, done=4, total=10, phase="校验")
        self.client.force_login(self.reviewer)
        partial = self.client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
        self.assertIn('hx-trigger="every 1s"', partial)
        self.assertIn("4 / 10 行(40%)", partial)
        self.assertIn("校验", partial)

        Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
        jobs.run_queued()
        partial = self.client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
        self.assertNotIn("hx-trigger", partial)
        self.assertIn("10 / 10 行(100%)", partial)
        self.assertIn("数了 10 行", partial)


class JobPagesTests(PersonaTestCase):
    def test_each_sees_their_zones_jobs_and_a_reporter_none(self):
        mine = jobs.start(
            "test.count", actor=self.reviewer, params={"rows": 1}, zone_id=self.kashgar.pk, title="喀什的导入"
        )
        theirs = jobs.start(
            "test.count",
            actor=self.other_admin,
            params={"rows": 1},
            zone_id=self.other.pk,
            title="另一区的导入",
        )
        self.client.force_login(self.leader)
        listing = self.client.get(reverse("core:jobs")).content.decode()
        self.assertIn("喀什的导入", listing)
        self.assertNotIn("另一区的导入", listing)
        self.assertIn("没有运行中的后台任务进程", listing)
        self.assertEqual(self.client.get(reverse("core:job", args=[theirs.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("core:job", args=[mine.pk])).status_code, 200)

        self.client.force_login(self.regional)
        listing = self.client.get(reverse("core:jobs")).content.decode()
        self.assertIn("喀什的导入", listing)
        self.assertIn("另一区的导入", listing)

        self.client.force_login(self.reporter_a)
        self.assertEqual(self.client.get(reverse("core:jobs")).status_code, 403)

    def test_retry_from_the_page_by_who_may_and_not_by_a_leader(self):
        job = jobs.start("test.flaky", actor=self.reviewer, zone_id=self.kashgar.pk)
        jobs.run_queued()
        self.client.force_login(self.leader)
        self.assertEqual(self.client.post(reverse("core:job_retry", args=[job.pk])).status_code, 403)
        self.client.force_login(self.admin)
        response = self.client.post(reverse("core:job_retry", args=[job.pk]))
        again = Job.objects.get(retry_of=job)
        self.assertRedirects(response, reverse("core:job", args=[again.pk]))
        self.assertEqual(again.requested_by, self.admin)

    def test_a_file_goes_only_to_who_asked(self):
        folder = Path(self.tmp_var) / "jobs"
        folder.mkdir(parents=True)
        (folder / "x.xlsx").write_bytes(b"PK-test")
        job = Job.objects.create(
            kind="test.count",
            title="导出",
            zone_id=self.kashgar.pk,
            requested_by=self.reviewer,
            status=JobStatus.SUCCEEDED,
            result={"file": "x.xlsx", "filename": "企业名录.xlsx"},
        )
        with override_settings(VAR_DIR=Path(self.tmp_var)):
            self.client.force_login(self.admin)
            self.assertEqual(self.client.get(reverse("core:job_download", args=[job.pk])).status_code, 403)
            self.client.force_login(self.reviewer)
            response = self.client.get(reverse("core:job_download", args=[job.pk]))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(b"".join(response.streaming_content), b"PK-test")
            self.assertIn("attachment", response["Content-Disposition"])

    def setUp(self):
        import tempfile

        self.tmp_var = tempfile.mkdtemp()


class ScheduleTests(PersonaTestCase):
    def test_each_zone_gets_one_run_a_day_from_its_time(self):
        jobs.schedule("test.count", at="08:30", description="测试", per_zone=True)
        try:
            before = timezone.make_aware(dt.datetime(2024, 7, 20, 8, 0))
            after = timezone.make_aware(dt.datetime(2024, 7, 20, 9, 0))
            self.assertFalse([d for d in jobs.due(before) if d[0].kind == "test.count"])
            due = [d for d in jobs.due(after) if d[0].kind == "test.count"]
            self.assertEqual({d[1] for d in due}, {self.kashgar.pk, self.other.pk})
            started = [j for j in jobs.start_due(after) if j.kind == "test.count"]
            self.assertEqual(len(started), 2)
            self.assertTrue(all(j.schedule_key.startswith("test.count:") for j in started))
            self.assertFalse([j for j in jobs.start_due(after) if j.kind == "test.count"])
            self.client.force_login(self.leader)
            listing = self.client.get(reverse("core:jobs")).content.decode()
            self.assertIn("每天 08:30,每个开发区一次", listing)
        finally:
            jobs.SCHEDULES[:] = [s for s in jobs.SCHEDULES if s.kind != "test.count"]


def test_the_worker_command_runs_a_queued_job_and_beats(tmp_path):
    """`jushi worker --batch` on a database file: the queued cleanup job runs in the worker process."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
        "JUSHI_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "jushi.settings",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    jushi = [sys.executable, "-m", "jushi.cli"]
    subprocess.run([*jushi, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    stale = tmp_path / "var" / "uploads"
    stale.mkdir(parents=True)
    old = stale / "abc.xlsx"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 3 * 86400,) * 2)
    code = "from jushi.core import jobs; j = jobs.start('core.cleanup', actor=None); print(j.pk)"
    job_id = subprocess.run(
        [*jushi, "shell", "--verbosity", "0", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()
    out = subprocess.run(
        [*jushi, "worker", "--batch"], env=env, check=True, capture_output=True, text=True, timeout=120
    ).stdout
    assert "后台任务进程" in out
    status = (
        subprocess.run(
            [
                *jushi,
                "shell",
                "-c",
                f"from jushi.core.models import Job; j = Job.objects.get(pk={job_id}); print(j.status, j.result)",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert status.startswith("succeeded"), status
    assert "删除过期文件 1 个" in status
    assert not old.exists()
