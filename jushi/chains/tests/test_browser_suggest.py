"""An investment officer opens the lithium chain at 1440 × 900: the map's table says how many ledger
projects wait to be linked to 电池制造, the node page lists the ledger's battery project as 建议关联 (not
counted), one click on 关联 links it, and the node's figures now count its investment and funds.
Screenshots of each step are saved."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.core.testing import PASSWORD, make_code
from jushi.projects import services as ledger
from jushi.projects.models import Stage
from jushi.registry.models import Enterprise, Industry, Park, Region, UserScope, Zone
from jushi.reporting.tests.test_browser import log_in

from .. import services
from ..models import Chain, Node, NodeLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WEB = ChangeSource.WEB


@pytest.fixture
def battery_ledger():
    if not Stage.objects.exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.projects.migrations.0002_stages").install(apps, None)
    if not Industry.objects.filter(code="3841").exists():
        importlib.import_module("jushi.registry.migrations.0002_load_industries").load(apps, None)
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar", name="喀什经济开发区", level="national", kind="etdz", region=region
    )
    park = Park.objects.create(zone=zone, code="energy", name="新能源产业园")
    staff = User.objects.create_user(
        "zhaoshang",
        password=PASSWORD,
        role=Role.STAFF,
        department=Department.INVESTMENT,
        full_name="招商专员",
    )
    UserScope.objects.create(user=staff).zones.set([zone])
    chain = Chain.objects.create(zone=zone, code="lithium", name="锂电产业链", thin_threshold=2)
    cells = Node.objects.create(
        chain=chain, code="cells", name="电池制造", segment="mid", industry_prefixes="3841"
    )
    enterprise = Enterprise.objects.create(
        zone=zone, park=park, name="新疆动力电池有限公司", credit_code=make_code(701)
    )
    services.link(actor=staff, node=cells, enterprise=enterprise, landed_on=dt.date(2023, 5, 1), source=WEB)
    project = ledger.create_project(
        actor=staff,
        zone=zone,
        data={
            "name": "锂离子动力电池生产线",
            "investor_name": "恒远实业有限公司",
            "park": "energy",
            "lead_on": dt.date(2024, 1, 10),
        },
        source=WEB,
    )
    project = ledger.advance_stage(
        actor=staff,
        project=project,
        to_stage="signed",
        data={
            "talks_on": dt.date(2024, 2, 1),
            "industry": "3841",
            "signed_on": dt.date(2024, 2, 28),
            "agreed_investment": "100000",
            "contract_no": "KS-2024-011",
        },
        source=WEB,
    )
    ledger.record_funds(
        actor=staff, project=project, on=dt.date(2024, 5, 10), amount_wan="25000", evidence="bank", source=WEB
    )
    return {"chain": chain, "cells": cells, "project": project}


def test_a_suggested_ledger_project_is_linked_with_one_click_and_counted(page, battery_ledger, screenshot):
    chain, cells, project = battery_ledger["chain"], battery_ledger["cells"], battery_ledger["project"]
    log_in(page, "zhaoshang")
    page.wait_for_url("**/")
    page.goto(f"/chains/{chain.pk}/")
    row = page.locator("#node-table tr[data-node='cells']")
    assert "待关联 1" in row.inner_text()
    assert "未计入,关联后计入" in page.locator("#chain-waiting").inner_text()
    figures = row.locator("td.num")
    assert (
        figures.nth(3).inner_text() == "0.00" and figures.nth(4).inner_text() == "0.00"
    )  # 协议投资, 到位资金
    screenshot(page, "1-chain")

    row.get_by_role("link", name="待关联 1").click()
    page.wait_for_url(f"**/chains/nodes/{cells.pk}/#ledger-suggestions")
    suggestion = page.locator(f"#node-suggestions tr[data-suggested='{project.pk}']")
    assert "锂离子动力电池生产线" in suggestion.inner_text()
    assert "未计入,关联后计入" in page.locator("#ledger-uncounted").inner_text()
    assert page.locator("#node-figures").inner_text().count("0.00 亿元") >= 1
    assert "到位资金 0.00 亿元" in page.locator("#node-figures").inner_text()
    screenshot(page, "2-suggested")

    suggestion.get_by_role("button", name="关联").click()
    page.wait_for_url(f"**/chains/nodes/{cells.pk}/#ledger-suggestions")
    assert "已将项目" in page.locator(".messages").inner_text()
    assert page.locator(f"#node-suggestions tr[data-suggested='{project.pk}']").count() == 0
    linked = page.locator(f"#node-projects tr[data-project='{project.pk}']")
    assert "100000.00" in linked.inner_text() and "25000.00" in linked.inner_text()
    kpis = page.locator("#node-figures").inner_text()
    assert "10.00亿元" in kpis.replace(" ", "").replace("\n", "")  # 协议投资 now counts it
    assert "到位资金 2.50 亿元" in kpis
    assert NodeLink.objects.filter(node=cells, project=project, ended_on=None).exists()
    linked.scroll_into_view_if_needed()
    screenshot(page, "3-linked")

    page.goto(f"/chains/{chain.pk}/")
    row = page.locator("#node-table tr[data-node='cells']")
    assert "待关联" not in row.inner_text()
    assert row.locator("td.num").nth(3).inner_text() == "10.00"
    assert row.locator("td.num").nth(4).inner_text() == "2.50"
