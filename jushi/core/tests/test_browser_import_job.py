"""A person at a browser imports a large file: the page answers at once with the job's progress, polls it,
reloads itself to the plan when the dry run ends, and after 确认导入 follows the import job to the list."""

import pytest

from jushi.core import jobs
from jushi.core.testing import make_code
from jushi.lib.tabular import write_table
from jushi.registry.columns import HEADERS
from jushi.registry.models import Enterprise
from jushi.registry.tests.test_browser import log_in, zone_with_staff  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_large_import_polls_its_jobs_to_the_plan_and_the_list(page, zone_with_staff, settings, tmp_path):  # noqa: F811
    settings.JUSHI_JOB_ROWS = 3
    log_in(page, "tongji")
    page.wait_for_url(lambda url: "/login/" not in url)
    rows = [
        [make_code(20 + i), f"大批导入纺织{i}有限公司", "kashgar", "textile", "1711"]
        + [""] * (len(HEADERS) - 5)
        for i in range(5)
    ]
    upload = tmp_path / "企业名录.csv"
    upload.write_bytes(write_table(HEADERS, rows, "csv"))
    page.goto("/registry/enterprises/import/")
    page.set_input_files("#id_file", str(upload))
    page.click("button:has-text('试运行')")
    page.locator("#import-job").wait_for()
    assert "?job=" in page.url
    assert (
        "排队" in page.locator("#import-job").inner_text()
        or "等待" in page.locator("#import-job").inner_text()
    )

    jobs.run_queued()  # what the worker does
    page.locator("#import-plan").wait_for(timeout=10000)  # the poll saw it end and reloaded the page
    assert "将新建 5 家" in page.locator("#import-plan").inner_text()
    assert not Enterprise.objects.filter(credit_code=make_code(20)).exists()

    page.click("button:has-text('确认导入')")
    page.locator("#import-job").wait_for()
    jobs.run_queued()
    page.wait_for_selector("#enterprise-table", timeout=10000)
    assert "导入完成:新建 5 家" in page.locator(".messages").inner_text()
    assert "batch=" in page.url
    assert page.locator("#enterprise-table tbody tr").count() == 5
