"""A whole-period import over JUSHI_JOB_ROWS rows runs as background jobs: the dry run's plan (with its
revision notes) and the confirmation from the job, the import written by the second job."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from jushi.core import importjobs, jobs
from jushi.core.models import Job, JobStatus
from jushi.reporting.models import Value

from .base import D
from .test_upsert_import import ApprovedPeriod

PAGE = "reporting:period_import"


@override_settings(JUSHI_JOB_ROWS=2)
class PeriodImportJobTests(ApprovedPeriod):
    def test_a_large_file_is_dry_run_and_imported_by_jobs(self):
        self.approve_all()
        self.login(self.reviewer)
        data = self.edit(self.export(), self.ent_a.credit_code, "taxes", "current", 333)
        response = self.client.post(
            reverse(PAGE),
            {"form": "ind-monthly", "period": "2024-06", "file": SimpleUploadedFile("june.xlsx", data)},
        )
        dry = Job.objects.get(kind=importjobs.KIND)
        self.assertRedirects(response, reverse(PAGE) + f"?job={dry.pk}", fetch_redirect_response=False)
        self.assertEqual(dry.zone_id, self.kashgar.pk)  # the reviewer's one zone
        jobs.run_queued()
        page = self.client.get(response.url)
        self.assertContains(page, '更新 <b id="count-updated">1</b> 家企业')
        self.assertContains(page, "未变化 3 家企业")
        self.assertContains(page, "税金总额(千元):<del>320</del> → <ins>333</ins>", html=False)
        self.assertContains(page, "将以导入数据替换并记为第 2 次修订")
        self.assertContains(page, "2024年1-6月,共 4 行")
        confirm = self.client.post(reverse(PAGE), {"token": page.context["token"], "job": dry.pk})
        applied = Job.objects.exclude(pk=dry.pk).get(kind=importjobs.KIND)
        self.assertRedirects(confirm, reverse(PAGE) + f"?job={applied.pk}", fetch_redirect_response=False)
        self.assertEqual(
            Value.objects.get(submission=self.sub_a, field__code="taxes").approved_current, D(320)
        )
        jobs.run_queued()
        applied.refresh_from_db()
        self.assertEqual(applied.status, JobStatus.SUCCEEDED, applied.error)
        self.assertEqual(
            Value.objects.get(submission=self.sub_a, field__code="taxes").approved_current, D(333)
        )
        self.assertTrue(applied.result["link"].startswith(reverse("reporting:board") + "?form=ind-monthly"))
        self.assertRedirects(
            self.client.get(confirm.url), applied.result["link"], fetch_redirect_response=False
        )
