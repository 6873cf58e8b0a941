"""Department figures over JUSHI_JOB_ROWS rows: dry run and import as background jobs from the 部门数据 page."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from jushi.core import importjobs, jobs
from jushi.core.models import Job, JobStatus
from jushi.core.testing import PersonaTestCase
from jushi.indicators.models import DeptFigure

PAGE = "indicators:figures"
CSV = "开发区代码,指标代码,报告期,数值\nkashgar,GDP,2022H1,40\nkashgar,GDP,2023H1,47.6\nkashgar,GDP,2024H1,54.4\n"


@override_settings(JUSHI_JOB_ROWS=2)
class FigureImportJobTests(PersonaTestCase):
    def test_dry_run_job_then_import_job(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse(PAGE), {"form": "import", "file": SimpleUploadedFile("gdp.csv", CSV.encode())}
        )
        dry = Job.objects.get(kind=importjobs.KIND)
        self.assertRedirects(response, reverse(PAGE) + f"?job={dry.pk}", fetch_redirect_response=False)
        self.assertContains(self.client.get(response.url), 'id="import-job"')
        jobs.run_queued()
        page = self.client.get(response.url)
        self.assertContains(page, '将新建 <b id="count-created">3</b>')
        self.assertFalse(DeptFigure.objects.exists())
        confirm = self.client.post(reverse(PAGE), {"token": page.context["token"], "job": dry.pk})
        applied = Job.objects.exclude(pk=dry.pk).get(kind=importjobs.KIND)
        self.assertRedirects(confirm, reverse(PAGE) + f"?job={applied.pk}", fetch_redirect_response=False)
        with self.captureOnCommitCallbacks(execute=True):
            jobs.run_queued()
        applied.refresh_from_db()
        self.assertEqual(applied.status, JobStatus.SUCCEEDED, applied.error)
        self.assertEqual(
            sorted(DeptFigure.objects.values_list("value", flat=True)),
            [Decimal(40), Decimal("47.6"), Decimal("54.4")],
        )
        self.assertIn("新增 3 条", applied.result["summary"])

    def test_a_leader_cannot_confirm(self):
        self.client.force_login(self.admin)
        self.client.post(
            reverse(PAGE), {"form": "import", "file": SimpleUploadedFile("gdp.csv", CSV.encode())}
        )
        jobs.run_queued()
        dry = Job.objects.get(kind=importjobs.KIND)
        self.client.force_login(self.leader)
        refused = self.client.post(reverse(PAGE), {"token": dry.params["token"], "job": dry.pk})
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(Job.objects.filter(kind=importjobs.KIND).count(), 1)
