"""Imports over JUSHI_JOB_ROWS rows run as background jobs: the page answers at once with a job, polls its
progress, shows the dry run's plan or errors from the job's result, confirms into a second job that writes
all or nothing, and links to the batch; small files stay synchronous; jobs are seen only by who may."""

import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from jushi.core import importjobs, jobs, runtime
from jushi.core.importing import Change, Plan, PlanLine, plan_from_dict, plan_to_dict
from jushi.core.models import ChangeLog, Job, JobStatus
from jushi.core.testing import PersonaTestCase, make_code
from jushi.lib.tabular import write_table
from jushi.registry.models import Enterprise

PAGE = "registry:enterprise_import"


def enterprise_file(count: int, *, start: int = 1000, bad_row: int | None = None, fmt: str = "csv") -> bytes:
    rows = []
    for i in range(count):
        code = make_code(start + i)
        if bad_row is not None and i == bad_row:
            code = "123"
        rows.append(
            {
                "统一社会信用代码": code,
                "企业名称": f"大批企业{i:05d}有限公司",
                "园区代码": "energy",
                "行业代码": "3841",
            }
        )
    headers = ["统一社会信用代码", "企业名称", "园区代码", "行业代码"]
    return write_table(headers, [[r[h] for h in headers] for r in rows], fmt)


@override_settings(JUSHI_JOB_ROWS=200)
class LargeEnterpriseImportTests(PersonaTestCase):
    ROWS = 250

    def upload(self, data: bytes, name: str = "big.csv", zone: str = "kashgar"):
        return self.client.post(reverse(PAGE), {"file": SimpleUploadedFile(name, data), "zone": zone})

    def test_dry_run_job_then_confirm_job_then_the_batch(self):
        self.client.force_login(self.reviewer)
        before = Enterprise.objects.count()
        started = time.monotonic()
        response = self.upload(enterprise_file(self.ROWS))
        self.assertLess(time.monotonic() - started, 5)
        job = Job.objects.get(kind=importjobs.KIND)
        self.assertRedirects(response, reverse(PAGE) + f"?job={job.pk}", fetch_redirect_response=False)
        self.assertEqual((job.status, job.total, job.zone_id), (JobStatus.QUEUED, self.ROWS, self.kashgar.pk))
        self.assertTrue(job.params["dry_run"])

        page = self.client.get(response.url).content.decode()
        self.assertIn('id="import-job"', page)
        self.assertIn(f'hx-get="{reverse(PAGE)}?job={job.pk}"', page)
        self.assertIn(reverse("core:job_progress", args=[job.pk]), page)
        poll = self.client.get(response.url, headers={"HX-Request": "true"})
        self.assertEqual(poll.status_code, 204)

        self.assertEqual(jobs.run_queued(), 1)
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        self.assertEqual((job.done, job.total), (self.ROWS, self.ROWS))
        self.assertEqual(Enterprise.objects.count(), before)
        poll = self.client.get(response.url, headers={"HX-Request": "true"})
        self.assertEqual((poll.status_code, poll["HX-Refresh"]), (286, "true"))

        page = self.client.get(response.url)
        self.assertContains(page, f'将新建 <b id="count-created">{self.ROWS}</b> 家企业')
        self.assertContains(page, "确认导入")
        token = page.context["token"]
        self.assertEqual(token, job.params["token"])

        confirm = self.client.post(reverse(PAGE), {"token": token, "job": job.pk})
        applied = Job.objects.exclude(pk=job.pk).get(kind=importjobs.KIND)
        self.assertRedirects(confirm, reverse(PAGE) + f"?job={applied.pk}", fetch_redirect_response=False)
        self.assertFalse(applied.params["dry_run"])
        self.assertEqual(applied.zone_id, self.kashgar.pk)
        self.assertIn('id="import-job"', self.client.get(confirm.url).content.decode())
        again = self.client.post(reverse(PAGE), {"token": token, "job": job.pk})  # a double click
        self.assertRedirects(again, confirm.url, fetch_redirect_response=False)
        self.assertEqual(Job.objects.filter(kind=importjobs.KIND).count(), 2)

        jobs.run_queued()
        applied.refresh_from_db()
        self.assertEqual(applied.status, JobStatus.SUCCEEDED, applied.error)
        self.assertEqual(Enterprise.objects.count(), before + self.ROWS)
        batch = ChangeLog.objects.filter(source="import").values_list("batch", flat=True).first()
        link = reverse("registry:enterprise_list") + f"?batch={batch}"
        self.assertEqual(applied.result["link"], link)
        self.assertIn(f"新建 {self.ROWS} 家", applied.result["summary"])
        done = self.client.get(confirm.url)
        self.assertRedirects(done, link, fetch_redirect_response=False)
        self.assertFalse(importjobs.uploads.stashed_path(token, "big.csv").exists())

    def test_a_bad_row_in_a_big_file_is_listed_by_the_dry_run_and_nothing_written(self):
        self.client.force_login(self.reviewer)
        before = Enterprise.objects.count()
        response = self.upload(enterprise_file(self.ROWS, bad_row=222))
        jobs.run_queued()
        job = Job.objects.get(kind=importjobs.KIND)
        self.assertEqual(job.status, JobStatus.SUCCEEDED)
        self.assertFalse(job.result["ok"])
        self.assertEqual(job.result["error_count"], 1)
        self.assertEqual(job.result["errors"], ["第 224 行 统一社会信用代码: 应为 18 位,实际 3 位"])
        page = self.client.get(response.url)
        self.assertContains(page, "校验未通过:1 处错误")
        self.assertContains(page, "第 224 行 统一社会信用代码: 应为 18 位,实际 3 位")
        self.assertNotContains(page, "确认导入")
        self.assertEqual(Enterprise.objects.count(), before)
        # a confirmation of a dry run that found errors is refused
        refused = self.client.post(reverse(PAGE), {"token": job.params["token"], "job": job.pk})
        self.assertEqual(refused.status_code, 404)
        self.assertEqual(Job.objects.filter(kind=importjobs.KIND).count(), 1)

    def test_another_zones_user_can_neither_see_nor_confirm_the_job(self):
        self.client.force_login(self.reviewer)
        response = self.upload(enterprise_file(self.ROWS))
        jobs.run_queued()
        job = Job.objects.get(kind=importjobs.KIND)
        self.client.force_login(self.other_admin)
        self.assertEqual(self.client.get(response.url).status_code, 404)
        self.assertEqual(self.client.get(reverse("core:job", args=[job.pk])).status_code, 404)
        confirm = self.client.post(reverse(PAGE), {"token": job.params["token"], "job": job.pk})
        self.assertEqual(confirm.status_code, 404)
        self.assertEqual(Job.objects.filter(kind=importjobs.KIND).count(), 1)
        # the right zone but a token that is not the job's
        self.client.force_login(self.reviewer)
        wrong = self.client.post(reverse(PAGE), {"token": "0" * 32, "job": job.pk})
        self.assertEqual(wrong.status_code, 404)
        # a job of another importer is not this page's
        self.assertEqual(
            self.client.get(reverse("reporting:period_import") + f"?job={job.pk}").status_code, 404
        )

    def test_a_small_file_stays_synchronous(self):
        self.client.force_login(self.reviewer)
        response = self.upload(enterprise_file(150))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '将新建 <b id="count-created">150</b> 家企业')
        self.assertFalse(Job.objects.filter(kind=importjobs.KIND).exists())

    def test_an_xlsx_counts_by_its_declared_range(self):
        data = enterprise_file(self.ROWS, fmt="xlsx")
        self.assertEqual(importjobs.count_rows(data, "big.xlsx"), self.ROWS)
        self.assertEqual(importjobs.count_rows(enterprise_file(3), "small.csv"), 3)
        self.client.force_login(self.reviewer)
        self.upload(data, name="big.xlsx")
        jobs.run_queued()
        job = Job.objects.get(kind=importjobs.KIND)
        self.assertTrue(job.result["ok"], job.result)

    def test_progress_phases_reach_the_runtime_cache(self):
        seen = []
        real = runtime.set_progress

        def spy(job_id, **kwargs):
            seen.append(kwargs["phase"])
            real(job_id, **kwargs)

        self.client.force_login(self.reviewer)
        self.upload(enterprise_file(self.ROWS))
        runtime.set_progress = spy
        try:
            jobs.run_queued()
            dry = Job.objects.get(kind=importjobs.KIND)
            self.client.post(reverse(PAGE), {"token": dry.params["token"], "job": dry.pk})
            jobs.run_queued()
        finally:
            runtime.set_progress = real
        self.assertIn("读取", seen)
        self.assertIn("校验", seen)
        self.assertIn("写入", seen)


