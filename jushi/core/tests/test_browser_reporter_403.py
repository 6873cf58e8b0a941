"""A reporter who opens the big screen (or any staff page) sees the Chinese 403 page with the navigation and
the way to 我的报表, not a blank dark page."""

import pytest

from jushi.accounts.choices import Role
from jushi.accounts.models import User
from jushi.core.testing import PASSWORD, make_code
from jushi.registry.models import Enterprise, Region, UserScope, Zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def reporter():
    region = Region.objects.create(code="653101", name="喀什市", level="county")
    zone = Zone.objects.create(
        code="kashgar", name="喀什经济开发区", level="national", kind="etdz", region=region
    )
    enterprise = Enterprise.objects.create(
        zone=zone, name="新疆盛跃恒昌锂业有限公司", credit_code=make_code(7)
    )
    user = User.objects.create_user("qiye", password=PASSWORD, role=Role.REPORTER, full_name="填报员")
    UserScope.objects.create(user=user, enterprise=enterprise)
    return user


@pytest.mark.parametrize("tab", ["page", "phone"])
def test_a_reporter_on_the_big_screen_gets_the_chinese_403_page(tab, request, reporter, screenshot):
    page = request.getfixturevalue(tab)
    page.goto("/login/")
    page.fill("#id_username", "qiye")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/reporting/")
    response = page.goto("/indicators/screen/")
    assert response.status == 403
    body = page.locator(".error-page").inner_text()
    assert "403 无权访问" in body
    assert "企业填报账号只能查看和填报本企业的报表" in body
    assert page.locator("nav.side").count() == 1  # the shell's navigation is there
    screenshot(page, "403")
    page.click(".error-page a:has-text('进入我的报表')")
    page.wait_for_url("**/reporting/")
    assert "我的报表" in page.locator("h1").inner_text()
