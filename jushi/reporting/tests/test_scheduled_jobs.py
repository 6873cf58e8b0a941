"""The reporting app's scheduled jobs: 催报提醒 and 报送日常检查 run once a day per zone, as the system user,
and touch only the zone they run for; their summary is on the 后台任务 page."""

import datetime as dt
import shutil
import tempfile

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from jushi.accounts.choices import Role
from jushi.core import jobs
from jushi.core.models import Job, JobStatus, Notification
from jushi.lib.periods import Period
from jushi.registry.models import SizeMembership, UserScope
from jushi.reporting import jobs as reporting_jobs
from jushi.reporting.models import Submission
from jushi.reporting.services.periods import open_period
from jushi.reporting.services.submissions import submit_report

from .base import WEB, ReportingTestCase, good_figures

MORNING = timezone.make_aware(dt.datetime(2024, 7, 20, 9, 30))


@override_settings(JUSHI_TODAY="2024-07-20")
class ScheduledReportingTests(ReportingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        SizeMembership.objects.create(enterprise=cls.ent_c, year=2024)
        cls.other_period, _ = open_period(
            actor=cls.other_admin, form=cls.form, zone=cls.other, period=Period.parse("2024-06")
        )
        cls.sub_c = Submission.objects.get(period=cls.other_period, enterprise=cls.ent_c)
        cls.reporter_c = cls.User.objects.create_user("reporter_c", password="x", role=Role.REPORTER)
        UserScope.objects.create(user=cls.reporter_c, enterprise=cls.ent_c)

    @classmethod
    def setUpClass(cls):
        from django.contrib.auth import get_user_model

        cls.User = get_user_model()
        super().setUpClass()

    def setUp(self):
        var = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, var, ignore_errors=True)
        patch = override_settings(VAR_DIR=var)
        patch.enable()
        self.addCleanup(patch.disable)

    def submit_a(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        self.assertEqual(self.fresh().status, "submitted")

    def run_job(self, kind, zone):
        job = jobs.start(kind, actor=jobs.system_user(), zone_id=zone.pk)
        jobs.run_queued()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        return job

    def test_reminders_go_to_the_zones_enterprises_only_and_once_a_day(self):
        self.assertEqual(self.period.deadline < timezone.now(), True)
        job = self.run_job(reporting_jobs.REMIND, self.kashgar)
        self.assertTrue(job.result["summary"].startswith("发出提醒 1 家企业"), job.result["summary"])
        self.assertIn("已过截止时间", job.result["summary"])
        self.assertEqual(Submission.objects.get(pk=self.sub_a.pk).reminder_count, 1)
        self.assertEqual(Submission.objects.get(pk=self.sub_c.pk).reminder_count, 0)  # the other zone's
        self.assertEqual(Notification.objects.filter(user=self.reporter_a).count(), 1)
        self.assertFalse(Notification.objects.filter(user=self.reporter_c).exists())

        again = self.run_job(reporting_jobs.REMIND, self.kashgar)  # reminded today already
        self.assertEqual(again.result["reminded"], 0)
        self.assertEqual(Submission.objects.get(pk=self.sub_a.pk).reminder_count, 1)

        other = self.run_job(reporting_jobs.REMIND, self.other)
        self.assertEqual(other.result["reminded"], 1)
        self.assertEqual(Notification.objects.filter(user=self.reporter_c).count(), 1)
        self.assertEqual(Notification.objects.filter(user=self.reporter_a).count(), 1)

    def test_a_submitted_report_is_not_reminded(self):
        self.submit_a()
        job = self.run_job(reporting_jobs.REMIND, self.kashgar)
        self.assertEqual(job.result["reminded"], 0)
        self.assertIn("未发提醒", job.result["summary"])
        self.assertFalse(Notification.objects.filter(user=self.reporter_a, title__contains="报送").exists())

    def test_a_run_that_reminds_no_one_names_the_next_deadline(self):
        self.submit_a()
        july, _ = open_period(
            actor=self.admin, form=self.form, zone=self.kashgar, period=Period.parse("2024-07")
        )
        july.opens_at = timezone.make_aware(dt.datetime(2024, 7, 1))  # opened early, as the demo's is
        july.save()
        job = self.run_job(reporting_jobs.REMIND, self.kashgar)
        deadline = timezone.localtime(july.deadline)
        self.assertEqual(
            job.result["summary"],
            f"未发提醒:{july.label}{self.form.name}尚有 1 家未报,截止时间 {deadline:%Y-%m-%d %H:%M},"
            "截止前 3 天起每天提醒",
        )
        self.assertFalse(Submission.objects.filter(period=july, reminder_count__gt=0).exists())

    def test_the_daily_check_counts_the_zones_own_reports(self):
        job = self.run_job(reporting_jobs.DAILY_CHECK, self.kashgar)
        self.assertEqual((job.result["overdue"], job.result["waiting"]), (1, 0))
        self.assertIn("逾期未报 1 家", job.result["summary"])
        self.assertIn(self.period.label, job.result["summary"])

        self.submit_a()
        job = self.run_job(reporting_jobs.DAILY_CHECK, self.kashgar)
        self.assertEqual((job.result["overdue"], job.result["waiting"]), (0, 1))
        self.assertIn("待审核 1 份", job.result["summary"])
        other = self.run_job(reporting_jobs.DAILY_CHECK, self.other)  # its own report, still owed
        self.assertEqual((other.result["overdue"], other.result["waiting"]), (1, 0))

    def test_the_schedule_starts_each_zones_runs_once_and_shows_their_summary(self):
        started = [j for j in jobs.start_due(MORNING) if j.kind.startswith("reporting.")]
        self.assertEqual(
            sorted((j.kind, j.zone_id) for j in started),
            sorted(
                (kind, zone.pk)
                for kind in (reporting_jobs.DAILY_CHECK, reporting_jobs.REMIND)
                for zone in (self.kashgar, self.other)
            ),
        )
        self.assertTrue(all(j.requested_by.username == "system" for j in started))
        self.assertFalse([j for j in jobs.start_due(MORNING) if j.kind.startswith("reporting.")])
        jobs.run_queued()
        self.assertFalse(
            Job.objects.exclude(status=JobStatus.SUCCEEDED).filter(kind__startswith="reporting.")
        )

        self.client.force_login(self.leader)
        page = self.client.get(reverse("core:jobs")).content.decode()
        self.assertIn("催报提醒", page)
        self.assertIn("每天 09:00,每个开发区一次", page)
        self.assertIn("每天 02:00,每个开发区一次", page)
        self.assertIn("发出提醒 1 家企业", page)
        self.assertIn("逾期未报 1 家", page)
        # the other zone's runs are not the leader's to see
        theirs = Job.objects.filter(kind=reporting_jobs.REMIND, zone_id=self.other.pk).get()
        self.assertEqual(self.client.get(reverse("core:job", args=[theirs.pk])).status_code, 404)
