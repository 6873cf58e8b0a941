"""The review loop in a browser: two enterprises report, the reviewer is told (the 通知 count and the notice),
opens the queue, follows an enterprise's name to its report, approves it and goes on with 审核下一份."""

import re

import pytest

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.core.testing import PASSWORD, make_code
from jushi.lib.periods import Period
from jushi.registry.models import Enterprise, SizeMembership, UserScope
from jushi.reporting.models import Submission
from jushi.reporting.services.periods import open_period
from jushi.reporting.services.submissions import submit_report

from .base import good_figures
from .test_browser import kashgar_park, standard_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LITHIUM = "新疆盛跃恒昌锂业有限公司"
TEXTILE = "喀什市长盛纺织科技有限公司"


@pytest.fixture
def two_reports():
    """Two enterprises of one zone, each with its reporter, and a statistics reviewer; both report June."""
    form = standard_form()
    zone, park, industry = kashgar_park()
    tongji = User.objects.create_user(
        "tongji", password=PASSWORD, role=Role.STAFF, department=Department.ECONOMY, full_name="统计员"
    )
    UserScope.objects.create(user=tongji).zones.set([zone])
    reporters = {}
    for serial, (name, username) in enumerate([(LITHIUM, "qiye"), (TEXTILE, "qiye2")], start=1):
        enterprise = Enterprise.objects.create(
            zone=zone, park=park, industry=industry, name=name, credit_code=make_code(serial)
        )
        SizeMembership.objects.create(enterprise=enterprise, year=2024)
        reporter = User.objects.create_user(
            username, password=PASSWORD, role=Role.REPORTER, full_name=username
        )
        UserScope.objects.create(user=reporter, enterprise=enterprise)
        reporters[name] = reporter
    period, _ = open_period(actor=tongji, form=form, zone=zone, period=Period.parse("2024-06"))
    subs = {}
    for name in (TEXTILE, LITHIUM):  # the textile report arrives first
        sub = Submission.objects.get(period=period, enterprise__name=name)
        outcome = submit_report(
            actor=reporters[name], submission=sub, figures=good_figures(), source=ChangeSource.WEB
        )
        assert outcome.submitted, outcome.findings
        subs[name] = sub
    return subs


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_reviewer_is_notified_opens_the_report_from_the_queue_and_goes_on_to_the_next(
    page, two_reports, screenshot
):
    log_in(page, "tongji")
    page.wait_for_url("**/reporting/board/**")  # a statistics reviewer starts at the board
    bell = page.locator(".who a.bell")
    assert bell.locator(".count").inner_text() == "2"
    screenshot(page, "1-notified")
    bell.click()
    page.wait_for_url("**/notifications/")
    notices = page.locator("div.main").inner_text()
    assert f"{LITHIUM}报送了2024年1-6月“工业产销总值及主要产品产量、财务状况月报”,请审核" in notices
    assert f"{TEXTILE}报送了2024年1-6月" in notices
    assert "报告期:2024年1-6月" in notices
    screenshot(page, "2-notifications")
    assert page.locator(".who a.bell .count").count() == 0  # read once opened

    page.click("nav.side a:has-text('审核队列')")
    page.wait_for_selector("#queue")
    page.click(f"#queue a:has-text('{LITHIUM}')")
    page.wait_for_url(f"**{two_reports[LITHIUM].get_absolute_url()}")
    page.wait_for_selector("#approve-form")
    screenshot(page, "3-report-from-queue")
    page.click("#approve-form button.primary")
    page.wait_for_selector("#status:has-text('已审核')")
    next_link = page.locator("a:has-text('审核下一份')")
    next_link.wait_for()
    screenshot(page, "4-approved-next")
    next_link.click()
    page.wait_for_url(re.compile(re.escape(two_reports[TEXTILE].get_absolute_url()) + "$"))
    assert TEXTILE in page.locator("h1").inner_text()
    assert "已报送待审核" in page.locator("#status").inner_text()
    screenshot(page, "5-next-report")
