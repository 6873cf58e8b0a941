"""/healthz: 200 with the database, the migrations and a worker's heartbeat; 503 naming what fails."""

import json
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration

from jushi.core import health, runtime

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_health():
    health.reset()
    yield
    health.reset()


def get(client, **params):
    response = client.get("/healthz", params)
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content.decode())


def test_all_well_with_a_live_worker(client):
    runtime.beat("w1")
    response, body = get(client)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"]["ok"] is True
    worker = body["checks"]["worker"]
    assert worker["ok"] is True and worker["workers"] == 1
    assert 0 <= worker["last_beat_seconds"] < 5
    assert "sessionid" not in response.cookies  # no session made for a monitor
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_no_worker_is_503_naming_the_worker(client):
    response, body = get(client)
    assert response.status_code == 503
    assert body["status"] == "fail" and body["failing"] == ["worker"]
    assert "没有运行中的后台任务进程" in body["checks"]["worker"]["message"]
    assert "从未收到心跳" in body["checks"]["worker"]["message"]
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]


def test_a_stale_worker_is_named_with_its_last_beat(client, settings):
    runtime.beat("w1")
    with mock.patch("jushi.core.runtime.time.time", return_value=__import__("time").time() + 95):
        response, body = get(client)
    assert response.status_code == 503 and body["failing"] == ["worker"]
    assert body["checks"]["worker"]["last_beat_seconds"] >= 94
    assert "最近一次心跳在 95 秒前" in body["checks"]["worker"]["message"]


def test_an_unapplied_migration_is_503_naming_it(client):
    runtime.beat("w1")
    pending = Migration("0099_pending", "reporting")
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=[(pending, False)]):
        response, body = get(client)
    assert response.status_code == 503
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"]["unapplied"] == ["reporting.0099_pending"]
    assert "reporting.0099_pending" in body["checks"]["migrations"]["message"]
    assert "尚未执行" in body["checks"]["migrations"]["message"]


def test_all_applied_is_remembered_for_a_while(client):
    runtime.beat("w1")
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=[]) as plan:
        get(client)
        get(client)
    assert plan.call_count == 1
    health.reset()
    pending = Migration("0099_pending", "projects")
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=[(pending, False)]) as plan:
        assert get(client)[0].status_code == 503
        assert get(client)[0].status_code == 503  # a failure is never cached
    assert plan.call_count == 2


def test_database_failure_is_503_naming_the_database(client):
    runtime.beat("w1")
    real_cursor = connection.cursor

    def broken(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 1 failed: Connection refused")

    with mock.patch.object(connection, "cursor", side_effect=broken):
        response, body = get(client)
    assert connection.cursor == real_cursor
    assert response.status_code == 503
    assert body["failing"] == ["database", "migrations"]
    assert "数据库无法连接" in body["checks"]["database"]["message"]
    assert "Connection refused" in body["checks"]["database"]["message"]
    assert "Traceback" not in response.content.decode()


def test_healthz_takes_no_writes(client):
    runtime.beat("w1")
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_a_signed_in_user_whose_password_expired_is_not_redirected(client, settings):
    from django.contrib.auth import get_user_model

    runtime.beat("w1")
    user = get_user_model().objects.create_user("ops", password="x-Pass-2024-ok", is_superuser=True)
    settings.JUSHI_PASSWORD_MAX_AGE_DAYS = 1
    get_user_model().objects.filter(pk=user.pk).update(password_changed_at="2000-01-01T00:00:00Z")
    client.force_login(user)
    home = client.get("/")
    assert home.status_code == 302 and "password" in home["Location"]  # the gate is on for this user
    response, body = get(client)
    assert response.status_code == 200, body


def test_healthz_is_not_sent_to_https_behind_the_proxy(tmp_path):
    """With JUSHI_HTTPS=1 every plain-HTTP request is redirected to HTTPS, except /healthz: a monitor on
    the local port asks over plain HTTP."""
    import os
    import subprocess
    import sys

    probe = (
        "import django; django.setup()\n"
        "from django.http import HttpResponse\n"
        "from django.middleware.security import SecurityMiddleware\n"
        "from django.test import RequestFactory\n"
        "gate = SecurityMiddleware(lambda request: HttpResponse('passed'))\n"
        "for path in ('/healthz', '/login/'):\n"
        "    print(path, gate(RequestFactory(HTTP_HOST='127.0.0.1').get(path)).status_code)\n"
    )
    env = {
        **os.environ,
        "JUSHI_HTTPS": "1",
        "JUSHI_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "jushi.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.split("\n")[:2] == ["/healthz 200", "/login/ 301"], out
