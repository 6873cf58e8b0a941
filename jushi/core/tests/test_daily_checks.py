"""The audit chain's nightly check (core.audit_verify): platform-wide, once a day; a broken chain fails the
job with the first bad record named, and every zone sees how the last run ended (counts only)."""

import datetime as dt

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from jushi.core import dailychecks, jobs
from jushi.core.models import AuditEvent, Job, JobStatus
from jushi.core.testing import PersonaTestCase

NIGHT = timezone.make_aware(dt.datetime(2024, 7, 20, 2, 30))


class AuditChainCheckTests(PersonaTestCase):
    def run_check(self):
        job = jobs.start(dailychecks.KIND, actor=jobs.system_user())
        jobs.run_queued()
        job.refresh_from_db()
        return job

    def test_an_intact_chain_is_counted_and_shown_to_a_zone(self):
        (job,) = [j for j in jobs.start_due(NIGHT) if j.kind == dailychecks.KIND]
        jobs.run_queued()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        self.assertRegex(job.result["summary"], r"^审计链完整:已校验 \d+ 条记录$")
        self.client.force_login(self.leader)
        page = self.client.get(reverse("core:jobs")).content.decode()
        self.assertIn("审计链校验", page)
        self.assertIn(job.result["summary"], page)

    def test_a_changed_record_fails_the_run_and_names_it(self):
        row = AuditEvent.objects.order_by("seq").first()  # the personas' rights, recorded as created
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["改过", row.pk])
        job = self.run_check()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertIn("审计链被破坏", job.error)
        self.assertIn(f"第 {row.seq} 条记录", job.error)

    def test_scheduled_once_a_night_for_the_whole_platform(self):
        started = [j for j in jobs.start_due(NIGHT) if j.kind == dailychecks.KIND]
        self.assertEqual([j.zone_id for j in started], [None])
        self.assertFalse([j for j in jobs.start_due(NIGHT) if j.kind == dailychecks.KIND])
        self.assertEqual(Job.objects.filter(kind=dailychecks.KIND).count(), 1)
