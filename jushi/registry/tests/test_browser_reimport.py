"""A clerk exports the enterprise list, re-imports it unchanged (a clean dry run: 未变化), then with one
cell changed in Excel (one update shown old → new), and confirms without choosing the file again."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jushi.accounts.choices import Role
from jushi.accounts.models import User
from jushi.core.models import ChangeLog
from jushi.core.testing import PASSWORD, make_code
from jushi.registry.models import Enterprise, Industry, Park, Region, SizeMembership, UserScope, Zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OLD_ADDRESS = "喀什市深喀大道 88 号"
NEW_ADDRESS = "喀什市世纪大道 1 号"


@pytest.fixture
def registry():
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar",
        name="喀什经济开发区",
        short_name="喀什经开区",
        level="national",
        kind="etdz",
        region=region,
    )
    textile = Park.objects.create(zone=zone, code="textile", name="纺织家纺产业园")
    energy = Park.objects.create(zone=zone, code="energy", name="新能源产业园")
    cotton, _ = Industry.objects.get_or_create(code="1711", defaults={"name": "棉纺纱加工", "level": "class"})
    battery, _ = Industry.objects.get_or_create(
        code="3841", defaults={"name": "锂离子电池制造", "level": "class"}
    )
    for n in range(1, 13):  # a dozen enterprises as the demo has them: some fields filled, some not
        e = Enterprise.objects.create(
            zone=zone,
            park=textile if n % 2 else energy,
            industry=cotton if n % 2 else battery,
            name=f"喀什演示企业{n:02d}有限公司",
            credit_code=make_code(n),
            address=OLD_ADDRESS if n == 3 else (f"喀什市第 {n} 号路" if n % 3 else ""),
            established_on=dt.date(2005 + n % 8, n, n) if n % 4 else None,
            entered_on=dt.date(2018, 1, 1) + dt.timedelta(days=30 * n),
            land_area_mu=Decimal(f"{n * 10}.50") if n % 2 else None,
            contact_name="艾力" if n % 2 else "",
            contact_phone=f"1389988{n:04d}",
        )
        if n % 3 == 0:
            SizeMembership.objects.create(enterprise=e, year=2024)
    staff = User.objects.create_user("tongji", password=PASSWORD, role=Role.STAFF, full_name="统计员")
    UserScope.objects.create(user=staff).zones.set([zone])
    return zone


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def dry_run(page, path):
    page.goto("/registry/enterprises/import/")
    page.set_input_files("#id_file", str(path))
    page.click("button:has-text('试运行')")
    page.locator("#import-plan, #import-errors").first.wait_for()


def test_export_reimport_unchanged_then_one_changed_cell(page, registry, screenshot, tmp_path):
    log_in(page, "tongji")
    page.wait_for_load_state()
    page.goto("/registry/enterprises/")
    page.wait_for_selector("#enterprise-table")
    with page.expect_download() as caught:
        page.locator("a[href*='format=xlsx']").first.click()
    exported = tmp_path / "企业名录.xlsx"
    caught.value.save_as(exported)

    # 1. the file as exported: no errors, nothing to create or update, every enterprise unchanged
    dry_run(page, exported)
    assert page.locator("#import-errors").count() == 0, page.locator("#import-errors").inner_text()
    plan = page.locator("#import-plan").inner_text()
    assert "将新建 0 家企业,更新 0 家企业,未变化 12 家企业" in plan
    assert "(--" not in page.content()  # no command-line flag offered to a clerk
    screenshot(page, "1-unchanged")
    assert ChangeLog.objects.count() == 0

    # 2. one cell changed in Excel: exactly one update, the field named with its old and new value
    wb = load_workbook(exported)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == make_code(3):
            row[headers.index("地址")].value = NEW_ADDRESS
    changed = tmp_path / "企业名录-改.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    changed.write_bytes(buf.getvalue())
    dry_run(page, changed)
    assert page.locator("#import-errors").count() == 0
    assert "将新建 0 家企业,更新 1 家企业,未变化 11 家企业" in page.locator("#import-plan").inner_text()
    updated = page.locator("#import-groups table.diff tbody tr")
    assert updated.count() == 1
    text = updated.inner_text()
    assert "喀什演示企业03有限公司" in text
    assert f"地址:{OLD_ADDRESS} → {NEW_ADDRESS}" in text.replace("\n", "")
    screenshot(page, "2-one-update")

    # 3. confirm: the stashed file is used, nothing is chosen again
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("#enterprise-table")
    assert "导入完成:新建 0 家,更新 1 家,未变化 11 家" in page.locator(".messages").inner_text()
    screenshot(page, "3-confirmed")
    assert Enterprise.objects.get(credit_code=make_code(3)).address == NEW_ADDRESS
    log = ChangeLog.objects.get()
    assert log.changes() == [("地址", OLD_ADDRESS, NEW_ADDRESS)]
