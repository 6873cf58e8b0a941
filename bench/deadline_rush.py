"""Benchmark: the reporting deadline rush, over HTTP against `jushi serve`, with locust.

    .venv/bin/python bench/deadline_rush.py [--db sqlite|postgres|both] [--users 50] [--seconds 60]
        [--reporters 3000] [--ramp 25,50,100,150,200] [--step-seconds 20] [--json PATH] [--smoke]

For each database (the local PostgreSQL cluster, in a fresh database jushi_rush; the SQLite default, in a
fresh file) it prepares data, starts the server and runs simulated people against it from this process
(locust as a library: Environment + LocalRunner, gevent; FastHttpUser), all on 127.0.0.1.

Data (not timed): `jushi demo --no-serve` loads the Kashgar demo; bench/rush_prepare.py adds N synthetic
above-size enterprises, each with its own reporter account and an open 2024-07 submission, so every
simulated reporter submits a different report, and signs everyone in by session (no password hashing).
The server is `jushi serve --addrport 127.0.0.1:PORT` with DEBUG=0, a SECRET_KEY and JUSHI_TODAY=2024-07-20
(the demo's date: 2024-07 is open), settings bench/rush_settings.py: the product's settings and URLs plus
one bench-only URL, the floor.

People, in these proportions (locust weights), each pausing THINK seconds between actions as a person:

  reporter  80%  form (open the report), save (a draft), check (the live check, HTMX), submit;
                 then the next reporter account and the next report
  reviewer  10%  queue (the review queue), open (a submitted report), approve (通过并审核下一份)
  leader    10%  dashboard (经济运行指标), bigscreen (the wall display)

Runs: USERS users for SECONDS seconds (the main figures, after a 10 s warm-up under the same load); then
a ramp (RAMP users, STEP seconds each) to find the knee: the first step where throughput stops rising
(< 5% more than the step before) or the p95 of save or submit passes 500 ms. Then, same server, same
run, two closed loops of clients without pauses, 2 per server worker (enough to keep every worker busy):
reporters only (completed submissions a second, each with its form, save and check), and the floor: a
bare signed-in POST through the same middleware to a view that inserts one row (bench/rush_urls.py);
the ratio between the two is printed. Last, the database is counted: every submit answered 302 must be
one report sent, every approval one approved report.

Goals: 0 errors; p95 ≤ 500 ms for save and submit and ≤ 300 ms for the dashboard, at USERS users. A
missed latency goal is a result; the exit code is 1 when a request failed (an error is a breakage), or
the set-up broke. --smoke (CI): 20 users for 20 s, 400 reporters, a lighter demo (no project ledger, no
chains: bench/rush_prepare.py --light-demo), no ramp, no capacity or floor.
This is a benchmark, not a test; pytest does not collect it.
"""

# locust patches the standard library for gevent when imported: before anything else.
from locust import FastHttpUser, constant, task  # isort: skip
from locust.exception import StopUser  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import datetime as dt
import json
import logging
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import deque
from pathlib import Path

import gevent

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_TODAY = "2024-07-20"
PG_ADMIN_URL = "postgres://jushi_ci:jushi_ci@127.0.0.1:5432/postgres"
PG_DB = "jushi_rush"

# Who, in what proportion (locust weights), and how long a person pauses between two actions.
WEIGHTS = {"reporter": 8, "reviewer": 1, "leader": 1}
THINK = (1.0, 3.0)  # seconds, uniform
SPAWN_SECONDS = 5  # users arrive over this long; measuring starts once all have arrived
WARMUP_SECONDS = 10  # and, before the main run, once the server has run this long under the load
CAPACITY_WARMUP = 5  # capacity and floor: clients without pauses, 2 per server worker; measured after this
GOAL_ERRORS = 0
GOAL_WRITE_P95 = 500.0  # ms, save and submit
GOAL_DASHBOARD_P95 = 300.0  # ms, at USERS users
KNEE_RISE = 1.05  # a step whose throughput is not 5% above the last one's has stopped rising
ORDER = ["form", "save", "check", "submit", "queue", "open", "approve", "dashboard", "bigscreen", "floor"]

