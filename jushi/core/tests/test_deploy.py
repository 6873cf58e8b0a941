import os
import subprocess
import sys

from django.db import connection


def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }  # set for the browser tests
    env = {
        **env,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "k3J9#mQ2!vZ8@pL5$wR7^tY1&uI4*oP6(aS0)dF",
        "ALLOWED_HOSTS": "jushi.example.cn",
        "JUSHI_HTTPS": "1",
        "JUSHI_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "jushi.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_is_the_one_database_url_names():
    # CI runs the suite twice; this proves the second run really was on PostgreSQL.
    url = os.environ.get("DATABASE_URL", "sqlite:")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
