"""A person at a browser: log in, open the enterprise list, dry-run an import with one bad row."""

import pytest

from jushi.accounts.choices import Role
from jushi.accounts.models import User
from jushi.core.testing import PASSWORD, make_code
from jushi.lib.tabular import write_table
from jushi.registry.columns import HEADERS
from jushi.registry.models import Enterprise, Industry, Park, Region, UserScope, Zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def zone_with_staff():
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar", name="喀什经济开发区", level="national", kind="etdz", region=region
    )
    park = Park.objects.create(zone=zone, code="textile", name="纺织家纺产业园")
    # Transactional tests flush the database between them, migration data included: make what we use.
    cotton, _ = Industry.objects.get_or_create(code="1711", defaults={"name": "棉纺纱加工", "level": "class"})
    Enterprise.objects.create(
        zone=zone, park=park, industry=cotton, name="喀什市长盛纺织科技有限公司", credit_code=make_code(1)
    )
    Enterprise.objects.create(zone=zone, park=park, name="另一家纺织有限公司", credit_code=make_code(2))
    staff = User.objects.create_user("tongji", password=PASSWORD, role=Role.STAFF, full_name="统计员")
    UserScope.objects.create(user=staff).zones.set([zone])
    reporter = User.objects.create_user("qiye", password=PASSWORD, role=Role.REPORTER)
    UserScope.objects.create(user=reporter, enterprise=Enterprise.objects.get(credit_code=make_code(1)))
    return zone


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_staff_dry_run_import_shows_the_bad_row(page, zone_with_staff, screenshot, tmp_path):
    log_in(page, "tongji")
    page.wait_for_url(lambda url: "/login/" not in url)  # each role has its own first page
    page.click("text=企业名录")
    page.wait_for_selector("#enterprise-table")
    assert page.locator("#enterprise-table tbody tr").count() == 2
    screenshot(page, "1-list")

    rows = [
        [make_code(10), "新入区纺织有限公司", "kashgar", "textile", "1711"] + [""] * (len(HEADERS) - 5),
        ["91653101000000011X", "代码写错有限公司", "kashgar", "textile", "1711"] + [""] * (len(HEADERS) - 5),
    ]
    upload = tmp_path / "企业名录.csv"
    upload.write_bytes(write_table(HEADERS, rows, "csv"))
    page.click("text=批量导入")
    page.set_input_files("#id_file", str(upload))
    page.click("button:has-text('试运行')")
    errors = page.locator("#import-errors")
    errors.wait_for()
    text = errors.inner_text()
    assert "1 处错误,未导入任何数据" in text
    assert "第 3 行 统一社会信用代码: 校验位错误" in text
    screenshot(page, "2-dry-run-error")
    assert not Enterprise.objects.filter(credit_code=make_code(10)).exists()

    upload.write_bytes(write_table(HEADERS, rows[:1], "csv"))
    page.set_input_files("#id_file", str(upload))
    page.click("button:has-text('试运行')")
    page.locator("#import-plan").wait_for()
    assert "将新建 1 家" in page.locator("#import-plan").inner_text()
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("#enterprise-table")
    assert "导入完成:新建 1 家" in page.locator(".messages").inner_text()
    assert page.locator("#enterprise-table tbody tr").count() == 1
    screenshot(page, "3-imported")
    assert Enterprise.objects.filter(credit_code=make_code(10)).exists()


def test_reporter_sees_only_its_enterprise(page, zone_with_staff, screenshot):
    log_in(page, "qiye")
    page.wait_for_url("**/reporting/")  # a reporter starts at what is due
    page.click("text=企业名录")
    page.wait_for_selector("#enterprise-table")
    assert page.locator("#enterprise-table tbody tr").count() == 1
    assert page.locator("text=批量导入").count() == 0
    page.click("#enterprise-table a:has-text('喀什市长盛纺织科技有限公司')")
    page.wait_for_selector("h1:has-text('喀什市长盛纺织科技有限公司')")
    screenshot(page, "detail")
