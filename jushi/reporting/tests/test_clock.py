"""Lateness follows the application clock (jushi.core.clock): JUSHI_TODAY pins the date."""

import datetime as dt

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from jushi.reporting.models import Submission
from jushi.reporting.services.submissions import submit_report

from .base import (  # 2024-06 is open: filling from 2024-07-01, due 2024-07-16 12:00
    WEB,
    ReportingTestCase,
    good_figures,
)


class ClockTests(ReportingTestCase):
    def late(self) -> tuple[bool, int]:
        sub = self.fresh()
        return sub.is_overdue(), Submission.objects.filter(pk=sub.pk).overdue().count()

    @override_settings(JUSHI_TODAY="2024-07-10")
    def test_before_the_deadline_nothing_is_late(self):
        self.assertEqual(self.late(), (False, 0))
        self.assertEqual(self.period.state_label(), "填报中")
        response = self.login(self.reviewer).get(reverse("reporting:board"))
        self.assertEqual(response.context["totals"]["late"], 0)
        response = self.login(self.reporter_a).get(reverse("reporting:inbox"))
        self.assertEqual(
            ([s.pk for s in response.context["groups"]["due"]], response.context["groups"]["overdue"]),
            ([self.sub_a.pk], []),
        )

    @override_settings(JUSHI_TODAY="2024-07-20")
    def test_after_the_deadline_the_owed_report_is_late(self):
        self.assertEqual(self.late(), (True, 1))
        self.assertEqual(self.period.state_label(), "已过截止时间")
        response = self.login(self.reviewer).get(reverse("reporting:board"))
        self.assertEqual(response.context["totals"]["late"], 1)
        response = self.login(self.reporter_a).get(reverse("reporting:inbox"))
        self.assertEqual([s.pk for s in response.context["groups"]["overdue"]], [self.sub_a.pk])

    @override_settings(JUSHI_TODAY="2024-06-20")
    def test_before_the_period_opens_it_cannot_be_filled_in(self):
        self.assertEqual(self.period.state_label(), "未开始")
        response = self.login(self.reporter_a).get(reverse("reporting:inbox"))
        self.assertEqual([s.pk for s in response.context["groups"]["upcoming"]], [self.sub_a.pk])

    @override_settings(JUSHI_TODAY="2024-07-12")
    def test_actions_are_dated_by_the_clock(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        sub = self.fresh()
        day = dt.date(2024, 7, 12)
        self.assertEqual(timezone.localtime(sub.submitted_at).date(), day)
        self.assertEqual({timezone.localtime(e.time).date() for e in sub.events.all()}, {day})
        self.assertEqual(self.late(), (False, 0))
