"""An enterprise reporter fills the July report on a phone (390 × 844): one card per field, the checks
answer in place while typing, a warning is explained under its field and the report is submitted; on a
desktop the derived 本月/同比 cells follow the typing without anything being saved. Screenshots saved."""

from decimal import Decimal

import pytest

from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.lib.periods import Period
from jushi.reporting.models import CheckResult, Submission, Value
from jushi.reporting.services.periods import open_period
from jushi.reporting.services.submissions import approve_submission, submit_report

from .base import good_figures
from .test_browser import june, log_in, log_out  # noqa: F401 (june: a fixture used by july)
from .test_live_checks import july_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NO_PAGE_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def july(june):  # noqa: F811 (june: the fixture imported from test_browser)
    """喀什 with one enterprise whose June is approved, and July open: the July submission."""
    staff, reporter = User.objects.get(username="tongji"), User.objects.get(username="qiye")
    outcome = submit_report(
        actor=reporter, submission=june, figures=good_figures(), explanations={}, source=ChangeSource.WEB
    )
    assert outcome.submitted, [f.message for f in outcome.findings]
    approve_submission(actor=staff, submission=june, source=ChangeSource.WEB)
    open_period(actor=staff, form=june.period.form, zone=june.enterprise.zone, period=Period.parse("2024-07"))
    return Submission.objects.get(enterprise=june.enterprise, period__code="2024-07")


def fill_july(page):
    for code, (now, last) in july_figures().items():
        page.fill(f"input[name={code}]", str(now))
        page.fill(f"input[name={code}__ly]", str(last))


def checks_settled(page):
    """No check request in flight: the submit button is enabled again."""
    page.wait_for_function("() => !document.querySelector('#report-form [data-wait-checks][disabled]')")


def test_reporter_fills_explains_in_place_and_submits_on_a_phone(phone, july, screenshot):
    log_in(phone, "qiye")
    phone.goto(july.get_absolute_url())
    phone.wait_for_selector("#report-form")
    assert phone.evaluate(NO_PAGE_SCROLL)
    widths = phone.eval_on_selector_all(
        "input.figure", "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert len(widths) == 30 and min(widths) >= 0.6 * 390, widths
    screenshot(phone, "1-empty-form")

    fill_july(phone)
    ly = july_figures()["gross_output"][1]
    phone.fill("input[name=gross_output]", "62000.5")  # six times last year: warnings
    box = phone.locator("#msgs-gross_output li.warning[data-key='yoy_30:gross_output'] textarea")
    box.wait_for()
    assert phone.locator("#msgs-gross_output li.warning[data-key='sales_ratio']").count() == 1
    # the card shows the derived month and growth of what was typed
    assert phone.locator("#month-gross_output .v").inner_text() == "52,000.5"
    growth = (Decimal("62000.5") / ly - 1) * 100
    assert phone.locator("#yoy-gross_output .v").inner_text() == f"{growth.quantize(Decimal('0.1')):+f}%"
    # the summary at the top links to the field
    link = phone.locator("#checks li.warning[data-key='yoy_30:gross_output'] a")
    assert link.get_attribute("href") == "#field-gross_output"
    # the message sits right under the field's inputs, not at the end of the form
    gap = phone.evaluate(
        """() => document.querySelector('#msgs-gross_output').getBoundingClientRect().top
                 - document.querySelector('#ly-gross_output').getBoundingClientRect().bottom"""
    )
    assert 0 <= gap < 250, gap
    assert phone.evaluate(NO_PAGE_SCROLL)
    checks_settled(phone)
    link.click()
    screenshot(phone, "2-warning-under-field")

    phone.fill("#x-sales_ratio", "7 月新生产线投产,库存增加")
    phone.check("#xa-gross_output")  # the same cause for both warnings of 总产值
    assert phone.locator("#x-yoy_30--gross_output").is_hidden()
    phone.fill("input[name=taxes]", "900")  # one more warning, on another field: 同上
    phone.locator("#msgs-taxes li.warning[data-key='yoy_30:taxes']").wait_for()
    checks_settled(phone)
    assert phone.input_value("#x-sales_ratio") == "7 月新生产线投产,库存增加"  # kept across re-renders
    assert phone.is_checked("#xa-gross_output")
    phone.check("#xs-yoy_30--taxes")
    assert phone.input_value("#x-yoy_30--taxes") == "7 月新生产线投产,库存增加"
    screenshot(phone, "3-explained")
    assert phone.evaluate(NO_PAGE_SCROLL)

    phone.click("button[value=submit]")
    phone.wait_for_selector("#status:has-text('已报送待审核')")
    assert phone.evaluate(NO_PAGE_SCROLL)
    screenshot(phone, "4-submitted")
    stored = dict(CheckResult.objects.filter(submission=july).values_list("key", "explanation"))
    assert stored == {
        "sales_ratio": "7 月新生产线投产,库存增加",
        "yoy_30:gross_output": "7 月新生产线投产,库存增加",
        "yoy_30:taxes": "7 月新生产线投产,库存增加",
    }, stored

    log_out(phone)  # the reviewer, on a phone too: the explanations, then 审核通过 and what comes next
    log_in(phone, "tongji")
    phone.goto(july.get_absolute_url())
    assert phone.locator("#stored-checks").inner_text().count("7 月新生产线投产,库存增加") == 3
    assert phone.evaluate(NO_PAGE_SCROLL)
    phone.click("#approve-form button:has-text('审核通过')")
    phone.wait_for_selector("#status:has-text('已审核')")
    assert "审核队列已空" in phone.locator("#next-review").inner_text()
    assert phone.evaluate(NO_PAGE_SCROLL)
    screenshot(phone, "5-approved-queue-empty")


def test_derived_cells_follow_the_typing_and_nothing_is_saved(page, july, screenshot):
    log_in(page, "qiye")
    page.goto(july.get_absolute_url())
    page.wait_for_selector("#report-form")
    assert "尚未填写" in page.locator("#checks").inner_text()
    fill_july(page)
    now, ly = july_figures()["revenue"]
    page.wait_for_function(
        "(text) => document.querySelector('#month-revenue .v').textContent === text", arg=f"{now - 10100:,f}"
    )
    page.locator("#checks .notice.ok").wait_for()
    checks_settled(page)

    held = []
    page.route("**/check/", lambda route: held.append(route))  # hold the next check in flight
    page.fill("input[name=revenue]", "20000")
    page.wait_for_function("() => document.querySelector('#report-form button[value=submit]').disabled")
    assert page.locator("button[value=save]").is_disabled()
    screenshot(page, "1-checking")
    for route in held:
        route.continue_()
    page.unroute("**/check/")
    checks_settled(page)
    page.wait_for_function("() => document.querySelector('#month-revenue .v').textContent === '9,900'")
    growth = (Decimal(20000) / ly - 1) * 100
    assert page.locator("#yoy-revenue .v").inner_text() == f"{growth.quantize(Decimal('0.1')):+f}%"
    page.locator("#msgs-revenue li.warning[data-key='yoy_30:revenue']").wait_for()
    assert page.locator("button[value=submit]").is_enabled()
    screenshot(page, "2-desktop-derived")
    assert not Value.objects.filter(submission=july).exists()
    assert Submission.objects.get(pk=july.pk).status == "pending"
