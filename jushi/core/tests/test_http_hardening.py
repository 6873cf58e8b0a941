"""HTTP hardening (issue 13 point 8) and SQLite under concurrency (point 9)."""

import re
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connections, transaction
from django.db.models import ProtectedError
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from jushi.core.testing import PASSWORD, PersonaTestCase  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER_ATTR = re.compile(r"\son[a-z]+\s*=|javascript:", re.I)


def test_no_template_or_script_needs_unsafe_inline():
    """A CSP without 'unsafe-inline' blocks inline scripts, on* handlers and javascript: links."""
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER_ATTR):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


class HeadersTests(PersonaTestCase):
    def test_every_page_carries_the_security_headers(self):
        self.client.force_login(self.admin)
        for url in (reverse("login"), reverse("indicators:dashboard"), reverse("api-docs")):
            response = self.client.get(url, follow=True)
            csp = response.headers["Content-Security-Policy"]
            script_src = re.search(r"script-src ([^;]*)", csp).group(1)
            assert script_src.split() == ["'self'"], url
            assert "frame-ancestors 'none'" in csp
            assert "camera=()" in response.headers["Permissions-Policy"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "same-origin"

    def test_api_docs_load_their_script_from_a_url_not_inline(self):
        self.client.force_login(self.admin)
        page = self.client.get(reverse("api-docs")).content.decode()
        assert not INLINE_SCRIPT.search(page)
        script = self.client.get(reverse("api-docs") + "?script=")
        assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


class ErrorPageTests(PersonaTestCase):
    def test_404_is_chinese_with_navigation(self):
        self.client.force_login(self.leader)
        response = self.client.get("/no-such-page/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "页面不存在" in body and "主导航" in body and "返回首页" in body

    def test_api_paths_answer_json_errors(self):
        self.client.force_login(self.leader)
        response = self.client.get("/api/projects/projects/0.5/funds/")
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/json"
        assert "未找到" in response.json()["detail"]

    def test_404_for_anonymous_offers_the_login(self):
        response = Client().get("/no-such-page/")
        assert response.status_code == 404 and "登录" in response.content.decode()

    def test_403_is_chinese_with_navigation(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("core:audit"))
        body = response.content.decode()
        assert response.status_code == 403
        assert "无权访问" in body and "主导航" in body

    def test_csrf_failure_is_chinese_and_keeps_the_shell(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.leader)
        response = client.post(reverse("logout"))
        body = response.content.decode()
        assert response.status_code == 403
        assert "页面已过期" in body and "刷新页面" in body and "主导航" in body

    def test_500_page_is_chinese_and_stands_alone(self):
        from django.views.defaults import server_error

        response = server_error(RequestFactory().get("/"))
        body = response.content.decode()
        assert response.status_code == 500 and "系统错误" in body and 'href="/"' in body
        from jushi.core.errors import server_error as api_aware

        api = api_aware(RequestFactory().get("/api/zones/"))
        assert api.status_code == 500 and api.headers["Content-Type"] == "application/json"


class ThrottleTests(PersonaTestCase):
    def test_an_authenticated_client_is_throttled_with_429(self):
        client = Client()
        client.force_login(self.reviewer)
        url = reverse("zone-list")
        with override_settings(JUSHI_API_RATE_USER="3/minute"):
            codes = [client.get(url).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]

    def test_anonymous_calls_to_an_open_endpoint_are_throttled(self):
        from rest_framework.permissions import AllowAny

        from jushi.core.throttling import AnonThrottle

        class Open(APIView):
            permission_classes = [AllowAny]
            throttle_classes = [AnonThrottle]

            def get(self, request):
                return Response({"ok": True})

        view = Open.as_view()
        with override_settings(JUSHI_API_RATE_ANON="2/minute"):
            codes = [view(APIRequestFactory().get("/")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]

    def test_an_empty_rate_switches_the_throttle_off(self):
        client = Client()
        client.force_login(self.reviewer)
        with override_settings(JUSHI_API_RATE_USER=""):
            codes = {client.get(reverse("zone-list")).status_code for _ in range(5)}
        assert codes == {200}


class _Raises(APIView):
    permission_classes = []
    authentication_classes = []
    error: Exception

    def get(self, request):
        raise self.error


def _api(error):
    view = type("View", (_Raises,), {"error": error}).as_view()
    return view(APIRequestFactory().get("/"))


def test_api_answers_409_for_a_busy_database_and_a_referenced_record():
    busy = _api(OperationalError("database is locked"))
    assert busy.status_code == 409 and "稍后重试" in busy.data["detail"]
    protected = _api(ProtectedError("referenced", set()))
    assert protected.status_code == 409 and "不能删除" in protected.data["detail"]


def test_other_operational_errors_are_not_hidden():
    with pytest.raises(OperationalError):
        _api(OperationalError("no such table: x"))


def test_page_answers_409_for_a_busy_database():
    from jushi.core.middleware import SecurityHeadersMiddleware

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    middleware = SecurityHeadersMiddleware(lambda r: Response())
    response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response.status_code == 409 and "稍后重试" in response.content.decode()
    assert middleware.process_exception(request, ValueError("x")) is None


@pytest.mark.django_db
def test_every_api_operation_documents_its_error_bodies():
    client = Client()
    from jushi.accounts.models import User

    client.force_login(User.objects.create_user("schema-reader", password=PASSWORD, role="staff"))
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "Error" in schema["components"]["schemas"]
    missing = [
        f"{method.upper()} {path} {code}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for code in ("400", "403", "404", "409", "429")
        if code not in operation["responses"]
    ]
    assert missing == []


def _concurrent_writers(tmp_path, django_db_blocker, mode: str) -> list[str]:
    """Two transactions that each read, then write, overlapping in time. Returns each one's outcome."""
    from jushi.settings import _database

    config = _database(f"sqlite:///{tmp_path / 'race.sqlite3'}")
    config["OPTIONS"]["transaction_mode"] = mode
    config["OPTIONS"]["timeout"] = 5
    alias = f"race_{mode.lower()}"
    configured = connections.configure_settings({"default": connections.settings["default"], alias: config})
    connections.settings[alias] = configured[alias]
    first_has_read = threading.Event()
    outcomes: dict[str, str] = {}

    def writer(name: str, wait: threading.Event | None):
        try:
            if wait:
                wait.wait(5)
            with transaction.atomic(using=alias):
                cursor = connections[alias].cursor()
                cursor.execute("SELECT COUNT(*) FROM t")
                if not wait:
                    first_has_read.set()
                    time.sleep(0.4)  # hold the transaction while the other one starts
                cursor.execute("INSERT INTO t (who) VALUES (%s)", [name])
            outcomes[name] = "ok"
        except OperationalError as exc:
            outcomes[name] = str(exc)
        finally:
            connections[alias].close()

    with django_db_blocker.unblock():
        setup = connections[alias].cursor()
        setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
        connections[alias].close()
        threads = [
            threading.Thread(target=writer, args=("a", None)),
            threading.Thread(target=writer, args=("b", first_has_read)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        del connections.settings[alias]
    return [outcomes.get("a", "?"), outcomes.get("b", "?")]


def test_sqlite_concurrent_writers_wait_their_turn(tmp_path, django_db_blocker, settings):
    assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") is False or (
        settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    )
    assert _concurrent_writers(tmp_path, django_db_blocker, "IMMEDIATE") == ["ok", "ok"]


def test_without_immediate_transactions_the_second_writer_fails(tmp_path, django_db_blocker):
    """Why the setting exists: a deferred transaction whose snapshot went stale cannot take the write lock,
    whatever the busy timeout."""
    outcomes = _concurrent_writers(tmp_path, django_db_blocker, "DEFERRED")
    assert "ok" in outcomes and any("locked" in outcome for outcome in outcomes)


class ImportLimitsTests(PersonaTestCase):
    def test_every_import_page_states_the_caps(self):
        from jushi.lib.tabular import limits

        caps = limits()
        self.client.force_login(self.admin)
        for name in (
            "registry:enterprise_import",
            "reporting:period_import",
            "chains:pool_import",
            "indicators:figures",
        ):
            body = self.client.get(reverse(name)).content.decode()
            assert 'id="import-limits"' in body, name
            assert f"最多 {caps.rows} 行" in body and f"{caps.columns} 列" in body, name
