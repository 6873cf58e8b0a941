import os
from pathlib import Path

import pytest

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_passwords_for_test_data():
    """Users made in setUpTestData (before any function fixture) hash with MD5 too: production's PBKDF2
    costs about half a second a password, seven users a test class, and was a third of the suite's time.
    The password tests set their hashers themselves."""
    from django.conf import settings
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = FAST_HASHERS
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # Two-factor login is production's default; the tests of it (jushi/accounts/tests) switch it on.
    settings.JUSHI_2FA_REQUIRED = False
    settings.UPLOAD_DIR = tmp_path / "uploads"
    # Workers' heartbeats and jobs' live progress (jushi.core.runtime): each test starts with none.
    settings.CACHES = {
        **settings.CACHES,
        "runtime": {**settings.CACHES["runtime"], "LOCATION": str(tmp_path / "runtime")},
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    """API throttles count requests in the cache; each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _no_autovacuum_in_the_test_database(django_db_setup, django_db_blocker):
    """PostgreSQL: no autovacuum on the test database's tables.

    Every test rolls back, so a table that tests fill with thousands of rows (the large imports and
    exports) holds only dead rows between tests; autovacuum then records it as empty (reltuples 0), and
    the planner, trusting that, joins the next test's thousands of rows by nested loops: the suite ran
    for 40 minutes instead of 12. Left unvacuumed, a table is estimated from its pages, which is sane.
    Production commits its rows, so its statistics are true and autovacuum stays on there."""
    from django.db import connection

    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].startswith("test_"):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')


_vacuumed_before: list = [None]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """PostgreSQL: vacuum the audit chain's tables before each test class.

    Every test rolls back, so every test appends the same chain numbers again; PostgreSQL keeps each
    rolled-back row's entry in the unique index on `seq` until a vacuum, and each append then checks all
    of them: the suite slowed down as it went (16 minutes instead of 7). Production never rolls back the
    same numbers over and over, so this is the tests' business, done on a side connection between
    classes (VACUUM cannot run inside the test's transaction)."""
    cls = getattr(item, "cls", None)
    if cls is None or cls is _vacuumed_before[0]:
        return
    _vacuumed_before[0] = cls
    from django.db import connection

    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].startswith("test_"):
        return
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    try:
        with psycopg.connect(**params, autocommit=True) as side:
            for table in ("core_changelog", "core_auditevent", "core_auditchain"):
                side.execute(f"VACUUM {table}")
    except psycopg.Error:
        pass  # tables not there yet (the first test creates the database): nothing to vacuum


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=zh-CN",
]
CHROMIUM = os.environ.get("JUSHI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright. Missing Chromium skips, unless JUSHI_REQUIRE_BROWSER=1 (CI)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("JUSHI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"JUSHI_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} not installed; browser tests run in CI (apt-get install -y chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        yield browser
        browser.close()


DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser, live_server):
    """A desktop browser tab (1440 × 900) on the live server."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized tab (390 × 844, touch, mobile viewport meta honoured) on the live server."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
