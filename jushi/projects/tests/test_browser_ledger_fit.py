"""The ledger at 1440 × 900: the default columns fit without any sideways scrolling, for a user of two
zones (the zone column shown) and long project and investor names; the "列" menu adds a column; the
industry filter finds 锂离子电池制造 by typing 电池. Screenshots are saved."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.core.models import TableConfig
from jushi.core.testing import make_code
from jushi.registry.models import Industry, Park, Region, UserScope, Zone
from jushi.reporting.tests.test_browser import log_in

from .. import services
from ..models import Event, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
D = dt.date

NAMES = [
    ("年产20GWh锂离子动力电池及储能电池系统生产基地建设项目", "宁德新能源动力电池科技股份有限公司", "3841"),
    ("高端装备制造产业园智能无人飞行器研发及总装项目(一期)", "中天智控科技控股股份有限公司", "3963"),
    ("棉纺织全产业链数字化智能工厂项目", "新疆天山棉纺织集团有限责任公司", "1711"),
    ("光伏组件及逆变器制造项目", "江苏阳光新能源科技有限公司", "3849"),
]


@pytest.fixture
def ledger():
    if not Stage.objects.exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.projects.migrations.0002_stages").install(apps, None)
    if not Industry.objects.filter(code="3841").exists():  # the same: the GB/T 4754 catalog is migration data
        importlib.import_module("jushi.registry.migrations.0002_load_industries").load(apps, None)
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zones = [
        Zone.objects.create(
            code="kashgar",
            name="喀什经济开发区",
            short_name="喀什经开区",
            level="national",
            kind="etdz",
            region=region,
        ),
        Zone.objects.create(
            code="hitech",
            name="示范高新技术产业开发区",
            short_name="示范高新区",
            level="provincial",
            kind="hightech",
            region=region,
        ),
    ]
    for zone in zones:
        Park.objects.create(zone=zone, code="equipment", name="高端装备制造功能区")
        Event.objects.create(zone=zone, name="第八届中国—亚欧博览会集中签约仪式", held_on=D(2024, 6, 26))
    staff = User.objects.create_user(
        "zhaoshang", password="test-pass-123", role=Role.STAFF, department=Department.INVESTMENT
    )
    UserScope.objects.create(user=staff).zones.set(zones)
    serial = 0
    for zone in zones:
        for i, (name, investor, industry) in enumerate(NAMES * 2):
            serial += 1
            project = services.create_project(
                actor=staff,
                zone=zone,
                data={
                    "name": name if i < len(NAMES) else f"{name}(二期扩建)",
                    "investor_name": investor,
                    "credit_code": make_code(700 + serial),
                    "lead_on": D(2024, 1, 5),
                    "official": "王副主任",
                    "unit": "招商服务中心第一招商局",
                    "industry": industry,
                },
                source=ChangeSource.WEB,
            )
            services.advance_stage(
                actor=staff,
                project=project,
                to_stage="signed",
                data={
                    "talks_on": D(2024, 3, 1),
                    "signed_on": D(2024, 6, 26),
                    "agreed_investment": "1250000.55",
                    "contract_no": f"KS-2024-{serial:03d}",
                    "event": Event.objects.get(zone=zone).pk,
                    "park": "equipment",
                },
                source=ChangeSource.WEB,
                confirm=True,
            )
    return staff


def overflow(page) -> dict:
    return page.evaluate(
        """() => {
            const doc = document.documentElement;
            const wrap = document.querySelector('#ledger-table').parentElement;
            return {page: doc.scrollWidth - doc.clientWidth, table: wrap.scrollWidth - wrap.clientWidth,
                    columns: document.querySelectorAll('#ledger-table thead th').length};
        }"""
    )


def test_the_default_ledger_fits_1440_and_the_column_menu_adds_a_column(page, ledger, screenshot):
    log_in(page, "zhaoshang")
    page.goto("/projects/")
    assert page.locator("#ledger-table tbody tr").count() == 16
    fit = overflow(page)
    screenshot(page, "1-default-columns")
    assert fit["page"] <= 0, fit
    assert fit["table"] <= 0, fit
    assert fit["columns"] == 10  # 编号 … 签约日期, the zone column included for a user of two zones
    # industry by name, its code on hover
    cell = page.locator("#ledger-table tbody td.industry span").first
    assert cell.get_attribute("title").startswith("行业代码 ")

    page.click(".column-chooser > summary")
    page.check(".column-chooser input[value=official]")
    page.click(".column-chooser button:has-text('保存')")
    page.wait_for_load_state()
    assert page.locator("#ledger-table thead th:has-text('责任领导')").count() == 1
    assert TableConfig.objects.get(user=ledger, table="projects.ledger").columns[-1] == "official"
    screenshot(page, "2-with-official")


def test_the_industry_filter_finds_an_industry_by_name(page, ledger, screenshot):
    log_in(page, "zhaoshang")
    page.goto("/projects/")
    box = page.locator("#f-industry")
    box.click()
    box.press_sequentially("电池", delay=50)
    page.wait_for_selector("#f-industry-options option[value='3841']", state="attached")
    screenshot(page, "3-industry-search")
    box.fill("3841")
    page.locator("#filters button[type=submit]").click()
    page.wait_for_url("**industry=3841**")
    assert page.locator("#ledger-table tbody tr").count() == 4  # 2 zones × (项目 + 二期)
    assert page.locator(".industry-chosen").inner_text() == "锂离子电池制造"
