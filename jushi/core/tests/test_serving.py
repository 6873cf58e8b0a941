"""`jushi serve` for real: gunicorn on a fresh SQLite file, refusing to start before `jushi migrate`, then
serving a Chinese page, a sign-in over plain HTTP, a compressed static file, /healthz, and 413 for a body
one byte over JUSHI_REQUEST_MAX_BYTES."""

import fcntl
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from jushi.core.management.commands.serve import Command, default_workers

ROOT = Path(__file__).resolve().parents[3]
JUSHI = [sys.executable, "-m", "jushi.cli"]


def free_port(start: int) -> int:
    for port in range(start, start + 40):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def test_the_defaults_and_options_stated_in_the_help():
    parser = Command().create_parser("jushi", "serve")
    opts = parser.parse_args([])
    assert opts.addrport == "127.0.0.1:8000" and opts.workers is None and opts.timeout == 60
    assert default_workers() == 2 * len(os.sched_getaffinity(0)) + 1
    assert f"本机为 {default_workers()}" in parser.format_help()


def test_print_shows_the_gunicorn_command(capsys):
    from django.core.management import call_command

    call_command("serve", addrport="0.0.0.0:9000", workers=3, timeout=45, print=True)
    line = capsys.readouterr().out.strip()
    assert "gunicorn jushi.wsgi:application --bind 0.0.0.0:9000 --workers 3 --timeout 45" in line
    assert "--access-logfile -" in line


def test_a_bad_address_is_refused_in_words():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="格式不对"):
        call_command("serve", addrport="8000", print=True)


@pytest.fixture
def var_dir(tmp_path):
    """A fresh JUSHI_VAR_DIR whose static folder is kept between runs (under the project's var/): `jushi
    serve` collects only what changed since its last collection, so only the first run pays for
    compressing the static files."""
    var = tmp_path / "var"
    var.mkdir()
    cached = ROOT / "var" / "test-serve-static"
    cached.mkdir(parents=True, exist_ok=True)
    (var / "static").symlink_to(cached, target_is_directory=True)
    # The SQLite and PostgreSQL suites run side by side (.ci/run): one collection into the folder at a time.
    with open(ROOT / "var" / "test-serve-static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield var


def test_serve_for_real_on_a_fresh_sqlite_file(var_dir, tmp_path):
    port = free_port(18110)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "JUSHI_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "jushi.settings",
        "JUSHI_REQUEST_MAX_BYTES": str(2 * 1024 * 1024),
    }
    for name in ("DEBUG", "JUSHI_HTTPS", "SECRET_KEY", "ALLOWED_HOSTS"):
        env.pop(name, None)
    serve = [*JUSHI, "serve", "--addrport", f"127.0.0.1:{port}", "--workers", "2"]

    refused = subprocess.run(serve, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "迁移尚未执行" in refused.stderr and "jushi migrate" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr

    subprocess.run([*JUSHI, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    subprocess.run(
        [
            *JUSHI,
            "shell",
            "-c",
            "from jushi.accounts.models import User; User.objects.create_user("
            "'ops', password='Serve-Test-2024')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    server = subprocess.Popen(serve, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=5)
                break
            except OSError:  # not listening yet, or no worker booted yet
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "jushi serve never answered"
                time.sleep(0.3)

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{base}/login/") as page:
            assert page.status == 200
            html = page.read().decode()
        assert "登录" in html and 'lang="zh-hans"' in html
        csrf = next(c for c in jar if c.name == "csrftoken")
        assert not csrf.secure  # plain http on 127.0.0.1 without JUSHI_HTTPS: no secure-only cookies
        form = urllib.parse.urlencode(
            {"username": "ops", "password": "Serve-Test-2024", "csrfmiddlewaretoken": csrf.value}
        ).encode()
        login = urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"})
        with opener.open(login) as signed:
            assert signed.status == 200
            assert not signed.url.rstrip("/").endswith("/login"), signed.url
        session = next(c for c in jar if c.name == "sessionid")
        assert not session.secure

        static = urllib.request.Request(
            f"{base}/static/vendor/htmx/htmx.min.js", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(static) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Encoding"] == "gzip"
            assert re.search(r"max-age=\d+", answer.headers["Cache-Control"])
            assert answer.headers["Server"] == "gunicorn"

        try:
            urllib.request.urlopen(f"{base}/healthz")
            raise AssertionError("healthz answered 200 without a worker")
        except urllib.error.HTTPError as error:
            assert error.code == 503
            body = json.loads(error.read().decode())
        assert body["failing"] == ["worker"] and body["checks"]["database"]["ok"]

        # A body one byte over the limit: 413 naming it, answered before the body is read.
        limit = 2 * 1024 * 1024
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(
                f"POST /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                f"Content-Length: {limit + 1}\r\n\r\n".encode()
                + b"x" * 65536
            )
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, text = answer.decode().partition("\r\n\r\n")
        assert head.startswith("HTTP/1.1 413"), head
        assert "上传内容 2,097,153 字节超过上限 2,097,152 字节(2.0 MB)" in text
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            out = server.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            server.kill()
            out = server.communicate()[0].decode()
    assert '"GET /login/ HTTP/1.1" 200' in out  # the access log on stdout
    assert "Traceback" not in out
    shutil.rmtree(var_dir / "runtime", ignore_errors=True)
