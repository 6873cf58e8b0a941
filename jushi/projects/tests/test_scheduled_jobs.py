"""问题督办 as a scheduled job: once a day per zone, as the system user, only the zone's own problems."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from jushi.core import jobs
from jushi.core.choices import ChangeSource
from jushi.core.models import Job, JobStatus, Notification

from .. import jobs as project_jobs
from .. import services
from ..choices import Escalation
from ..models import Problem
from .base import LedgerTestCase

WEB = ChangeSource.WEB


class ScheduledEscalationTests(LedgerTestCase):
    def problem(self, actor, zone, late_days):
        project = services.create_project(
            actor=actor,
            zone=zone,
            data={
                "name": f"{zone.name}的项目",
                "investor_name": "某投资公司",
                "lead_on": dt.date(2024, 3, 1),
            },
            source=WEB,
        )
        today = dt.date.today()
        return services.raise_problem(
            actor=actor,
            project=project,
            data={
                "title": "施工用电未接入",
                "owner": "张三",
                "raised_on": today - dt.timedelta(days=40),
                "due_on": today - dt.timedelta(days=late_days),
            },
            source=WEB,
        )

    def run_job(self, zone):
        job = jobs.start(project_jobs.ESCALATE, actor=jobs.system_user(), zone_id=zone.pk)
        jobs.run_queued()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED, job.error)
        return job

    def test_a_zones_run_escalates_only_its_own_problems(self):
        ours = self.problem(self.admin, self.kashgar, late_days=20)
        theirs = self.problem(self.other_admin, self.other, late_days=20)
        job = self.run_job(self.kashgar)
        self.assertEqual(
            job.result["summary"], "督办逾期问题 1 个(部门督办 0 个,领导督办 1 个),已通知相关人员"
        )
        self.assertEqual(Problem.objects.get(pk=ours.pk).escalation, Escalation.LEADER)
        self.assertEqual(Problem.objects.get(pk=theirs.pk).escalation, Escalation.NONE)
        self.assertTrue(Notification.objects.filter(user=self.leader, title__contains="领导督办").exists())
        self.assertFalse(Notification.objects.filter(user=self.other_admin).exists())

        again = self.run_job(self.kashgar)  # each step once
        self.assertEqual(again.result["summary"], "没有新逾期或需升级督办的问题")

        other = self.run_job(self.other)
        self.assertEqual(other.result["escalated"], 1)
        self.assertEqual(Problem.objects.get(pk=theirs.pk).escalation, Escalation.LEADER)

    def test_the_schedule_runs_it_at_eight_per_zone_once_and_shows_the_summary(self):
        self.problem(self.admin, self.kashgar, late_days=3)
        before = timezone.make_aware(dt.datetime.combine(dt.date.today(), dt.time(7, 59)))
        after = timezone.make_aware(dt.datetime.combine(dt.date.today(), dt.time(8, 1)))
        self.assertFalse([j for j in jobs.start_due(before) if j.kind == project_jobs.ESCALATE])
        started = [j for j in jobs.start_due(after) if j.kind == project_jobs.ESCALATE]
        self.assertEqual({j.zone_id for j in started}, {self.kashgar.pk, self.other.pk})
        self.assertFalse([j for j in jobs.start_due(after) if j.kind == project_jobs.ESCALATE])
        jobs.run_queued()
        self.assertEqual(
            set(Job.objects.filter(kind=project_jobs.ESCALATE).values_list("status", flat=True)),
            {JobStatus.SUCCEEDED},
        )
        self.client.force_login(self.leader)
        page = self.client.get(reverse("core:jobs")).content.decode()
        self.assertIn("问题督办", page)
        self.assertIn("每天 08:00,每个开发区一次", page)
        self.assertIn("督办逾期问题 1 个(部门督办 1 个,领导督办 0 个)", page)
