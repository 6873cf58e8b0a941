"""A leader watches the dashboard while a reviewer approves a report: the figure moves. Screenshots of the
dashboard and the big screen are saved."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from jushi.accounts.choices import Role
from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.core.testing import PASSWORD
from jushi.indicators.models import DeptFigure, Indicator
from jushi.registry.models import UserScope
from jushi.reporting.services.submissions import submit_report
from jushi.reporting.tests.test_browser import GOOD, june, log_in  # noqa: F401  (june is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def submitted(june):  # noqa: F811
    if not Indicator.objects.filter(code="IND_GO").exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.indicators.migrations.0002_catalog").install(apps, None)
    reporter = User.objects.get(username="qiye")
    figures = {code: (Decimal(now), Decimal(before)) for code, (now, before) in GOOD.items()}
    outcome = submit_report(actor=reporter, submission=june, figures=figures, source=ChangeSource.WEB)
    assert outcome.submitted, outcome
    zone = june.period.zone
    DeptFigure.objects.create(
        zone=zone,
        indicator=Indicator.objects.get(code="GDP"),
        period="2024H1",
        value=Decimal("54.4"),
        official_growth=Decimal("0.143"),
    )
    leader = User.objects.create_user("leader", password=PASSWORD, role=Role.LEADER, full_name="领导")
    UserScope.objects.create(user=leader).zones.set([zone])
    from jushi.indicators import engine

    engine.refresh(zone, "2024-06")
    return june


def test_approving_a_report_moves_the_dashboard(page, submitted, screenshot):
    log_in(page, "tongji")
    page.goto("/indicators/?period=2024-06")
    cards = page.locator(".kpi .label").all_inner_texts()
    assert "地区生产总值" in cards and "规上工业总产值" not in cards  # nothing approved yet
    page.goto(f"/reporting/submissions/{submitted.pk}/")
    page.click("#approve-form button")
    page.wait_for_selector("text=审核通过")
    page.goto("/indicators/?period=2024-06")
    card = page.locator(".kpi[data-indicator='IND_GO']")
    assert "0.1" in card.inner_text() and "增长10.0%" in card.inner_text(), card.inner_text()
    assert "规上工业总产值0.1亿元,同比增长10.0%" in page.locator("#bulletin-text").inner_text()
    screenshot(page, "1-dashboard")
    page.click("button:has-text('退出')")
    log_in(page, "leader")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/indicators/screen/?period=2024-06")
    assert "增长10.0%" in page.locator(".kpis").inner_text()
    page.wait_for_timeout(500)  # let the charts draw
    screenshot(page, "2-big-screen")
