"""Issue 15, faults survived: the worker killed in the middle of an import. For real, with processes on a
database file (and on a scratch PostgreSQL database when the suite runs on PostgreSQL): a confirmed
enterprise import runs in `jushi worker`; once its live progress says it is writing, the worker gets
SIGKILL. The job is then marked failed in words, not one of its rows is in the database, and its retry
imports every row."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache

ROWS = int(os.environ.get("JUSHI_KILL_TEST_ROWS", 1500))
JUSHI = [sys.executable, "-m", "jushi.cli"]

SETUP = """
from pathlib import Path
from django.conf import settings
from jushi.core import jobs
from jushi.core.commanding import system_user
from jushi.lib import uscc
from jushi.lib.tabular import write_table
from jushi.registry.models import Enterprise, Park, Region, Zone
rows, token = int(ARGS[0]), ARGS[1]
region = Region.objects.create(code="653101", name="喀什市", level="county")
zone = Zone.objects.create(code="kashgar", name="喀什经济开发区", level="national", kind="etdz", region=region)
Park.objects.create(zone=zone, code="energy", name="新能源产业园")
headers = ["统一社会信用代码", "企业名称", "园区代码", "行业代码", "入区日期"]
data = write_table(headers, [
    [uscc.complete(f"91653101{i:09d}"), f"断电测试企业{i:06d}有限公司", "energy", "3841", "2020-01-01"]
    for i in range(1, rows + 1)
], "csv")
folder = Path(settings.UPLOAD_DIR)
folder.mkdir(parents=True, exist_ok=True)
(folder / f"{token}.csv").write_bytes(data)
params = {"importer": "registry.enterprises", "module": "jushi.registry.views.importing", "token": token,
          "filename": "big.csv", "options": {"zone": "kashgar"}, "dry_run": False}
job = jobs.start("core.import", actor=system_user(), params=params, zone_id=zone.pk, total=rows)
print("JOB", job.pk, Enterprise.objects.count())
"""

REAP_AND_RETRY = """
from jushi.core import jobs
from jushi.core.models import ChangeLog, Job
from jushi.registry.models import Enterprise
job = Job.objects.get(pk=int(ARGS[0]))
reaped = jobs.reap()
job.refresh_from_db()
print("REAPED", reaped, job.status, Enterprise.objects.count(), ChangeLog.objects.filter(source="import").count())
print("ERROR", job.error)
again = jobs.retry(job, actor=job.requested_by)
print("RETRY", again.pk)
"""

CHECK = """
from jushi.core.models import Job
from jushi.registry.models import Enterprise
job = Job.objects.get(pk=int(ARGS[0]))
print("DONE", job.status, Enterprise.objects.filter(name__startswith="断电测试企业").count(), job.result.get("link", ""))
print("ERROR", job.error)
"""


def _shell(env, code: str, *args) -> list[str]:
    out = subprocess.run(
        [*JUSHI, "shell", "--verbosity", "0", "-c", f"ARGS = {list(args)!r}\n{code}"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    ).stdout
    return [line for line in out.splitlines() if line.split(" ")[0].isupper()]


def _line(lines: list[str], tag: str) -> list[str]:
    return next(line for line in lines if line.startswith(tag + " ")).split(" ")[1:]


def kill_midway(tmp_path: Path, database_url: str) -> dict:
    var = tmp_path / "var"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JUSHI_VAR_DIR": str(var),
        "JUSHI_WORKER_STALE_SECONDS": "2",
        "DJANGO_SETTINGS_MODULE": "jushi.settings",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    timings = {}
    started = time.monotonic()
    subprocess.run([*JUSHI, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    timings["migrate"] = time.monotonic() - started

    token = uuid.uuid4().hex
    job_id, before = _line(_shell(env, SETUP, str(ROWS), token), "JOB")
    before = int(before)
    live = FileBasedCache(str(var / "runtime"), {"OPTIONS": {"MAX_ENTRIES": 100000}})

    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [*JUSHI, "worker", "--interval", "0.2", "--no-schedule"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    seen = None
    run_started = time.monotonic()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            seen = live.get(f"job:{job_id}")
            if seen and seen["phase"] == "写入" and seen["done"] >= min(100, ROWS // 10):
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.05)
        else:
            pytest.fail(f"the import never reached its write phase: {seen}")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        log.close()
    timings["until_kill"] = time.monotonic() - run_started
    assert worker.returncode == -signal.SIGKILL
    assert seen["done"] < ROWS  # killed halfway, not after the end

    time.sleep(2.5)  # the killed worker's heartbeat goes stale (JUSHI_WORKER_STALE_SECONDS=2)
    lines = _shell(env, REAP_AND_RETRY, job_id)
    reaped, status, count, logged = _line(lines, "REAPED")
    error = " ".join(_line(lines, "ERROR"))
    retry_id = _line(lines, "RETRY")[0]

    again = time.monotonic()
    subprocess.run([*JUSHI, "worker", "--batch"], env=env, check=True, capture_output=True, timeout=300)
    timings["retry"] = time.monotonic() - again
    done = _shell(env, CHECK, retry_id)
    timings["total"] = time.monotonic() - started
    return {
        "seen": seen,
        "reaped": int(reaped),
        "status": status,
        "count_after_kill": int(count),
        "logged_after_kill": int(logged),
        "error": error,
        "before": before,
        "retry": _line(done, "DONE"),
        "retry_error": " ".join(_line(done, "ERROR")),
        "timings": timings,
    }


def check(outcome: dict) -> None:
    assert outcome["reaped"] == 1, outcome
    assert outcome["status"] == "failed", outcome
    assert "后台任务进程在运行中停止" in outcome["error"], outcome
    assert outcome["count_after_kill"] == outcome["before"], outcome  # not one row of the import
    assert outcome["logged_after_kill"] == 0, outcome  # nor one change-log entry
    status, count, link = outcome["retry"]
    assert status == "succeeded", outcome
    assert int(count) == ROWS, outcome
    assert link.startswith("/registry/enterprises/?batch="), outcome
    print("\nworker-killed import:", {k: round(v, 1) for k, v in outcome["timings"].items()}, outcome["seen"])


def test_worker_killed_while_writing_an_import_on_sqlite(tmp_path):
    check(kill_midway(tmp_path, f"sqlite:///{tmp_path / 'kill.sqlite3'}"))


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="runs when the suite runs on PostgreSQL",
)
def test_worker_killed_while_writing_an_import_on_postgresql(tmp_path):
    import psycopg

    db = settings.DATABASES["default"]
    name = "jushi_h5_kill"
    params = {
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgres://{params['user']}:{params['password']}@{params['host']}:{params['port']}/{name}"
        check(kill_midway(tmp_path, url))
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
