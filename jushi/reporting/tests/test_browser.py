"""A reporter and a reviewer at their browsers: fill, fix, explain, submit, return, resubmit, approve."""

import importlib

import pytest
from django.apps import apps

from jushi.accounts.choices import Role
from jushi.accounts.models import User
from jushi.core.testing import PASSWORD, make_code
from jushi.lib.periods import Period
from jushi.registry.models import Enterprise, Industry, Park, Region, SizeMembership, UserScope, Zone
from jushi.reporting.models import ReportForm, Submission
from jushi.reporting.services.periods import open_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GOOD = {
    "gross_output": ("10000", "9090.9"),
    "sales_output": ("9800", "8909.1"),
    "export_value": ("500", "454.5"),
    "revenue": ("10100", "9181.8"),
    "cost": ("8500", "7727.3"),
    "operating_profit": ("900", "818.2"),
    "non_op_income": ("20", "18.2"),
    "non_op_expense": ("10", "9.1"),
    "total_profit": ("910", "827.3"),
    "taxes": ("320", "290.9"),
    "receivables": ("2000", "1818.2"),
    "electricity": ("25.5", "23.18"),
    "energy": ("31.3", "28.45"),
    "employees": ("300", "280"),
    "rd_spending": ("101", "91.8"),
}


def standard_form() -> ReportForm:
    """The monthly industrial form, installed again when an earlier transactional test flushed it."""
    if not ReportForm.objects.filter(code="ind-monthly").exists():
        importlib.import_module("jushi.reporting.migrations.0002_standard_forms").install(apps, None)
    form = ReportForm.objects.get(code="ind-monthly")
    if not form.section_list() or not Industry.objects.filter(code="C").exists():
        form.sections = ""  # the flushed database may lack the section tree; the set is what matters here
        form.save()
    return form


def kashgar_park():
    """喀什经开区 with its new-energy park, and the lithium-battery industry: (zone, park, industry)."""
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar", name="喀什经济开发区", level="national", kind="etdz", region=region
    )
    park = Park.objects.create(zone=zone, code="new-energy", name="新能源产业功能区")
    battery, _ = Industry.objects.get_or_create(
        code="3841", defaults={"name": "锂离子电池制造", "level": "class"}
    )
    return zone, park, battery


@pytest.fixture
def june():
    form = standard_form()
    zone, park, battery = kashgar_park()
    enterprise = Enterprise.objects.create(
        zone=zone, park=park, industry=battery, name="新疆盛跃恒昌锂业有限公司", credit_code=make_code(7)
    )
    SizeMembership.objects.create(enterprise=enterprise, year=2024)
    staff = User.objects.create_user("tongji", password=PASSWORD, role=Role.STAFF, full_name="统计员")
    UserScope.objects.create(user=staff).zones.set([zone])
    reporter = User.objects.create_user("qiye", password=PASSWORD, role=Role.REPORTER, full_name="填报员")
    UserScope.objects.create(user=reporter, enterprise=enterprise)
    open_period(actor=staff, form=form, zone=zone, period=Period.parse("2024-06"))
    return Submission.objects.get(enterprise=enterprise)


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def log_out(page):
    page.click("button:has-text('退出')")
    page.wait_for_url("**/login/**")


def test_report_return_fix_resubmit_approve(page, june, screenshot):
    log_in(page, "qiye")
    page.wait_for_url("**/reporting/")
    assert "已逾期" in page.locator("#inbox-overdue").inner_text()
    screenshot(page, "1-inbox")
    page.click("#inbox-overdue a:has-text('填报')")
    page.wait_for_selector("#report-form")

    for code, (now, last) in GOOD.items():
        page.fill(f"input[name={code}]", now)
        page.fill(f"input[name={code}__ly]", last)
    page.fill("input[name=export_value]", "12000")  # more than sales: a blocking error
    # The checks answer the latest figures (an earlier answer, with a last-year field still blank, may
    # show first): wait for the one that names the export value.
    page.locator("#checks li.blocking", has_text="出口交货值 12,000 大于工业销售产值 9,800").wait_for()
    page.locator("#mark-export_value.bad").wait_for()
    screenshot(page, "2-blocking-error")

    page.fill("input[name=export_value]", "500")
    page.fill("input[name=taxes]", "900")  # +209% on last year: a warning that needs an explanation
    page.locator("#checks li.warning[data-key='yoy_30:taxes']").wait_for()
    page.wait_for_function("!document.querySelector('#checks li.blocking')")
    page.click("button[value=submit]")
    assert "需要填写说明" in page.locator(".messages").inner_text()
    page.fill("textarea[name='explain:yoy_30:taxes']", "上半年补缴以前年度税款")
    screenshot(page, "3-warning-explained")
    page.click("button[value=submit]")
    page.wait_for_selector("#status:has-text('已报送待审核')")
    screenshot(page, "4-submitted")
    log_out(page)

    log_in(page, "tongji")
    page.goto("/reporting/review/")
    page.click("#queue a:has-text('审核')")
    page.wait_for_selector("#return-form")
    assert "上半年补缴以前年度税款" in page.locator("#stored-checks").inner_text()
    page.fill("#reason", "用电量与产值增幅不匹配,请与供电公司抄表数核对")
    screenshot(page, "5-review")
    page.click("#return-form button")
    page.wait_for_selector("#status:has-text('已退回')")
    log_out(page)

    log_in(page, "qiye")
    page.wait_for_url("**/reporting/")
    assert "用电量与产值增幅不匹配" in page.locator("#inbox-returned").inner_text()
    page.click("#inbox-returned a:has-text('填报')")
    assert "用电量与产值增幅不匹配" in page.locator("#return-reason").inner_text()
    page.fill("input[name=electricity]", "27.8")
    page.locator("#checks li.warning[data-key='yoy_30:taxes']").wait_for()
    screenshot(page, "6-fixing")
    page.click("button[value=submit]")
    page.wait_for_selector("#status:has-text('已报送待审核')")
    log_out(page)

    log_in(page, "tongji")
    page.goto(june.get_absolute_url())
    page.click("#approve-form button")
    page.wait_for_selector("#status:has-text('已审核')")
    events = page.locator("#events li")
    texts = [events.nth(i).inner_text() for i in range(events.count())]
    kinds = [t.split(" · ")[0] for t in texts]
    assert kinds == ["审核通过", "修改后重新报送", "退回", "报送", "保存草稿"], texts
    assert [t.split(" · ")[1] for t in texts] == ["统计员", "填报员", "统计员", "填报员", "填报员"]
    assert all(t.split(" · ")[2][:16].count(":") == 1 for t in texts)  # each step says when, to the minute
    assert "27.8" in page.locator("#value-changes").inner_text()
    screenshot(page, "7-approved-history")