EXPLAIN = re.compile(r'name="explain:([^"]+)"')
QUEUED = re.compile(r'href="/reporting/submissions/(\d+)/"')
VERSION = re.compile(r'id="approve-form".*?name="version" value="(\d+)"', re.S)
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')  # the first on a page: 报送, or 审核通过


class Pool:
    """What the simulated people share in this process: prepared sessions, and who reviews what."""

    reporters: deque = deque()
    reviewers: list = []
    leaders: list = []
    claimed: set = set()  # submissions a reviewer has picked: never two reviewers on one report
    exhausted = 0  # reporter cycles that found no account left
    submitted = 0
    approved = 0
    stopping = False  # set at the end of a run: nobody starts another request
    in_flight = 0  # requests sent and not yet answered: a run ends once they are
    csrf = secrets.token_hex(16)  # one CSRF secret for every client (cookie and form carry it)

    @classmethod
    def load(cls, data: dict) -> None:
        cls.reporters = deque(data["reporters"])
        cls.reviewers, cls.leaders = data["reviewers"], data["leaders"]
        cls.claimed, cls.exhausted, cls.submitted, cls.approved = set(), 0, 0, 0
        cls.stopping, cls.in_flight = False, 0


class Person(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    think = True
    session_key = ""

    def pause(self):
        if self.think:
            gevent.sleep(random.uniform(*THINK))
        if Pool.stopping:  # the run is over: end here, between two requests, never inside one
            raise StopUser()

    def send(self, method, url, **kwargs):
        if Pool.stopping:
            raise StopUser()
        Pool.in_flight += 1
        try:
            return method(url, catch_response=True, allow_redirects=False, **kwargs)
        finally:
            Pool.in_flight -= 1

    def headers(self, **extra):
        self.client.cookiejar.clear()  # each request carries exactly the account's cookies
        return {"Cookie": f"sessionid={self.session_key}; csrftoken={Pool.csrf}", **extra}

    def post(self, url, name, data, **extra):
        data = {"csrfmiddlewaretoken": Pool.csrf, **data}
        return self.client.post(
            url,
            data=data,
            name=name,
            catch_response=True,
            allow_redirects=False,
            headers=self.headers(**extra),
        )

    def get(self, url, name):
        return self.client.get(
            url, name=name, catch_response=True, allow_redirects=False, headers=self.headers()
        )


def _fail(response, what):
    text = response.text or ""
    hint = re.search(r'class="(?:messages?|notice bad|errors)[^"]*"[^>]*>(.{0,120})', text, re.S)
    response.failure(f"{what}: HTTP {response.status_code}" + (f" {hint.group(1).strip()}" if hint else ""))


class Reporter(Person):
    weight = WEIGHTS["reporter"]

    @task
    def report(self):
        self.pause()
        try:
            account = Pool.reporters.popleft()
        except IndexError:
            Pool.exhausted += 1
            gevent.sleep(1)
            return
        self.session_key = account["session"]
        url = f"/reporting/submissions/{account['submission']}/"
        with self.get(url, "form") as r:
            if r.status_code != 200 or 'id="report-form"' not in (r.text or ""):
                return _fail(r, "报表不可填报")
        figures = {}
        for code, (current, last_year) in account["figures"].items():
            figures[code], figures[f"{code}__ly"] = current, last_year
        self.pause()
        with self.post(url, "save", {**figures, "action": "save"}) as r:
            if r.status_code != 200 or ("草稿已保存" not in r.text and "没有改动" not in r.text):
                return _fail(r, "保存草稿失败")
            key = IDEMPOTENCY.search(r.text)  # the form as the save answered it: its 报送 key
        self.pause()
        with self.post(
            f"{url}check/", "check", figures, **{"HX-Request": "true", "X-CSRFToken": Pool.csrf}
        ) as r:
            if r.status_code != 200:
                return _fail(r, "检查失败")
            keys = EXPLAIN.findall(r.text or "")
        self.pause()
        explanations = {f"explain:{k}": "压测:订单增加,已核实(合成)" for k in keys}
        if key:
            explanations["idempotency_key"] = key.group(1)
        with self.post(url, "submit", {**figures, **explanations, "action": "submit"}) as r:
            if r.status_code != 302 or not r.headers.get("Location", "").endswith(url):
                return _fail(r, "报送失败")
            Pool.submitted += 1


class Reviewer(Person):
    weight = WEIGHTS["reviewer"]

    def on_start(self):
        self.session_key = random.choice(Pool.reviewers)

    @task
    def review(self):
        self.pause()
        with self.get("/reporting/review/", "queue") as r:
            if r.status_code != 200:
                return _fail(r, "审核队列打不开")
            waiting = [int(pk) for pk in QUEUED.findall(r.text or "")]
        pk = next((pk for pk in waiting if pk not in Pool.claimed), None)
        if pk is None:
            return
        Pool.claimed.add(pk)
        url = f"/reporting/submissions/{pk}/"
        self.pause()
        with self.get(url, "open") as r:
            if r.status_code != 200:
                return _fail(r, "报表打不开")
            text = r.text or ""
            version = VERSION.search(text)
            if version is None:
                return  # no longer waiting (e.g. a demo report already decided): nothing to approve
            key = IDEMPOTENCY.search(text, version.start())
        self.pause()
        data = {"version": version.group(1), "then": "next", "note": ""}
        if key:
            data["idempotency_key"] = key.group(1)
        with self.post(f"{url}approve/", "approve", data) as r:
            if r.status_code != 302 or not r.headers.get("Location", "").endswith("/reporting/review/next/"):
                return _fail(r, "审核通过失败")
            Pool.approved += 1


class Leader(Person):
    weight = WEIGHTS["leader"]

    def on_start(self):
        self.session_key = random.choice(Pool.leaders)

    @task
    def watch(self):
        self.pause()
        with self.get("/indicators/", "dashboard") as r:
            if r.status_code != 200:
                return _fail(r, "指标看板打不开")
        self.pause()
        with self.get("/indicators/screen/", "bigscreen") as r:
            if r.status_code != 200:
                return _fail(r, "大屏打不开")


class FastReporter(Reporter):
    weight = 1
    think = False


class Floor(Person):
    weight = 1
    think = False

    def on_start(self):
        self.session_key = random.choice(Pool.leaders)

    @task
    def write(self):
        with self.post("/bench-rush/floor/", "floor", {}) as r:
            if r.status_code != 204:
                return _fail(r, "floor")


# ---------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=50, help="users of the main run (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="length of the main run (default 60)")
    parser.add_argument(
        "--reporters", type=int, help="reporter accounts and reports (default 3000; smoke 400)"
    )
    parser.add_argument("--ramp", default="25,50,100,150,200", help="users of each ramp step")
    parser.add_argument("--step-seconds", type=int, default=20, help="length of each ramp step (default 20)")
    parser.add_argument(
        "--capacity-seconds", type=int, default=20, help="capacity and floor runs (default 20)"
    )
    parser.add_argument("--smoke", action="store_true", help="CI: 20 users, 20 s, no ramp, no floor")
    parser.add_argument("--json", help="write the summary here (default test-artifacts/deadline_rush.json)")
    parser.add_argument("--port", type=int, default=0, help="server port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--postgres-admin-url", default=PG_ADMIN_URL, help="to drop and create jushi_rush")
    parser.add_argument(
        "--postgres-template",
        default="",
        help="create jushi_rush as a copy of this database, the demo already loaded in it (CI), instead of loading it",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite file)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.users, args.seconds, args.ramp = 20, 20, ""
        args.reporters = args.reporters or 400
    args.reporters = args.reporters or 3000
    args.ramp = [int(x) for x in args.ramp.split(",") if x.strip()]
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, log: Path, what: str) -> float:
    started = time.monotonic()
    with log.open("a") as out:
        done = subprocess.run(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=600)  # noqa: S603 (our own commands)
    if done.returncode:
        sys.exit(f"{what} failed (exit {done.returncode}); see {log}:\n{log.read_text()[-3000:]}")
    return time.monotonic() - started


