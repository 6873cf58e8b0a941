"""The project page's forms in a browser (issue 14): a refused funds record comes back with the error at
the form, the typed values kept and the page scrolled to it (the form posts to its own anchor); the funds
form takes its evidence file; a merge asks first. Screenshots are saved."""

import datetime as dt
import importlib
from pathlib import Path

import pytest
from django.apps import apps

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.core.testing import PASSWORD
from jushi.registry.models import Industry, Region, UserScope, Zone
from jushi.reporting.tests.test_browser import log_in

from .. import services
from ..models import FundsRecord, Project, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def signed(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    if not Stage.objects.exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.projects.migrations.0002_stages").install(apps, None)
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar", name="喀什经济开发区", level="national", kind="etdz", region=region
    )
    Industry.objects.get_or_create(code="3963", defaults={"name": "智能无人飞行器制造", "level": "class"})
    staff = User.objects.create_user(
        "zhaoshang",
        password=PASSWORD,
        role=Role.STAFF,
        department=Department.INVESTMENT,
        full_name="招商专员",
    )
    UserScope.objects.create(user=staff).zones.set([zone])
    web = ChangeSource.WEB
    project = services.create_project(
        actor=staff,
        zone=zone,
        data={
            "name": "无人机装备制造项目",
            "investor_name": "中天智控科技控股股份有限公司",
            "lead_on": dt.date(2024, 3, 1),
        },
        source=web,
    )
    return services.advance_stage(
        actor=staff,
        project=project,
        to_stage="signed",
        data={
            "talks_on": dt.date(2024, 4, 1),
            "signed_on": dt.date(2024, 6, 26),
            "industry": "3963",
            "agreed_investment": "15000",
            "contract_no": "KS-2024-018",
        },
        source=web,
    )


def visible(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.top < window.innerHeight; }""",
        selector,
    )


def test_a_refused_funds_record_lands_at_the_form_with_the_values(page, signed, screenshot):
    log_in(page, "zhaoshang")
    page.goto(f"/projects/{signed.pk}/")
    page.locator("#funds-form summary").click()
    form = page.locator("#funds-form form")
    form.locator("[name=on]").fill("2024-07-01")
    form.locator("[name=amount]").fill("1234.5")
    form.locator("[name=note]").fill("首笔进账")
    # meanwhile a colleague moves the project back to 在谈 (the page still offers the form)
    project = Project.objects.get(pk=signed.pk)
    Project.objects.filter(pk=project.pk).update(stage=Stage.objects.get(code="talks"), signed_on=None)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/projects/{signed.pk}/funds/#funds-form")
    page.locator("#funds-form .form-errors").wait_for()
    errors = page.locator("#funds-form .form-errors").inner_text()
    assert "到位日期" in errors and "项目签约后才能登记到位资金(当前阶段:在谈)" in errors, errors
    assert page.evaluate("() => window.scrollY") > 300  # not at the top of the page
    assert visible(page, "#funds-form .form-errors")
    assert page.locator("#funds-form [name=amount]").input_value() == "1234.5"
    assert page.locator("#funds-form [name=note]").input_value() == "首笔进账"
    screenshot(page, "funds-refused")
    assert not FundsRecord.objects.exists()


def test_the_funds_form_takes_its_evidence_file(page, signed, screenshot, tmp_path):
    receipt = Path(tmp_path) / "银行进账单.pdf"
    receipt.write_bytes(PDF)
    log_in(page, "zhaoshang")
    page.goto(f"/projects/{signed.pk}/")
    page.locator("#funds-form summary").click()
    form = page.locator("#funds-form form")
    form.locator("[name=on]").fill("2024-07-01")
    form.locator("[name=amount]").fill("5000")
    form.locator("[name=evidence]").select_option("bank")
    form.locator("[name=file]").set_input_files(str(receipt))
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/projects/{signed.pk}/#funds")
    page.locator("#funds-table").get_by_text("银行进账单.pdf").wait_for()
    funds = FundsRecord.objects.get(project=signed)
    assert funds.attachment is not None and funds.attachment.name == "银行进账单.pdf"
    assert page.locator("#files").get_by_text("银行进账单.pdf").count() == 1
    screenshot(page, "funds-with-file")


def test_merging_a_duplicate_asks_first(page, signed, screenshot):
    staff = User.objects.get(username="zhaoshang")
    copy = services.create_project(
        actor=staff,
        zone=signed.zone,
        data={
            "name": "中天智控无人机装备制造项目",
            "investor_name": signed.investor.name,
            "lead_on": dt.date(2024, 6, 1),
        },
        source=ChangeSource.WEB,
    )
    assert copy.duplicate_status == "flagged"
    log_in(page, "zhaoshang")
    page.goto(f"/projects/{copy.pk}/")
    page.locator("#duplicate [name=reason]").fill("同一项目重复登记")
    page.locator("#duplicate button[value=merge]").click()
    page.locator(".confirm .changes").wait_for()
    changes = page.locator(".confirm .changes").inner_text()
    assert f"本项目 {copy.code}" in changes and "标为“已合并”" in changes, changes
    assert f"原项目 {signed.code}" in changes, changes
    screenshot(page, "merge-asks")
    copy.refresh_from_db()
    assert copy.duplicate_status == "flagged"
    page.locator(".confirm button[type=submit]").click()
    page.wait_for_url(f"**/projects/{copy.pk}/")
    assert "已合并到" in page.locator(".messages").inner_text()
    copy.refresh_from_db()
    assert copy.duplicate_status == "merged"
    screenshot(page, "merged")


def test_on_a_phone_a_refused_record_lands_at_the_form_too(phone, signed, screenshot):
    log_in(phone, "zhaoshang")
    phone.goto(f"/projects/{signed.pk}/")
    phone.locator("#funds-form summary").click()
    form = phone.locator("#funds-form form")
    form.locator("[name=on]").fill("2024-06-01")  # before the signing on 2024-06-26
    form.locator("[name=amount]").fill("800")
    form.locator("button[type=submit]").click()
    phone.wait_for_url(f"**/projects/{signed.pk}/funds/#funds-form")
    phone.locator("#funds-form .form-errors").wait_for()
    assert "不能早于签约日期 2024-06-26" in phone.locator("#funds-form .form-errors").inner_text()
    assert visible(phone, "#funds-form .form-errors")
    assert phone.locator("#funds-form [name=amount]").input_value() == "800"
    width = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    seen = phone.screenshot()
    full = screenshot(phone, "phone-funds-refused")
    full.with_name(full.stem + "-screen.png").write_bytes(seen)
