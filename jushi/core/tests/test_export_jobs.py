"""Large exports as background jobs: over JUSHI_JOB_ROWS rows the export page starts a job, run with the
requester's filters and rights; the file goes to the requester only and is audited once as theirs. Small
exports answer at once, as before."""

import csv
import io
import shutil
import tempfile
from pathlib import Path

from django.test import override_settings
from django.urls import reverse

from jushi.core import exportjobs, jobs
from jushi.core.choices import AuditKind
from jushi.core.models import AuditEvent, Job, JobStatus
from jushi.core.testing import PersonaTestCase, make_code
from jushi.registry.models import Enterprise

TEXTILE_EXTRA = 2100  # with 甲纺织: 2,101 rows in the textile park, over the 2,000 of JUSHI_JOB_ROWS
ENERGY_EXTRA = 400  # with 乙锂电: 401 rows, under it


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


class ExportJobTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Enterprise.objects.bulk_create(
            Enterprise(
                zone=cls.kashgar,
                park=cls.textile if n < TEXTILE_EXTRA else cls.energy,
                industry=cls.cotton,
                name=f"纺织{n:04d}有限公司" if n < TEXTILE_EXTRA else f"锂电{n:04d}有限公司",
                credit_code=make_code(10000 + n),
            )
            for n in range(TEXTILE_EXTRA + ENERGY_EXTRA)
        )

    def setUp(self):
        self.var = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.var, ignore_errors=True)
        patch = override_settings(VAR_DIR=self.var)
        patch.enable()
        self.addCleanup(patch.disable)

    def exports(self):
        return AuditEvent.objects.filter(kind=AuditKind.EXPORT)

    def test_a_large_export_becomes_a_job_whose_file_only_the_requester_downloads(self):
        self.client.force_login(self.reviewer)
        url = reverse("registry:enterprise_export") + "?park=textile&format=csv"
        response = self.client.get(url)
        job = Job.objects.get(kind=exportjobs.KIND)
        self.assertRedirects(response, reverse("core:job", args=[job.pk]), fetch_redirect_response=False)
        self.assertEqual((job.status, job.total, job.requested_by), (JobStatus.QUEUED, 2101, self.reviewer))
        self.assertEqual(job.zone_id, self.kashgar.pk)
        self.assertFalse(self.exports().exists())  # nothing exported yet

        self.assertEqual(jobs.run_queued(), 1)
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        self.assertEqual((job.done, job.total), (2101, 2101))
        self.assertEqual(job.result["summary"], "导出 2101 行")
        self.assertTrue(job.result["filename"].endswith(".csv"))
        self.assertEqual(job.result["link"], reverse("registry:enterprise_list") + "?park=textile")
        self.assertTrue((self.var / "jobs" / job.result["file"]).is_file())
        # the export is in the audit trail once, as the requester's
        audited = list(self.exports())
        self.assertEqual(len(audited), 1)
        self.assertEqual(audited[0].user, self.reviewer)
        self.assertEqual(audited[0].detail["file"], job.result["filename"])

        page = self.client.get(reverse("core:job", args=[job.pk])).content.decode()
        self.assertIn("2101 / 2101 行(100%)", page)
        self.assertIn(reverse("core:job_download", args=[job.pk]), page)
        self.assertIn("导出 2101 行", page)

        self.client.force_login(self.admin)  # sees the zone's job, may not take its file
        self.assertEqual(self.client.get(reverse("core:job_download", args=[job.pk])).status_code, 403)
        self.client.force_login(self.reviewer)
        download = self.client.get(reverse("core:job_download", args=[job.pk]))
        self.assertEqual(download.status_code, 200)
        rows = read_csv(b"".join(download.streaming_content))
        textile = set(Enterprise.objects.filter(park=self.textile).values_list("credit_code", flat=True))
        codes = [row["统一社会信用代码"] for row in rows]
        self.assertEqual(len(codes), 2101)
        self.assertEqual(set(codes), textile)
        self.assertEqual(self.exports().count(), 1)  # the download is the same export, not a second one

    def test_a_small_export_still_answers_at_once(self):
        self.client.force_login(self.reviewer)
        response = self.client.get(reverse("registry:enterprise_export") + "?park=energy&format=csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertEqual(len(read_csv(response.content)), ENERGY_EXTRA + 1)
        self.assertFalse(Job.objects.exists())
        self.assertEqual(self.exports().count(), 1)

    @override_settings(JUSHI_JOB_ROWS=1)
    def test_a_leaders_job_holds_only_their_zones_rows(self):
        self.client.force_login(self.leader)  # 喀什 only; 丙电池 is in the other zone
        response = self.client.get(reverse("registry:enterprise_export") + "?format=csv")
        job = Job.objects.get(kind=exportjobs.KIND)
        self.assertEqual(response.status_code, 302)
        jobs.run_queued()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        data = (self.var / "jobs" / job.result["file"]).read_bytes()
        codes = {row["统一社会信用代码"] for row in read_csv(data)}
        self.assertIn(self.ent_a.credit_code, codes)
        self.assertNotIn(self.ent_c.credit_code, codes)
        self.assertEqual(
            codes, set(Enterprise.objects.filter(zone=self.kashgar).values_list("credit_code", flat=True))
        )

        # asking for the other zone by its code gives nothing of it either
        Job.objects.all().delete()
        self.client.get(reverse("registry:enterprise_export") + "?format=csv&zone=other")
        self.assertFalse(Job.objects.exists())  # 0 rows: answered at once, empty

    @override_settings(JUSHI_JOB_ROWS=1)
    def test_the_job_runs_with_the_requesters_rights_at_run_time(self):
        self.client.force_login(self.reviewer)
        self.client.get(reverse("registry:enterprise_export") + "?format=xlsx")
        job = Job.objects.get(kind=exportjobs.KIND)
        self.reviewer.scope.zones.set([self.other])  # moved to the other zone before the worker ran
        jobs.run_queued()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        from openpyxl import load_workbook

        sheet = load_workbook(self.var / "jobs" / job.result["file"]).worksheets[0]
        header, *rows = sheet.iter_rows(values_only=True)
        at = header.index("统一社会信用代码")
        codes = {row[at] for row in rows}
        self.assertEqual(codes, {self.ent_c.credit_code})

    @override_settings(JUSHI_JOB_ROWS=1)
    def test_a_requester_who_lost_the_right_gets_a_failure_in_words(self):
        self.client.force_login(self.reviewer)
        self.client.get(reverse("registry:enterprise_export") + "?format=csv")
        job = Job.objects.get(kind=exportjobs.KIND)
        self.reviewer.is_active = False
        self.reviewer.save()
        jobs.run_queued()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertEqual(job.error, "发起人账号已停用,不能导出")
        self.assertFalse(self.exports().exists())


class OtherExportsTests(PersonaTestCase):
    """Every converted export page has its builder registered, run as the requester."""

    def test_every_export_page_is_registered(self):
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - imports the views, which register their builders
        self.assertLessEqual(
            {
                "registry.enterprises",
                "reporting.period",
                "projects.ledger",
                "indicators.figures",
                "chains.pool",
            },
            set(exportjobs.EXPORTERS),
        )
