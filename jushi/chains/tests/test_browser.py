"""The investment bureau walks from the lithium chain's map to a lead on the kanban, in a browser: the map
draws, a click on the empty node 正极材料 in the chart opens its page, the suggestions show with their
reasons, one is turned into a lead, and the lead's card is in the kanban's 线索 column. Screenshots of
each step are saved."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.core.testing import PASSWORD, make_code
from jushi.projects.models import Project, Stage
from jushi.registry.models import Enterprise, Park, Region, UserScope, Zone
from jushi.reporting.tests.test_browser import log_in

from .. import services
from ..models import Chain, Node, PoolCompany

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The chart's symbol of a node, in page pixels: its graphic element's transform applied to its centre.
SYMBOL_CENTRE = """(name) => {
  const box = document.getElementById('chain-map');
  const chart = echarts.getInstanceByDom(box);
  const data = chart.getModel().getSeriesByIndex(0).getData();
  const el = data.getItemGraphicEl(data.indexOfName(name));
  const r = el.getBoundingRect(), m = el.getComputedTransform();
  const cx = r.x + r.width / 2, cy = r.y + r.height / 2, at = box.getBoundingClientRect();
  return {x: at.left + m[0] * cx + m[2] * cy + m[4], y: at.top + m[1] * cx + m[3] * cy + m[5]};
}"""


@pytest.fixture
def lithium():
    if not Stage.objects.exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.projects.migrations.0002_stages").install(apps, None)
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

    def node(code, name, segment, parent=None, **kw):
        return Node.objects.create(chain=chain, code=code, name=name, segment=segment, parent=parent, **kw)

    materials = node("materials", "上游材料", "up")
    cathode = node("cathode", "正极材料", "up", materials, order=1)
    anode = node("anode", "负极材料", "up", materials, order=2)
    cells = node("cells", "电池制造", "mid")
    node("storage", "储能系统集成", "down", in_current=False)
    for i, (where, name) in enumerate(
        [(anode, "喀什负极材料有限公司"), (cells, "新疆动力电池有限公司"), (cells, "喀什储能电池有限公司")]
    ):
        enterprise = Enterprise.objects.create(
            zone=zone, park=park, name=name, credit_code=make_code(700 + i)
        )
        services.link(
            actor=staff,
            node=where,
            enterprise=enterprise,
            landed_on=dt.date(2023, 5, 1),
            investment=Decimal("20000"),
            expected_output=Decimal("30000"),
            source=ChangeSource.WEB,
        )
    jia = PoolCompany.objects.create(
        zone=zone,
        name="湖南甲正极材料股份有限公司",
        region="湖南省",
        products="三元正极",
        node=cathode,
        size="large",
        listed=True,
    )
    PoolCompany.objects.create(zone=zone, name="江西乙负极材料有限公司", node=anode, size="medium")
    return {"chain": chain, "cathode": cathode, "jia": jia}


def test_lithium_map_empty_node_suggestion_to_lead_on_kanban(page, lithium, screenshot):
    chain, cathode, jia = lithium["chain"], lithium["cathode"], lithium["jia"]
    log_in(page, "zhaoshang")
    page.wait_for_url("**/")
    page.goto("/chains/")
    page.get_by_role("link", name="锂电产业链").click()
    page.wait_for_url(f"**/chains/{chain.pk}/")
    page.locator("#chain-map[data-rendered='true']").wait_for()
    assert page.locator("#chain-map canvas").count() >= 1
    row = page.locator("#node-table tr[data-node='cathode']")
    assert "空白" in row.inner_text() and "补链" in row.inner_text()
    screenshot(page, "1-map")

    spot = page.evaluate(SYMBOL_CENTRE, "正极材料")  # the empty node, clicked on the chart itself
    page.mouse.click(spot["x"], spot["y"])
    page.wait_for_url(f"**/chains/nodes/{cathode.pk}/")
    assert page.locator("#node-gap").inner_text() == "补链:现状图中的“正极材料”环节尚无企业和项目"
    pick = page.locator(f"li.pick[data-company='{jia.pk}']")
    assert pick.locator(".score").inner_text() == "90 分"
    reasons = pick.locator("ul.reasons li")
    assert list(
        zip(
            reasons.locator(".reason").all_inner_texts(),
            reasons.locator(".points").all_inner_texts(),
            strict=True,
        )
    ) == [
        ("主营产品对应“正极材料”环节(三元正极)", "+50"),
        ("大型企业", "+25"),
        ("上市公司", "+10"),
        ("上下游环节已有 1 家本区企业,可就近配套", "+5"),
    ]
    screenshot(page, "2-node-suggestions")

    pick.locator("button:has-text('转为招商线索')").click()
    page.wait_for_url("**/projects/*/")
    jia.refresh_from_db()
    lead = jia.lead
    assert lead is not None and page.url.endswith(f"/projects/{lead.pk}/")
    assert (lead.stage.code, lead.investor.name) == ("lead", "湖南甲正极材料股份有限公司")
    assert "已将目标企业“湖南甲正极材料股份有限公司”转为招商线索" in page.locator(".messages").inner_text()
    screenshot(page, "3-lead")

    page.goto("/projects/kanban/")
    card = page.locator(f"[data-stage='lead'] [data-project='{lead.pk}']")
    card.wait_for()
    assert "湖南甲正极材料股份有限公司正极材料项目" in card.inner_text()
    assert Project.objects.filter(investor__name="湖南甲正极材料股份有限公司").count() == 1
    screenshot(page, "4-kanban")
