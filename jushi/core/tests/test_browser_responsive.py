"""The shell on a phone (390 × 844): the side navigation folds into a menu button, and the staff pages
people open every day never scroll the page sideways (wide tables scroll inside their card).
Screenshots are saved."""

import importlib

import pytest
from django.apps import apps

from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.reporting.tests.test_browser import june, log_in  # noqa: F401  (june: the fixture july builds on)
from jushi.reporting.tests.test_browser_phone import NO_PAGE_SCROLL, july  # noqa: F401  (july is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STAFF_PAGES = {
    "dashboard": "/indicators/",
    "ledger": "/projects/",
    "kanban": "/projects/kanban/",
    "enterprises": "/registry/enterprises/",
    "board": "/reporting/board/",
    "review-queue": "/reporting/review/",
    "jobs": "/jobs/",
}


@pytest.fixture
def projects(july):  # noqa: F811
    """A few projects with long names in the ledger and on the kanban."""
    from jushi.projects.models import Stage
    from jushi.projects.services import advance_stage, create_project

    if not Stage.objects.exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.projects.migrations.0002_stages").install(apps, None)
    tongji = User.objects.get(username="tongji")
    zone = july.period.zone
    made = []
    for i, (name, investor) in enumerate(
        [
            ("年产 20GWh 磷酸铁锂储能电池及系统集成一体化项目", "新疆盛跃恒昌新能源科技集团股份有限公司"),
            ("锂电池正极材料前驱体与回收利用循环经济产业园项目", "喀什丝路锂电材料有限责任公司"),
            ("智慧物流港二期暨中亚跨境冷链仓储配送中心", "新疆金正实业集团"),
        ]
    ):
        made.append(
            create_project(
                actor=tongji,
                zone=zone,
                data={
                    "name": name,
                    "investor_name": investor,
                    "industry": "3841",
                    "lead_on": f"2024-0{i + 4}-06",
                },
                source=ChangeSource.WEB,
            )
        )
    advance_stage(
        actor=tongji,
        project=made[0],
        to_stage="signed",
        data={
            "talks_on": "2024-05-08",
            "signed_on": "2024-06-26",
            "agreed_investment": "250000",
            "contract_no": "KSEDZ-2024-018",
        },
        source=ChangeSource.WEB,
    )
    return made


def test_menu_button_opens_the_navigation_on_a_phone(phone, july, screenshot):  # noqa: F811
    log_in(phone, "tongji")
    phone.goto("/reporting/board/")
    nav = phone.locator("#side-nav")
    button = phone.locator("button[data-menu-toggle]")
    assert nav.is_hidden() and button.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    screenshot(phone, "1-closed")
    button.click()
    assert nav.is_visible()
    assert button.get_attribute("aria-expanded") == "true"
    assert phone.evaluate(NO_PAGE_SCROLL)
    screenshot(phone, "2-open")
    phone.keyboard.press("Escape")
    assert nav.is_hidden() and button.get_attribute("aria-expanded") == "false"
    button.click()
    nav.locator("a:has-text('企业名录')").click()
    phone.wait_for_url("**/registry/enterprises/")
    assert phone.locator("#side-nav").is_hidden()


def test_the_menu_button_is_not_there_on_a_desktop(page, july):  # noqa: F811
    log_in(page, "tongji")
    page.goto("/reporting/board/")
    assert page.locator("#side-nav").is_visible()
    assert page.locator("button[data-menu-toggle]").is_hidden()


def test_staff_pages_do_not_scroll_sideways_on_a_phone(phone, projects, screenshot):
    log_in(phone, "tongji")
    wide = {}
    for name, url in STAFF_PAGES.items():
        phone.goto(url)
        phone.wait_for_load_state("networkidle")
        widths = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            wide[name] = widths
        screenshot(phone, name)
    assert not wide, f"pages wider than the phone (scrollWidth, innerWidth): {wide}"