def test_a_plan_round_trips_through_json_with_its_counts():
    plan = Plan(
        created=[PlanLine(i + 2, f"企业{i}") for i in range(600)],
        updated=[PlanLine(3, "甲", [Change("注册资本", None, "12.5")], note="备注")],
        unchanged=4,
        noun="家企业",
        notes=["说明"],
    )
    back = plan_from_dict(plan_to_dict(plan))
    assert (len(back.created), len(back.updated), back.unchanged, back.total) == (600, 1, 4, 605)
    assert back.created[:2] == plan.created[:2]
    assert list(back.created)[-1].row == 501  # only the 500 shown are kept
    assert str(back.updated[0]) == "第 3 行 甲:注册资本: (空) → 12.5(备注)"
    assert back.summary() == plan.summary()


def test_rows_are_counted_from_the_first_sheet_or_by_reading():
    import io
    import re
    import zipfile

    exported = write_table(["a", "b"], [[i, i] for i in range(300)], "xlsx", about=[("说明", "x")] * 40)
    assert importjobs.count_rows(exported, "x.xlsx") == 300  # the 说明 sheet is not counted
    # a workbook that does not declare its range is read and counted
    source, out = zipfile.ZipFile(io.BytesIO(exported)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            target.writestr(item, data)
    assert importjobs._xlsx_rows(out.getvalue()) is None
    assert importjobs.count_rows(out.getvalue(), "x.xlsx") == 300
    assert importjobs.count_rows(b"a,b\n1,2\n3,4", "x.csv") == 2
    assert importjobs.count_rows(b"not a workbook", "x.xlsx") == 0
