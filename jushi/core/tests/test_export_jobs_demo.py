"""Every export page converted to background jobs builds, in the worker, the very file the page gives at
once: the same rows for the same query and user (the demo's statistics staff, CSV compared byte for byte)."""

import shutil
import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from jushi.core import exportjobs, jobs
from jushi.core.models import Job, JobStatus

EXPORTS = [
    ("registry.enterprises", "registry:enterprise_export", "format=csv&park=textile"),
    ("reporting.period", "reporting:period_export", "form=ind-monthly&period=2024-06&format=csv"),
    ("projects.ledger", "projects:ledger", "export=csv"),
    ("indicators.figures", "indicators:figures", "export=csv"),
    ("chains.pool", "chains:pool_export", "format=csv"),
]


class DemoExportJobTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.var = Path(tempfile.mkdtemp(prefix="jushi-export-jobs-"))
        with override_settings(JUSHI_TODAY="", VAR_DIR=cls.var):
            call_command("demo", no_serve=True, addrport="127.0.0.1:18600", stdout=StringIO())
        cls.tongji = get_user_model().objects.get(username="tongji")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.var, ignore_errors=True)
        super().tearDownClass()

    def test_each_export_as_a_job_gives_the_pages_file(self):
        self.client.force_login(self.tongji)
        for name, route, query in EXPORTS:
            with self.subTest(name), override_settings(VAR_DIR=self.var):
                url = f"{reverse(route)}?{query}"
                at_once = self.client.get(url)
                self.assertEqual(at_once.status_code, 200, name)
                self.assertGreater(at_once.content.count(b"\n"), 1, f"{name}: no rows to compare")
                with override_settings(JUSHI_JOB_ROWS=0):
                    response = self.client.get(url)
                job = Job.objects.filter(kind=exportjobs.KIND).latest("created_at")
                self.assertRedirects(
                    response, reverse("core:job", args=[job.pk]), fetch_redirect_response=False
                )
                self.assertEqual(job.params["exporter"], name)
                jobs.run_queued()
                job.refresh_from_db()
                self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
                download = self.client.get(reverse("core:job_download", args=[job.pk]))
                self.assertEqual(b"".join(download.streaming_content), at_once.content, name)
                self.assertEqual(job.done, job.total)
