"""No page tells a user to use the command line: what a page needs done, the page does (issue 14)."""

import re
from pathlib import Path

import pytest

JUSHI = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(JUSHI.rglob("templates/**/*.html"))
# A command (`jushi publish …`, `manage.py …`) or a command-line flag (`--update`, `(--live)`) in page text.
COMMAND = re.compile(r"\bjushi\s+[a-z]+\b|manage\.py|(?<![\w-])--[a-z][a-z-]+")
CSS_VARIABLE = re.compile(r"var\(--[a-z-]+\)|<!--|-->")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(JUSHI)))
def test_no_template_names_a_command(template):
    text = CSS_VARIABLE.sub("", template.read_text(encoding="utf-8"))
    found = COMMAND.findall(text)
    assert not found, f"{template.name}: {found}"


def test_the_pattern_catches_what_it_should():
    assert COMMAND.search("请使用 (--update)")
    assert COMMAND.search("运行 <code>jushi publish --zone k</code>")
    assert COMMAND.search('style="color:var(--bad)"')  # why CSS variables are taken out first
    assert not COMMAND.search(CSS_VARIABLE.sub("", 'style="color:var(--bad)" <!-- a comment -->'))
