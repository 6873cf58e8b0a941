"""Faults at the HTTP level: the database unreachable (503, Chinese page or JSON, Retry-After, no
traceback) and a request over the upload limit (413 naming the limit), in process; the same for real
against a server process started on a database nobody listens on."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.test import Client

from jushi.core.middleware import UNAVAILABLE_MESSAGE, is_unreachable

ROOT = Path(__file__).resolve().parents[3]
REFUSED = "connection failed: connection to server at 127.0.0.1, port 1 failed: Connection refused"


def test_what_counts_as_unreachable():
    assert is_unreachable(OperationalError(REFUSED))
    assert is_unreachable(OperationalError("unable to open database file"))
    assert not is_unreachable(OperationalError("database is locked"))  # 409, another writer
    assert not is_unreachable(OperationalError("no such table: registry_zone"))
    assert not is_unreachable(ValueError("Connection refused"))


@pytest.fixture
def signed_in(db):
    user = get_user_model().objects.create_user("faults", password="x-Pass-2024-ok", is_superuser=True)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _down():
    return mock.patch.object(connection, "cursor", side_effect=OperationalError(REFUSED))


def test_pages_answer_503_in_chinese_when_the_database_is_down(signed_in):
    with _down():
        page = signed_in.get("/")
        api = signed_in.get("/api/zones/")
        anonymous_api = Client(raise_request_exception=False).get("/api/zones/")
    assert page.status_code == 503
    text = page.content.decode()
    assert UNAVAILABLE_MESSAGE in text and "503" in text
    assert "Traceback" not in text and "OperationalError" not in text
    assert page["Retry-After"].isdigit()
    assert api.status_code == 503 and api["Retry-After"].isdigit()
    assert json.loads(api.content) == {"detail": UNAVAILABLE_MESSAGE}
    # Anonymous API: DRF answers 401/403 before any query, or 503 if it had to ask the database.
    assert anonymous_api.status_code in (401, 403, 503)


def test_a_locked_database_is_still_a_conflict_not_503(signed_in):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("database is locked")):
        page = signed_in.get("/")
    assert page.status_code != 503


def test_a_request_over_the_limit_is_413_naming_the_limit(db, settings):
    settings.JUSHI_REQUEST_MAX_BYTES = 2 * 1024 * 1024
    client = Client(raise_request_exception=False)
    big = 3 * 1024 * 1024 + 1
    page = client.post("/login/", data=b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(big))
    assert page.status_code == 413
    text = page.content.decode()
    assert "上传内容 3.0 MB 超过上限 2.0 MB" in text
    api = client.post("/api/zones/", data=b"{}", content_type="application/json", CONTENT_LENGTH=str(big))
    assert api.status_code == 413
    assert json.loads(api.content) == {"detail": "上传内容 3.0 MB 超过上限 2.0 MB"}
    at_limit = client.post(
        "/login/", data=b"x", content_type="text/plain", CONTENT_LENGTH=str(2 * 1024 * 1024)
    )
    assert at_limit.status_code != 413


def test_djangos_own_form_cap_is_413_too(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = Client(raise_request_exception=False).post("/login/", {"username": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert "超过上限 1.0 MB" in response.content.decode()


def test_the_default_limit_covers_the_largest_upload_and_its_form(settings):
    from django.conf import settings as live

    largest = max(live.JUSHI_ATTACHMENT_MAX_BYTES, live.JUSHI_IMPORT_MAX_BYTES)
    assert live.JUSHI_REQUEST_MAX_BYTES >= largest + 1024 * 1024


# --- for real: a server process on a database nobody listens on ---------------------------------------


def _free_port(start: int) -> int:
    for port in range(start, start + 40):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def _fetch(url, *, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _wait(url, deadline):
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:  # not listening yet, or no worker booted yet
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_for_real_a_server_on_an_unreachable_database(tmp_path):
    port = _free_port(18140)
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody:x@127.0.0.1:1/none?connect_timeout=2",
        "JUSHI_VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "jushi.settings",
    }
    env.pop("JUSHI_HTTPS", None)
    server = subprocess.Popen(
        [
            *[
                sys.executable,
                "-m",
                "jushi.cli",
                "serve",
                "--addrport",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            *["--no-migrate-check", "--no-collectstatic"],  # both would ask the database, which is down
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/healthz", time.monotonic() + 60)
        cookie = "sessionid=abcdefghijklmnopqrstuvwxyz012345"
        status, headers, page = _fetch(f"{base}/", cookie=cookie)
        assert status == 503, page[:300]
        assert "数据库暂时无法连接" in page and headers.get("Retry-After")
        status, headers, api = _fetch(f"{base}/api/zones/", cookie=cookie)
        assert status == 503 and json.loads(api) == {"detail": UNAVAILABLE_MESSAGE}
        status, headers, health = _fetch(f"{base}/healthz")
        body = json.loads(health)
        assert status == 503 and "database" in body["failing"]
        assert "数据库无法连接" in body["checks"]["database"]["message"]
        for text in (page, api, health):
            assert "Traceback" not in text
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
