"""The enterprise page in a browser at 1440 × 900: its projects and chain nodes as links, then the edit
form's industry picker: typing 电池 offers 3841 锂离子电池制造, and the code chosen is saved. Screenshots
are saved."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.chains.models import Chain, Node, NodeLink
from jushi.core.choices import ChangeSource
from jushi.core.testing import PASSWORD, make_code
from jushi.projects import services
from jushi.projects.models import Project, Stage
from jushi.registry.models import Enterprise, Industry, Park, Region, UserScope, Zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def enterprise():
    if not Stage.objects.exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.projects.migrations.0002_stages").install(apps, None)
    Industry.objects.get_or_create(code="3841", defaults={"name": "锂离子电池制造", "level": "class"})
    cotton, _ = Industry.objects.get_or_create(code="1711", defaults={"name": "棉纺纱加工", "level": "class"})
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar", name="喀什经济开发区", level="national", kind="etdz", region=region
    )
    park = Park.objects.create(zone=zone, code="energy", name="新能源产业园")
    ent = Enterprise.objects.create(
        zone=zone, park=park, industry=cotton, name="喀什锂电新材料有限公司", credit_code=make_code(31)
    )
    staff = User.objects.create_user(
        "zhaoshang", password=PASSWORD, role=Role.STAFF, department=Department.INVESTMENT
    )
    UserScope.objects.create(user=staff).zones.set([zone])
    project = services.create_project(
        actor=staff,
        zone=zone,
        data={"name": "锂电池正极材料项目", "investor_name": "某锂电集团", "lead_on": dt.date(2024, 3, 1)},
        source=ChangeSource.WEB,
    )
    Project.objects.filter(pk=project.pk).update(enterprise=ent)
    chain = Chain.objects.create(zone=zone, code="lithium", name="锂电产业链")
    node = Node.objects.create(chain=chain, code="cathode", name="正极材料", segment="up")
    NodeLink.objects.create(node=node, enterprise=ent, landed_on=dt.date(2023, 5, 1))
    return ent


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_enterprise_page_links_and_the_industry_picker(page, enterprise, screenshot):
    log_in(page, "zhaoshang")
    page.goto(f"/registry/enterprises/{enterprise.pk}/")
    project = Project.objects.get(name="锂电池正极材料项目")
    assert page.locator(f"#panel-projects a[href='/projects/{project.pk}/']").count() == 2  # code and name
    assert page.locator("#panel-nodes a:has-text('正极材料')").count() == 1
    assert page.locator("#panel-reports").count() == 1
    screenshot(page, "1-enterprise-page")

    page.goto(f"/registry/enterprises/{enterprise.pk}/edit/")
    box = page.locator("#id_industry")
    assert box.input_value() == "1711"
    box.fill("")
    box.press_sequentially("电池", delay=50)
    page.wait_for_selector("#id_industry-options option[value='3841']", state="attached")
    box.fill("3841")
    box.dispatch_event("input")
    page.wait_for_function("document.querySelector('[data-industry-name]').textContent === '锂离子电池制造'")
    screenshot(page, "2-industry-chosen")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"**/registry/enterprises/{enterprise.pk}/")
    enterprise.refresh_from_db()
    assert enterprise.industry.code == "3841"
    assert page.locator("dd a:has-text('锂离子电池制造')").get_attribute("title").startswith("行业代码 3841")
