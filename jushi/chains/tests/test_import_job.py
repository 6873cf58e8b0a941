"""The target-company pool import over JUSHI_JOB_ROWS rows: dry run and import as background jobs."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from jushi.core import importjobs, jobs
from jushi.core.models import Job, JobStatus
from jushi.lib.tabular import write_table

from ..models import PoolCompany
from .test_services import HEADERS
from .test_upsert_import import PoolFixture

PAGE = "chains:pool_import"


@override_settings(JUSHI_JOB_ROWS=2)
class PoolImportJobTests(PoolFixture):
    ROWS = [
        ("甲正极材料股份有限公司", "", "湖南省", "三元正极", "lithium", "cathode", "大型", "是"),
        ("乙储能科技有限公司", "", "江苏省", "", "lithium", "cells", "中型", "否"),
        ("丙隔膜有限公司", "", "江苏省", "隔膜", "lithium", "cathode", "小型", "否"),
    ]

    def test_dry_run_job_then_import_job(self):
        self.client.force_login(self.admin)
        data = write_table(HEADERS, self.ROWS, "csv")
        response = self.client.post(
            reverse(PAGE), {"file": SimpleUploadedFile("pool.csv", data), "zone": "kashgar"}
        )
        dry = Job.objects.get(kind=importjobs.KIND)
        self.assertEqual(dry.zone_id, self.kashgar.pk)
        jobs.run_queued()
        page = self.client.get(response.url)
        self.assertContains(page, '将新建 <b id="count-created">1</b> 家企业')
        self.assertContains(page, "所在地区:<del>广东省</del> → <ins>江苏省</ins>", html=False)
        before = PoolCompany.objects.count()
        confirm = self.client.post(reverse(PAGE), {"token": page.context["token"], "job": dry.pk})
        applied = Job.objects.exclude(pk=dry.pk).get(kind=importjobs.KIND)
        jobs.run_queued()
        applied.refresh_from_db()
        self.assertEqual(applied.status, JobStatus.SUCCEEDED, applied.error)
        self.assertEqual(PoolCompany.objects.count(), before + 1)
        self.assertEqual(PoolCompany.objects.get(name="乙储能科技有限公司").region, "江苏省")
        self.assertRedirects(
            self.client.get(confirm.url), reverse("chains:pool_list"), fetch_redirect_response=False
        )
