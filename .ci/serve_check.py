"""CI: Jushi served for real on the database DATABASE_URL names (PostgreSQL in .ci/run).

Loads the demo, starts `jushi serve` (gunicorn, WhiteNoise) and `jushi worker`, waits for /healthz to say
ok, signs in as the statistics clerk and imports 2,500 enterprises through the import page: the file is
large, so the dry run and the import run as background jobs in the worker while the page polls them. Then
stops the worker and checks that /healthz answers 503 naming the worker. Exits non-zero on any failure.
"""

import argparse
import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
JUSHI = [sys.executable, "-m", "jushi.cli"]
ROWS = 2500
ZONE = "kashgar-edz"
PREFIX = "CI后台导入企业"


def fail(message: str) -> None:
    print(f"serve-check: FAILED: {message}", flush=True)
    raise SystemExit(1)


def credit_code(serial: int) -> str:
    sys.path.insert(0, str(ROOT))
    from jushi.lib import uscc

    return uscc.complete(f"91653101{serial:09d}")


def enterprise_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统一社会信用代码", "企业名称", "开发区代码"])
    for i in range(ROWS):
        writer.writerow([credit_code(700000 + i), f"{PREFIX}{i:05d}有限公司", ZONE])
    return out.getvalue().encode("utf-8")


def wait_health(base: str, *, want: int, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{base}/healthz", timeout=5)
            last = (response.status_code, response.text)
            if response.status_code == want:
                return response.json()
        except requests.RequestException as exc:
            last = exc
        time.sleep(1)
    fail(f"/healthz did not answer {want} within {seconds:.0f} s (last: {last})")


def csrf(session: requests.Session, text: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    return found.group(1) if found else session.cookies.get("csrftoken", "")


def follow_job(session: requests.Session, base: str, page_url: str, seconds: float) -> tuple[int, str]:
    """Poll the job the import page names until it is finished; returns (job id, its progress block)."""
    job_id = int(re.search(r"job=(\d+)", page_url).group(1))
    deadline = time.monotonic() + seconds
    seen = set()
    while time.monotonic() < deadline:
        block = session.get(f"{base}/jobs/{job_id}/progress/", timeout=30).text
        progress = re.search(r"(\d+) / (\d+) 行", block)
        if progress:
            seen.add(progress.group(0))
        if "hx-trigger" not in block:
            print(f"  job {job_id}: finished; progress seen: {sorted(seen)[:4]}", flush=True)
            return job_id, block
        time.sleep(0.5)
    fail(f"job {job_id} did not finish within {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18080)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "ci-serve-check-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "JUSHI_TODAY": "2024-07-20",
    }
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "serve-check: note: DATABASE_URL is not PostgreSQL; running on", env.get("DATABASE_URL", "SQLite")
        )

    started = time.monotonic()
    subprocess.run([*JUSHI, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"serve-check: demo loaded ({time.monotonic() - started:.0f} s)", flush=True)

    server = subprocess.Popen(
        [*JUSHI, "serve", "--addrport", f"127.0.0.1:{args.port}", "--workers", "3"], env=env
    )
    worker = subprocess.Popen([*JUSHI, "worker"], env=env, stdout=subprocess.DEVNULL)
    try:
        health = wait_health(base, want=200, seconds=90)
        print(f"serve-check: /healthz 200 {health}", flush=True)
        static = requests.get(f"{base}/static/vendor/htmx/htmx.min.js", timeout=10)
        if static.status_code != 200:
            fail(f"static file answered {static.status_code}")

        session = requests.Session()
        login = session.get(f"{base}/login/", timeout=30)
        answer = session.post(
            f"{base}/login/",
            data={
                "username": "tongji",
                "password": "jushi-demo-2024",
                "csrfmiddlewaretoken": csrf(session, login.text),
            },
            timeout=30,
        )
        if "/login/" in answer.url:
            fail("could not sign in as tongji")

        page = session.get(f"{base}/registry/enterprises/import/", timeout=30)
        upload = session.post(
            f"{base}/registry/enterprises/import/",
            data={"zone": ZONE, "csrfmiddlewaretoken": csrf(session, page.text)},
            files={"file": ("ci-2500.csv", enterprise_csv(), "text/csv")},
            timeout=60,
        )
        if "job=" not in upload.url:
            fail(f"a {ROWS}-row import did not become a background job (landed on {upload.url})")
        print(f"serve-check: dry run queued: {upload.url}", flush=True)
        _, block = follow_job(session, base, upload.url, seconds=180)
        if "已完成" not in block:
            fail(f"the dry run did not succeed: {block[:500]}")
        plan_page = session.get(upload.url, timeout=30).text
        token = re.search(r'name="token" value="([^"]+)"', plan_page)
        job = re.search(r'name="job" value="(\d+)"', plan_page)
        if not (token and job):
            fail("the dry run's page offers no confirmation")
        confirmed = session.post(
            f"{base}/registry/enterprises/import/",
            data={
                "token": token.group(1),
                "job": job.group(1),
                "csrfmiddlewaretoken": csrf(session, plan_page),
            },
            timeout=60,
        )
        if "job=" not in confirmed.url:
            fail(f"the confirmation did not start an import job (landed on {confirmed.url})")
        _, block = follow_job(session, base, confirmed.url, seconds=300)
        if "已完成" not in block:
            fail(f"the import job did not succeed: {block[:500]}")
        count = (
            subprocess.run(
                [
                    *JUSHI,
                    "shell",
                    "--verbosity",
                    "0",
                    "-c",
                    f"from jushi.registry.models import Enterprise; print(Enterprise.objects.filter(name__startswith='{PREFIX}').count())",
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        if count != str(ROWS):
            fail(f"{count} enterprises imported, expected {ROWS}")
        print(f"serve-check: {ROWS} enterprises imported through two background jobs", flush=True)

        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        env_stale = int(env.get("JUSHI_WORKER_STALE_SECONDS", "30"))
        health = wait_health(base, want=503, seconds=env_stale + 30)
        if "worker" not in health.get("failing", []):
            fail(f"/healthz 503 without naming the worker: {health}")
        print(f"serve-check: worker stopped → /healthz 503 naming {health['failing']}", flush=True)
    finally:
        for process in (worker, server):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
    print(f"serve-check: passed ({time.monotonic() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
