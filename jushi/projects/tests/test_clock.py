"""The ledger asks the application clock what day it is (`jushi.core.clock`, JUSHI_TODAY pins it): stage
ages and lights on the kanban and the API, overdue problems and their escalation, default dates."""

from django.test import override_settings

from jushi.core.choices import ChangeSource

from .. import services
from ..models import Problem
from .base import D, LedgerTestCase

WEB = ChangeSource.WEB


class ClockTests(LedgerTestCase):
    def setUp(self):
        self.project = self.lead(lead_on=D(2024, 7, 1))  # a lead must be assessed within 3 days

    def test_stage_age_and_light_follow_the_clock(self):
        for today, age, light in (
            ("2024-07-02", 1, "green"),
            ("2024-07-04", 3, "amber"),
            ("2024-07-20", 19, "red"),
        ):
            with self.settings(JUSHI_TODAY=today):
                self.assertEqual((self.project.stage_age(), self.project.light()), (age, light), today)
                self.client.force_login(self.admin)
                body = self.client.get(f"/api/projects/projects/{self.project.pk}/").json()
                self.assertEqual((body["stage_age"], body["light"]), (age, light), today)
                kanban = self.client.get("/projects/kanban/")
                self.assertContains(kanban, f"{age} 天")

    def test_overdue_problems_and_escalation_follow_the_clock(self):
        with self.settings(JUSHI_TODAY="2024-07-05"):
            problem = services.raise_problem(
                actor=self.admin,
                project=self.project,
                data={"title": "用地指标未落实", "owner": "张三", "due_on": D(2024, 7, 10)},
                source=WEB,
            )
        self.assertEqual(problem.raised_on, D(2024, 7, 5))  # the default date is the clock's today
        with self.settings(JUSHI_TODAY="2024-07-10"):
            self.assertFalse(Problem.objects.overdue().exists())
            self.assertEqual(problem.light(), "amber")
            self.assertEqual(services.escalate_overdue(actor=self.admin, source=WEB), [])
        with self.settings(JUSHI_TODAY="2024-07-20"):
            self.assertEqual(list(Problem.objects.overdue()), [problem])
            self.assertEqual((problem.light(), problem.days_overdue()), ("red", 10))
            self.assertEqual(len(services.escalate_overdue(actor=self.admin, source=WEB)), 1)
        problem.refresh_from_db()
        self.assertEqual((problem.escalation, problem.escalated_on), (1, D(2024, 7, 20)))
        with self.settings(JUSHI_TODAY="2024-07-30"):
            services.escalate_overdue(actor=self.admin, source=WEB)
        problem.refresh_from_db()
        self.assertEqual((problem.escalation, problem.escalated_on), (2, D(2024, 7, 30)))

    @override_settings(JUSHI_TODAY="2024-07-20")
    def test_a_new_lead_is_dated_today_by_the_clock_and_no_later(self):
        made = services.create_project(
            actor=self.admin,
            zone=self.kashgar,
            data={"name": "储能项目", "investor_name": "某储能公司"},
            source=WEB,
        )
        self.assertEqual(made.lead_on, D(2024, 7, 20))
        with self.assertRaises(services.ProjectError) as caught:
            services.create_project(
                actor=self.admin,
                zone=self.kashgar,
                data={"name": "储能二期", "investor_name": "另一储能公司", "lead_on": D(2024, 7, 21)},
                source=WEB,
            )
        self.assertEqual(caught.exception.errors, {"lead_on": "不能晚于今天"})
