"""The kanban at 1440 × 900 and 390 × 844 (issue 14): the columns scroll sideways inside the board, not
the page, so the last stages (投产, 达产) are reachable; each column's header stays in sight while its
cards scroll; cards give amounts in 亿元 only. Screenshots are saved."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core.testing import PASSWORD
from jushi.registry.models import Region, UserScope, Zone
from jushi.reporting.tests.test_browser import log_in

from ..models import Investor, Project, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def board():
    """A zone with projects in every stage (eight in 签约, so a column is taller than the screen)."""
    if not Stage.objects.exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.projects.migrations.0002_stages").install(apps, None)
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar", name="喀什经济开发区", level="national", kind="etdz", region=region
    )
    staff = User.objects.create_user(
        "zhaoshang",
        password=PASSWORD,
        role=Role.STAFF,
        department=Department.INVESTMENT,
        full_name="招商专员",
    )
    UserScope.objects.create(user=staff).zones.set([zone])
    n = 0
    for stage in Stage.objects.all():
        for i in range(8 if stage.code == "signed" else 2):
            n += 1
            investor = Investor.objects.create(name=f"投资方{n}有限公司")
            Project.objects.create(
                zone=zone,
                code=f"P2024-{n:04d}",
                name=f"{stage.name}阶段项目{i + 1}",
                investor=investor,
                stage=stage,
                stage_entered_on=dt.date(2024, 6, 1),
                lead_on=dt.date(2024, 1, 5),
                agreed_investment=Decimal(800 + 5000 * i),
            )
    return zone


def scrolls(page) -> dict:
    return page.evaluate(
        """() => {
        const b = document.querySelector('#board');
        return {page: document.documentElement.scrollWidth, view: window.innerWidth,
                board: b.scrollWidth, boardView: b.clientWidth};
    }"""
    )


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => {
        const el = document.querySelector(sel), r = el.getBoundingClientRect();
        return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth + 1 && r.top < window.innerHeight;
    }""",
        selector,
    )


def shot(page, screenshot, name):
    """The screen as the user sees it (taken first: a full-page capture may re-lay out the board), then
    the whole page."""
    seen = page.screenshot()
    full = screenshot(page, name)
    full.with_name(full.stem + "-screen.png").write_bytes(seen)


def test_the_last_stage_is_reachable_and_headers_stay(page, board, screenshot):
    log_in(page, "zhaoshang")
    page.goto("/projects/kanban/")
    page.locator("#board").wait_for()
    stages = page.locator("#board .column").evaluate_all("cols => cols.map(c => c.dataset.stage)")
    assert stages == [s.code for s in Stage.objects.all()], stages
    size = scrolls(page)
    assert size["page"] <= size["view"], size  # the page itself does not scroll sideways
    assert size["board"] > size["boardView"], size  # the board does
    last = "#board .column[data-stage='full'] header"
    assert not in_view(page, last)
    shot(page, screenshot, "1-start")
    page.locator("#board .column[data-stage='full'] .kcard").first.scroll_into_view_if_needed()
    assert in_view(page, last)
    assert page.locator("#board .column[data-stage='full']").is_visible()
    assert scrolls(page)["page"] <= size["view"]
    shot(page, screenshot, "2-last-stage")
    # the headers are sticky: scrolling the tall 签约 column keeps its header at the board's top
    header = page.locator("#board .column[data-stage='signed'] header")
    assert header.evaluate("h => getComputedStyle(h).position") == "sticky"
    page.locator("#board .column[data-stage='signed'] .kcard").last.scroll_into_view_if_needed()
    top = page.evaluate(
        """() => {
        const b = document.querySelector('#board').getBoundingClientRect();
        const h = document.querySelector("#board .column[data-stage='signed'] header").getBoundingClientRect();
        return [b.top, h.top, h.bottom];
    }"""
    )
    assert abs(top[1] - top[0]) < 20 and top[2] > top[1], top
    shot(page, screenshot, "3-sticky-header")
    # the stage bar jumps to a column by its anchor, no script needed
    page.goto("/projects/kanban/")
    page.locator(".stage-jump a[href='#col-full']").click()
    page.wait_for_function("() => document.querySelector('#board').scrollLeft > 0")
    assert in_view(page, last)
    # one unit on every card: 亿元, and the column header says it
    amounts = page.locator("#board .kcard .amt").all_inner_texts()
    assert amounts and all(a.endswith("亿元") for a in amounts), amounts
    assert "万元" not in page.locator("#board").inner_text()
    assert "0.08 亿元" in amounts


def test_the_board_scrolls_inside_on_a_phone(phone, board, screenshot):
    log_in(phone, "zhaoshang")
    phone.goto("/projects/kanban/")
    phone.locator("#board").wait_for()
    size = scrolls(phone)
    assert size["page"] <= size["view"], size
    assert size["board"] > size["boardView"], size
    phone.locator("#board .column[data-stage='full'] .kcard").first.scroll_into_view_if_needed()
    assert in_view(phone, "#board .column[data-stage='full'] header")
    width = phone.locator("#board .column[data-stage='full'] .kcard").first.evaluate("c => c.offsetWidth")
    assert width >= 200, width  # one card across the column, not squeezed
    shot(phone, screenshot, "phone-last-stage")
