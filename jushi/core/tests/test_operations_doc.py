"""docs/OPERATIONS.md stays true: the systemd units run real commands with options those commands accept,
web and worker share one environment file, nginx lets through every request Jushi accepts and waits longer
than gunicorn, and the environment variables listed are exactly the ones the code reads."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import load_command_class

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)
ENV_NAME = re.compile(
    r"environ(?:\.get)?\(\s*\"([A-Z][A-Z0-9_]+)\"|environ\[\"([A-Z][A-Z0-9_]+)\"\]|_flag\(\"([A-Z0-9_]+)\""
)
SIZE = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def blocks(lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall(DOC) if kind == lang]


def units() -> dict[str, str]:
    found = {}
    for body in blocks("ini"):
        name = re.search(r"^# (/etc/systemd/system/\S+\.service)", body, re.M)
        if name:
            found[name.group(1)] = body
    return found


def directive(body: str, key: str) -> str:
    match = re.search(rf"^{key}=(.*)$", body, re.M)
    assert match, f"{key}= missing"
    return match.group(1).strip()


def parse_exec(body: str):
    """The ExecStart command: (subcommand, parsed options) by the command's own parser."""
    argv = shlex.split(directive(body, "ExecStart"))
    assert Path(argv[0]).name == "jushi", argv[0]
    assert argv[0].startswith(directive(body, "WorkingDirectory")), "jushi from the unit's own folder"
    command = load_command_class("jushi.core", argv[1])
    return argv[1], command.create_parser("jushi", argv[1]).parse_args(argv[2:])


def test_a_unit_for_the_web_and_one_for_the_worker_with_options_the_commands_accept():
    found = {parse_exec(body)[0]: body for body in units().values()}
    assert set(found) == {"serve", "worker"}, sorted(found)
    serve = parse_exec(found["serve"])[1]
    assert serve.workers >= 1 and serve.timeout >= 1
    host, port = serve.addrport.rsplit(":", 1)
    assert host == "127.0.0.1"  # behind nginx, never open to the network
    # Web and worker share one environment (one database, one JUSHI_VAR_DIR).
    assert directive(found["serve"], "EnvironmentFile") == directive(found["worker"], "EnvironmentFile")
    assert directive(found["serve"], "WorkingDirectory") == directive(found["worker"], "WorkingDirectory")
    assert directive(found["worker"], "Restart") in ("always", "on-failure")


def test_the_environment_file_sets_the_shared_folder_and_production_flags():
    env_file = directive(next(iter(units().values())), "EnvironmentFile")
    example = next(body for body in blocks("sh") if "DEBUG=0" in body)
    assert env_file in DOC
    for line in (
        "DEBUG=0",
        "JUSHI_HTTPS=1",
        "JUSHI_VAR_DIR=",
        "SECRET_KEY=",
        "ALLOWED_HOSTS=",
        "DATABASE_URL=",
    ):
        assert line in example, line


def nginx_value(body: str, key: str) -> str:
    match = re.search(rf"^\s*{key}\s+([^;]+);", body, re.M)
    assert match, f"{key} missing from the nginx snippet"
    return match.group(1).strip()


def test_nginx_lets_through_what_jushi_accepts_and_waits_longer_than_gunicorn():
    (nginx,) = blocks("nginx")
    size = re.fullmatch(r"(\d+)([kmg]?)", nginx_value(nginx, "client_max_body_size").lower())
    assert size, "client_max_body_size"
    assert int(size.group(1)) * SIZE[size.group(2)] >= settings.JUSHI_REQUEST_MAX_BYTES
    serve = next(parse_exec(b)[1] for b in units().values() if parse_exec(b)[0] == "serve")
    read_timeout = int(nginx_value(nginx, "proxy_read_timeout").rstrip("s"))
    assert read_timeout > serve.timeout
    for target in re.findall(r"proxy_pass\s+http://([^;/]+)", nginx):
        assert target == serve.addrport, target
    assert "X-Forwarded-Proto" in nginx  # JUSHI_HTTPS=1 trusts it


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_serve_runs_jushi_serve_with_options_it_accepts():
    out = subprocess.run(["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next(row for row in out.splitlines() if " serve " in f"{row} ")
    argv = shlex.split(line)
    at = argv.index("serve")
    assert Path(argv[at - 1]).name == "jushi"
    opts = (
        load_command_class("jushi.core", "serve").create_parser("jushi", "serve").parse_args(argv[at + 1 :])
    )
    assert opts.addrport == "127.0.0.1:8000"


def documented_variables() -> set[str]:
    section = DOC.split("## 配置(环境变量)", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1]))
    return names


def variables_read(paths) -> set[str]:
    names = set()
    for path in paths:
        for match in ENV_NAME.finditer(path.read_text(encoding="utf-8")):
            names.add(next(group for group in match.groups() if group))
    return names


def test_every_variable_listed_is_read_and_every_setting_is_listed():
    listed = documented_variables()
    in_settings = variables_read([ROOT / "jushi" / "settings.py"])
    in_code = variables_read(p for p in (ROOT / "jushi").rglob("*.py") if "tests" not in p.parts)
    assert len(in_settings) > 30  # the pattern finds them
    assert sorted(listed - in_code) == [], "listed in OPERATIONS.md but read nowhere"
    assert sorted(in_settings - listed) == [], "read by settings.py but missing from OPERATIONS.md"
    for name in ("JUSHI_REQUEST_MAX_BYTES", "JUSHI_JOB_ROWS", "JUSHI_WORKER_STALE_SECONDS"):
        assert name in listed


@pytest.mark.parametrize("link", ["BACKUP.md", "SECURITY.md"])
def test_the_guide_points_to_its_neighbours(link):
    assert f"]({link})" in DOC
