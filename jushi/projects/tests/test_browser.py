"""The investment bureau's day, in a browser: a lead is created, moved on the kanban to 签约 (refused until
the signing's fields are given), funds are recorded, and a problem past its due date shows red on the
problem board. Screenshots of each step are saved."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core.testing import PASSWORD
from jushi.registry.models import Industry, Park, Region, UserScope, Zone
from jushi.reporting.tests.test_browser import log_in

from ..models import FundsRecord, Problem, Project, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def bureau():
    if not Stage.objects.exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.projects.migrations.0002_stages").install(apps, None)
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar", name="喀什经济开发区", level="national", kind="etdz", region=region
    )
    Park.objects.create(zone=zone, code="equipment", name="高端装备制造功能区")
    Industry.objects.get_or_create(code="3963", defaults={"name": "智能无人飞行器制造", "level": "class"})
    staff = User.objects.create_user(
        "zhaoshang",
        password=PASSWORD,
        role=Role.STAFF,
        department=Department.INVESTMENT,
        full_name="招商专员",
    )
    UserScope.objects.create(user=staff).zones.set([zone])
    return zone


def test_lead_to_signed_funds_and_an_overdue_problem(page, bureau, screenshot):
    log_in(page, "zhaoshang")
    page.goto("/projects/new/")
    page.fill("[name=name]", "无人机装备制造项目")
    page.fill("[name=investor_name]", "中天智控科技控股股份有限公司")
    page.fill("[name=industry]", "3963")
    page.fill("[name=lead_on]", "2024-05-06")
    page.click("form.project-form button[type=submit]")
    page.wait_for_url("**/projects/*/")
    project = Project.objects.get(name="无人机装备制造项目")
    assert project.stage.code == "lead"
    screenshot(page, "1-lead")

    page.goto("/projects/kanban/")
    card = page.locator(f"[data-stage='lead'] [data-project='{project.pk}']")
    card.locator("select[name=to_stage]").select_option("signed")
    card.locator("button:has-text('移动')").click()
    panel = page.locator(f"[data-move-for='{project.pk}']")
    panel.wait_for()
    text = panel.inner_text()
    for needed in ("签约日期", "协议总投资", "合同编号", "洽谈日期"):
        assert needed in text, text
    project.refresh_from_db()
    assert project.stage.code == "lead"  # refused: nothing moved, nothing half-saved
    screenshot(page, "2-kanban-refused")
    panel.locator("[name=talks_on]").fill("2024-05-08")
    panel.locator("[name=signed_on]").fill("2024-06-26")
    panel.locator("[name=agreed_investment]").fill("15000")
    panel.locator("[name=contract_no]").fill("KSEDZ-2024-018")
    panel.locator("button:has-text('确认移动')").click()
    page.locator(f"[data-stage='signed'] [data-project='{project.pk}']").wait_for()
    project.refresh_from_db()
    assert (project.stage.code, str(project.signed_on), project.agreed_investment) == (
        "signed",
        "2024-06-26",
        15000,
    )
    screenshot(page, "3-kanban-signed")

    page.goto(f"/projects/{project.pk}/")
    page.locator("#funds summary").click()
    funds = page.locator(f"form[action^='/projects/{project.pk}/funds/']")
    funds.locator("[name=on]").fill("2024-06-28")
    funds.locator("[name=amount]").fill("5000")
    funds.locator("[name=evidence]").select_option("bank")
    funds.locator("button[type=submit]").click()
    page.locator("#funds-table").get_by_text("5,000.00").or_(
        page.locator("#funds-table").get_by_text("5000.00")
    ).first.wait_for()
    assert FundsRecord.objects.get(project=project).amount == 5000
    assert "33" in page.locator("#funds-rate").inner_text()  # 5,000 of 15,000 万元
    screenshot(page, "4-funds")

    today = dt.date.today()
    page.locator("#problems summary").click()
    problem = page.locator(f"form[action^='/projects/{project.pk}/problems/']")
    problem.locator("[name=title]").fill("施工用电专线接入滞后")
    problem.locator("[name=owner]").fill("张三")
    problem.locator("[name=raised_on]").fill(f"{today - dt.timedelta(days=20):%Y-%m-%d}")
    problem.locator("[name=due_on]").fill(f"{today - dt.timedelta(days=2):%Y-%m-%d}")
    problem.locator("button[type=submit]").click()
    page.locator("#problem-table").get_by_text("施工用电专线接入滞后").wait_for()
    raised = Problem.objects.get(project=project)
    page.goto("/projects/problems/")
    row = page.locator(f"[data-problem='{raised.pk}']")
    assert "red" in (row.get_attribute("class") or ""), row.get_attribute("class")
    color = row.evaluate("el => getComputedStyle(el.querySelector('.light') || el).backgroundColor")
    assert color not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), color
    screenshot(page, "5-problem-board")
