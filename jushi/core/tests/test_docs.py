"""The README a newcomer reads, and the links in docs/: short, commands first, every local link and image
resolving, every demo login listed, `make demo PORT=...` honoured."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jushi.registry.demo import DEMO_USERS

ROOT = Path(__file__).resolve().parents[3]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
DOCS = [ROOT / "README.md", ROOT / "README.en.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_readme_is_short_and_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 150
    assert "(README.en.md)" in lines[0]  # the English text is one click from line one
    head = "\n".join(lines[:15])
    assert "make demo" in head and "make test" in head
    text = "\n".join(lines)
    assert "later version" not in text and "后续版本" not in text


@pytest.mark.parametrize("readme", ["README.md", "README.en.md"])
def test_readme_lists_every_demo_login_and_one_screenshot(readme):
    text = (ROOT / readme).read_text(encoding="utf-8")
    for username, *_ in DEMO_USERS:
        assert f"`{username}`" in text, username
    for duty in ("xitong", "anquan", "shenji"):
        assert duty in text
    images = [m for m in LINK.finditer(text) if m.group(0).startswith("!")]
    assert len(images) == 1


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_local_link_resolves(doc):
    for match in LINK.finditer(doc.read_text(encoding="utf-8")):
        target = match.group(1).split("#")[0]
        if not target or re.match(r"[a-z]+:", target):
            continue
        assert (doc.parent / target).exists(), f"{doc.name}: {match.group(1)}"


def test_a_guide_for_every_role():
    index = (ROOT / "docs" / "roles" / "README.md").read_text(encoding="utf-8")
    for name in ("reporter.md", "statistics.md", "investment.md", "leader.md", "admin.md"):
        assert f"({name})" in index
        assert re.search(r"[\u4e00-\u9fff]", (ROOT / "docs" / "roles" / name).read_text(encoding="utf-8"))


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_demo_takes_a_port():
    out = subprocess.run(
        ["make", "-n", "demo", "PORT=8001"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "jushi demo --addrport 127.0.0.1:8001" in out