def fresh_postgres(admin_url: str, template: str = "") -> tuple[str, str]:
    import psycopg

    try:
        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        sys.exit(
            f"PostgreSQL is not reachable ({exc}); start the local cluster (pg_ctlcluster 15 main start) "
            "or pass --postgres-admin-url, or run --db sqlite"
        )
    with conn:
        conn.execute(f"drop database if exists {PG_DB} with (force)")
        conn.execute(f"create database {PG_DB}" + (f" template {template}" if template else ""))
        version = conn.execute("show server_version").fetchone()[0]
    return admin_url.rsplit("/", 1)[0] + f"/{PG_DB}", f"postgresql {version.split()[0]} ({PG_DB})"


def sqlite_version() -> str:
    import sqlite3

    return f"sqlite {sqlite3.sqlite_version} (temporary file)"


def serve_command(port: int) -> list[str]:
    if (ROOT / "jushi/core/management/commands/serve.py").exists():
        # Static files are not what is measured (a browser has them cached); collecting them into each
        # fresh JUSHI_VAR_DIR (compressing ECharts and the rest) would take a minute.
        return [str(BIN / "jushi"), "serve", "--addrport", f"127.0.0.1:{port}", "--no-collectstatic"]
    # Until `jushi serve` exists: gunicorn as it will run it (workers from the CPU count).
    workers = 2 * (os.cpu_count() or 1) + 1
    return [str(BIN / "gunicorn"), "jushi.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers)]


def start_server(port: int, env, log: Path) -> subprocess.Popen:
    out = log.open("a")
    proc = subprocess.Popen(  # noqa: S603 (our own command)
        serve_command(port), env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited ({proc.returncode}); see {log}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:
                if r.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    sys.exit(f"the server did not answer within 90 s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def exceptions(text: str) -> list[str]:
    """The exception line ending each traceback in the server's log (what broke, for the summary)."""
    found = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or lines[j].startswith("Traceback")):
                j += 1
            found.append(lines[j][:300] if j < len(lines) else "?")
    return found


def worker_count(log: Path) -> int:
    return len(set(re.findall(r"Booting worker with pid: (\d+)", log.read_text())))


# --- locust runs ------------------------------------------------------------------------------------


def snapshot(env, seconds: float) -> dict:
    rows = {}
    for (name, _method), e in env.stats.entries.items():
        rows[name] = {
            "count": e.num_requests,
            "failures": e.num_failures,
            "rps": e.num_requests / seconds if seconds else 0.0,
            "p50": e.get_response_time_percentile(0.5) if e.num_requests else 0,
            "p95": e.get_response_time_percentile(0.95) if e.num_requests else 0,
            "p99": e.get_response_time_percentile(0.99) if e.num_requests else 0,
            "max": e.max_response_time or 0,
        }
    errors = [
        {"name": err.name, "error": str(err.error), "occurrences": err.occurrences}
        for err in env.stats.errors.values()
    ]
    total = env.stats.total
    return {
        "seconds": round(seconds, 1),
        "requests": rows,
        "total_rps": total.num_requests / seconds if seconds else 0.0,
        "total_failures": total.num_failures,
        "errors": errors,
    }


def start_phase(env, users: int) -> None:
    Pool.stopping = False
    env.runner.start(users, spawn_rate=max(1.0, users / SPAWN_SECONDS))
    gevent.sleep(0.1)
    env.runner.spawning_greenlet.join(timeout=SPAWN_SECONDS + 30)
    env.stats.reset_all()


def measure(env, seconds: int) -> dict:
    started = time.monotonic()
    gevent.sleep(seconds)
    return snapshot(env, time.monotonic() - started)


def new_env(classes, host: str) -> Environment:
    # stop_timeout: a user that locust stops (the end of a run, or rebalancing the classes when a ramp
    # step adds users) finishes its current task first, so no request is abandoned half-way: an answer
    # never read would break the check that the database holds exactly what the answers said.
    env = Environment(user_classes=classes, host=host, catch_exceptions=True, stop_timeout=120)
    env.create_local_runner()
    return env


def finish(env) -> None:
    Pool.stopping = True
    deadline = time.monotonic() + 60
    while Pool.in_flight and time.monotonic() < deadline:
        gevent.sleep(0.1)
    env.runner.stop()
    env.runner.quit()


def phase(classes, host: str, users: int, seconds: int, warmup: float = 0) -> dict:
    env = new_env(classes, host)
    start_phase(env, users)
    if warmup:  # every server worker's first answers (imports, templates) are not the figures
        gevent.sleep(warmup)
        env.stats.reset_all()
    result = measure(env, seconds)
    result["users"] = users
    finish(env)
    return result


def ramp(host: str, steps: list[int], seconds: int) -> list[dict]:
    env = new_env([Reporter, Reviewer, Leader], host)
    out = []
    for users in steps:
        start_phase(env, users)
        row = measure(env, seconds)
        row["users"] = users
        out.append(row)
        print(
            f"    ramp {users:>4} users: {row['total_rps']:6.1f} req/s, p95 save "
            f"{_p95(row, 'save'):5.0f} ms, submit {_p95(row, 'submit'):5.0f} ms, "
            f"failures {row['total_failures']}",
            flush=True,
        )
    finish(env)
    return out


def _p95(row: dict, name: str) -> float:
    return row["requests"].get(name, {}).get("p95", 0)


def knee(steps: list[dict]) -> dict:
    previous = None
    for row in steps:
        worst = max(_p95(row, "save"), _p95(row, "submit"))
        if worst > GOAL_WRITE_P95:
            return {
                "users": row["users"],
                "why": f"p95 of save/submit {worst:.0f} ms > {GOAL_WRITE_P95:.0f} ms",
            }
        if previous and row["total_rps"] < previous["total_rps"] * KNEE_RISE:
            return {
                "users": row["users"],
                "why": f"throughput {row['total_rps']:.1f} req/s, not above {previous['total_rps']:.1f}",
            }
        previous = row
    return {"users": None, "why": f"not reached up to {steps[-1]['users'] if steps else 0} users"}


# --- one database -----------------------------------------------------------------------------------


def bench_database(kind: str, args, tmp: Path) -> dict:
    var = tmp / kind
    var.mkdir()
    log = var / "rush.log"
    if kind == "postgres":
        url, label = fresh_postgres(args.postgres_admin_url, args.postgres_template)
    else:
        url, label = f"sqlite:///{var / 'jushi.sqlite3'}", sqlite_version()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JUSHI_VAR_DIR": str(var),
        "JUSHI_TODAY": DEMO_TODAY,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "rush_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH")])),
        "LOG_LEVEL": "WARNING",
    }
    print(f"\n== {label}", flush=True)
    prepare = [sys.executable, str(ROOT / "bench/rush_prepare.py"), "--reporters", str(args.reporters)]
    prepared = var / "rush.json"
    if kind == "postgres" and args.postgres_template:  # CI: a copy of a database the demo is loaded in
        t_demo, demo_note = 0.0, f"demo copied from {args.postgres_template}, "
    elif args.smoke:  # the apps' demos the rush uses, in the preparing process: no projects, no chains
        t_demo, demo_note = 0.0, "light demo and "
        prepare.append("--light-demo")
    else:
        t_demo = run([str(BIN / "jushi"), "demo", "--no-serve"], env, log, "jushi demo --no-serve")
        demo_note = f"demo {t_demo:.1f} s, "
    t_prep = run([*prepare, "--out", str(prepared)], env, log, "bench/rush_prepare.py")
    Pool.load(json.loads(prepared.read_text()))
    port = args.port or free_port()
    server_log = var / "server.log"
    started = time.monotonic()
    server = start_server(port, env, server_log)
    t_server = time.monotonic() - started
    host = f"http://127.0.0.1:{port}"
    print(
        f"setup     {demo_note}"
        f"{args.reporters:,} reporters with open reports {t_prep:.1f} s, "
        f"server up in {t_server:.1f} s: {' '.join(serve_command(port)[1:])} (not timed)",
        flush=True,
    )
    result = {"database": label, "setup_seconds": round(t_demo + t_prep + t_server, 1)}
    try:
        result["workers"] = worker_count(server_log)
        result["load_before"] = os.getloadavg()[0]  # a shared machine's other work shows here
        print(f"run       {args.users} users for {args.seconds} s ...", flush=True)
        warmup = WARMUP_SECONDS / 2 if args.smoke else WARMUP_SECONDS
        result["main"] = phase([Reporter, Reviewer, Leader], host, args.users, args.seconds, warmup)
        result["main"]["submissions_per_second"] = (
            result["main"]["requests"].get("submit", {}).get("count", 0) / result["main"]["seconds"]
        )
        if args.ramp:
            print(
                f"ramp      {', '.join(map(str, args.ramp))} users, {args.step_seconds} s each ...",
                flush=True,
            )
            result["ramp"] = ramp(host, args.ramp, args.step_seconds)
            result["knee"] = knee(result["ramp"])
        if not args.smoke and args.capacity_seconds:
            clients = 2 * (result["workers"] or 5)
            print(
                f"capacity  {clients} reporters without pauses, then the floor, {args.capacity_seconds} s each ...",
                flush=True,
            )
            cap = phase([FastReporter], host, clients, args.capacity_seconds, CAPACITY_WARMUP)
            floor = phase([Floor], host, clients, args.capacity_seconds, CAPACITY_WARMUP)
            result["capacity"] = cap
            result["floor"] = floor
            submits = cap["requests"].get("submit", {}).get("count", 0) / cap["seconds"]
            writes = floor["requests"].get("floor", {}).get("count", 0) / floor["seconds"]
            result["submissions_per_second"] = submits
            result["floor_writes_per_second"] = writes
            result["ratio"] = submits / writes if writes else None
    finally:
        result["load_after"] = os.getloadavg()[0]
        stop_server(server)
    # What the database holds must be what the answers said: every 302 of submit one report sent
    # (submitted or since approved), every approval one approved report, nothing twice or half done.
    counted = subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, str(ROOT / "bench/rush_prepare.py"), "--count"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    held = json.loads(counted.stdout.strip().splitlines()[-1])
    sent = held["rush"].get("submitted", 0) + held["rush"].get("approved", 0)
    result["database_agrees"] = {
        "submitted_answers": Pool.submitted,
        "rush_reports_sent": sent,
        "approved_answers": Pool.approved,
        "approved_in_period": held["approved_in_period"],
        "ok": sent == Pool.submitted and held["approved_in_period"] == Pool.approved,
    }
    text = server_log.read_text(errors="replace")
    result["server_log"] = {
        "exceptions": exceptions(text),
        "tracebacks": text.count("Traceback (most recent call last)"),
        "database_locked": text.count("database is locked"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
    }
    result["reporters_left"] = len(Pool.reporters)
    result["reporter_pool_exhausted"] = Pool.exhausted
    report(result, args)
    return result


# --- printing ---------------------------------------------------------------------------------------


def table(run: dict) -> None:
    print(f"  {'request':<11}{'count':>8}{'fail':>6}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    rows = run["requests"]
    for name in sorted(rows, key=lambda n: ORDER.index(n) if n in ORDER else 99):
        r = rows[name]
        print(
            f"  {name:<11}{r['count']:>8,}{r['failures']:>6}{r['rps']:>8.2f}"
            f"{r['p50']:>9.0f}{r['p95']:>9.0f}{r['p99']:>9.0f}"
        )
    total_count = sum(r["count"] for r in rows.values())
    print(f"  {'all':<11}{total_count:>8,}{run['total_failures']:>6}{run['total_rps']:>8.2f}")
    for err in run["errors"][:10]:
        print(f"    error  {err['name']}: {err['error']} (× {err['occurrences']})")


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(result: dict, args) -> None:
    main = result["main"]
    print(
        f"\n  {args.users} users, {main['seconds']:.0f} s (gunicorn workers: {result.get('workers') or '?'}; "
        f"machine load, 1-minute average: {result['load_before']:.1f} before, {result['load_after']:.1f} after)"
    )
    table(main)
    phases = [main] + result.get("ramp", []) + [result[k] for k in ("capacity", "floor") if k in result]
    failures = sum(p["total_failures"] for p in phases)
    logs = result["server_log"]
    server_errors = logs["tracebacks"] + logs["database_locked"] + logs["worker_timeouts"]
    result["errors_total"] = failures
    save95, submit95, dash95 = _p95(main, "save"), _p95(main, "submit"), _p95(main, "dashboard")
    goals = {
        "errors": failures == GOAL_ERRORS and server_errors == 0,
        "save_submit_p95": max(save95, submit95) <= GOAL_WRITE_P95,
        "dashboard_p95": dash95 <= GOAL_DASHBOARD_P95,
    }
    result["goals"] = goals
    print()
    print(
        f"  goal 0 errors                    {mark(goals['errors'])} ({failures} failed requests in all runs; "
        f"server log: {logs['tracebacks']} tracebacks, {logs['database_locked']} 'database is locked', "
        f"{logs['worker_timeouts']} worker timeouts)"
    )
    for line in logs["exceptions"][:5]:
        print(f"    server  {line}")
    print(
        f"  goal p95 save, submit ≤ 500 ms   {mark(goals['save_submit_p95'])} "
        f"(save {save95:.0f} ms, submit {submit95:.0f} ms)"
    )
    print(f"  goal p95 dashboard ≤ 300 ms      {mark(goals['dashboard_p95'])} ({dash95:.0f} ms)")
    print(
        f"  submissions/s at {args.users} users       {main['submissions_per_second']:.2f} "
        f"(with people's pauses; {Pool.submitted:,} reports submitted in all runs)"
    )
    if "ratio" in result:
        cap = result["capacity"]
        print(
            f"  submissions/s sustained          {result['submissions_per_second']:.2f} "
            f"({cap['users']} reporters without pauses; p95 submit {_p95(cap, 'submit'):.0f} ms, "
            f"failures {cap['total_failures']})"
        )
        print(
            f"  floor writes/s                   {result['floor_writes_per_second']:.1f} "
            f"(bare signed-in POST, one row; p95 {_p95(result['floor'], 'floor'):.0f} ms, "
            f"failures {result['floor']['total_failures']})"
        )
        print(
            f"  ratio submissions ÷ floor        {result['ratio']:.3f} "
            f"(one submission costs {1 / result['ratio']:.1f} bare writes)"
            if result["ratio"]
            else "  ratio                            — (no floor writes)"
        )
    agree = result["database_agrees"]
    print(
        f"  database agrees                  {mark(agree['ok'])} ({agree['rush_reports_sent']:,} reports sent for "
        f"{agree['submitted_answers']:,} submit answers; {agree['approved_in_period']:,} approved for "
        f"{agree['approved_answers']:,} approve answers)"
    )
    if "knee" in result:
        k = result["knee"]
        print(f"  knee                             {k['users'] or '—'} users ({k['why']})")
    if result["reporter_pool_exhausted"]:
        print(
            f"  note: the reporter accounts ran out {result['reporter_pool_exhausted']} times; raise --reporters"
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.getLogger("locust").setLevel(logging.WARNING)
    kinds = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    print(
        f"jushi deadline rush: {args.users} users for {args.seconds} s"
        + (f", ramp {args.ramp} × {args.step_seconds} s" if args.ramp else "")
        + (" (smoke)" if args.smoke else "")
    )
    print(f"machine   {platform.platform()} | Python {platform.python_version()} | {os.cpu_count()} CPUs")
    mix = ", ".join(f"{k} {v * 100 // sum(WEIGHTS.values())}%" for k, v in WEIGHTS.items())
    print(f"people    {mix}; pauses {THINK[0]:.0f}–{THINK[1]:.0f} s between actions")
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="jushi-rush-"))
    results = {}
    try:
        for kind in kinds:
            results[kind] = bench_database(kind, args, tmp)
    finally:
        if args.keep:
            print(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    summary = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "args": {k: v for k, v in vars(args).items() if k != "postgres_admin_url"},
        "weights": WEIGHTS,
        "think_seconds": THINK,
        "results": results,
        "seconds": round(time.monotonic() - started, 1),
    }
    path = Path(args.json) if args.json else ROOT / "test-artifacts" / "deadline_rush.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    print(f"\nsummary   {path} ({summary['seconds']:.0f} s in all)")
    broken = any(not r["goals"]["errors"] or not r["database_agrees"]["ok"] for r in results.values())
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
