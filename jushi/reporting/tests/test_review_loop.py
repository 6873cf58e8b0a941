"""The review loop: reviewers are told when a report arrives or comes back; the queue links to each report;
a report reopened for correction is 更正中 on the board, neither owed nor overdue, and nobody reminds it."""

import datetime as dt
from unittest import mock

from django.core import mail
from django.urls import reverse

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core.models import Notification
from jushi.indicators.publishing import coverage_of
from jushi.registry.models import SizeMembership, UserScope
from jushi.reporting.choices import Status
from jushi.reporting.models import Submission
from jushi.reporting.services.periods import open_period
from jushi.reporting.services.submissions import (
    approve_submission,
    return_submission,
    send_reminders,
    start_correction,
    submit_report,
    zone_reviewers,
)

from .base import WEB, ReportingTestCase, good_figures


class ReviewerNoticeTests(ReportingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.investment = User.objects.create_user(
            "zhaoshang", role=Role.STAFF, department=Department.INVESTMENT, email="zs@example.com"
        )
        UserScope.objects.create(user=cls.investment).zones.set([cls.kashgar])
        for user in (cls.reviewer, cls.admin, cls.other_admin, cls.leader):
            user.email = f"{user.username}@example.com"
            user.save()

    def test_a_submitted_report_notifies_the_zones_reviewers_in_app_and_by_mail(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        link = reverse("reporting:submission_detail", args=[self.sub_a.pk])
        notes = Notification.objects.filter(title__contains="甲纺织有限公司")
        self.assertEqual({n.user.username for n in notes}, {"reviewer", "admin"})
        note = notes.get(user=self.reviewer)
        self.assertEqual(note.title, f"甲纺织有限公司报送了2024年1-6月“{self.form.name}”,请审核")
        self.assertEqual(note.link, link)
        self.assertIn("报告期:2024年1-6月", note.body)
        self.assertIn("企业:甲纺织有限公司", note.body)
        self.assertIn(self.form.name, note.body)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["admin@example.com", "reviewer@example.com"])
        self.assertTrue(mail.outbox[0].body.rstrip().endswith(link))
        # The other zone's admin, the read-only leader and investment staff are not told.
        self.assertFalse(
            Notification.objects.filter(user__in=[self.other_admin, self.leader, self.investment])
        )

    def test_a_resubmitted_report_says_it_was_changed_after_return(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        return_submission(actor=self.reviewer, submission=self.sub_a, reason="请核对用电量", source=WEB)
        Notification.objects.all().delete()
        figures = good_figures()
        figures["electricity"] = (figures["electricity"][0] + 1, figures["electricity"][1])
        outcome = submit_report(
            actor=self.reporter_a,
            submission=Submission.objects.get(pk=self.sub_a.pk),
            figures=figures,
            explanations={},
            source=WEB,
        )
        self.assertTrue(outcome.submitted, outcome.findings)
        note = Notification.objects.get(user=self.reviewer)
        self.assertIn("修改后重新报送", note.title)
        self.assertIn("甲纺织有限公司", note.title)

    def test_a_failed_submit_tells_nobody(self):
        figures = good_figures()
        figures["export_value"] = (figures["sales_output"][0] * 2, figures["export_value"][1])  # blocking
        outcome = submit_report(actor=self.reporter_a, submission=self.sub_a, figures=figures, source=WEB)
        self.assertFalse(outcome.submitted)
        self.assertFalse(Notification.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_investment_staff_are_told_only_when_the_zone_has_no_other_reviewer(self):
        self.assertEqual({u.username for u in zone_reviewers(self.kashgar.pk)}, {"reviewer", "admin"})
        User.objects.filter(username__in=["reviewer", "admin"]).update(is_active=False)
        self.assertEqual([u.username for u in zone_reviewers(self.kashgar.pk)], ["zhaoshang"])


class QueueTests(ReportingTestCase):
    def test_the_queues_enterprise_names_link_to_the_report(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        response = self.login(self.reviewer).get(reverse("reporting:review_queue"))
        url = reverse("reporting:submission_detail", args=[self.sub_a.pk])
        self.assertContains(response, f'<td><a href="{url}">甲纺织有限公司</a>', html=False)


class QueuePagesTests(ReportingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        SizeMembership.objects.create(enterprise=cls.ent_b, year=2024)
        open_period(actor=cls.admin, form=cls.form, zone=cls.kashgar, period=cls.period.period)

    def test_a_long_queue_comes_a_page_at_a_time_oldest_first(self):
        sub_b = Submission.objects.get(period=self.period, enterprise=self.ent_b)
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        submit_report(actor=self.reporter_b, submission=sub_b, figures=good_figures(), source=WEB)
        client = self.login(self.reviewer)
        with mock.patch("jushi.reporting.views.lists.REVIEW_PAGE_SIZE", 1):
            first = client.get(reverse("reporting:review_queue")).content.decode()
            second = client.get(reverse("reporting:review_queue") + "?page=2").content.decode()
        self.assertIn('待审核 <span class="badge info">2</span>', first)
        self.assertIn("甲纺织有限公司", first)
        self.assertNotIn("乙锂电有限公司", first)
        self.assertIn("第 1 / 2 页", first)
        self.assertIn("乙锂电有限公司", second)
        self.assertNotIn("甲纺织有限公司", second.split("最近审核")[0])


class CorrectionOnTheBoardTests(ReportingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        SizeMembership.objects.create(enterprise=cls.ent_b, year=2024)
        open_period(actor=cls.admin, form=cls.form, zone=cls.kashgar, period=cls.period.period)
        cls.sub_b = Submission.objects.get(period=cls.period, enterprise=cls.ent_b)

    def correct_a(self):
        on_time = self.period.deadline - dt.timedelta(days=3)
        submit_report(
            actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB, now=on_time
        )
        approve_submission(actor=self.reviewer, submission=self.sub_a, source=WEB)
        start_correction(actor=self.reporter_a, submission=self.sub_a, reason="营业收入少计", source=WEB)
        sub = Submission.objects.get(pk=self.sub_a.pk)
        self.assertEqual((sub.status, sub.revision), (Status.DRAFT, 2))
        return sub

    def board(self):
        return self.login(self.reviewer).get(
            reverse("reporting:board"), {"form": self.form.code, "zone": "kashgar", "period": "2024-06"}
        )

    def test_a_report_under_correction_is_counted_apart_not_owed_not_overdue(self):
        self.correct_a()
        response = self.board()
        totals = response.context["totals"]
        self.assertEqual(
            {k: totals[k] for k in ("due", "done", "owed", "late", "correcting", "returned")},
            {"due": 2, "done": 0, "owed": 1, "late": 1, "correcting": 1, "returned": 0},
        )
        self.assertEqual([s.enterprise.name for s in response.context["owed"]], ["乙锂电有限公司"])
        self.assertEqual([s.enterprise.name for s in response.context["correcting"]], ["甲纺织有限公司"])
        self.assertEqual(response.context["rate"], 50.0)
        self.assertContains(response, "更正中")
        self.assertContains(response, "营业收入少计")
        self.assertNotIn(self.sub_a.pk, [s.pk for s in response.context["late_done"]])

    def test_a_correction_first_reported_late_still_counts_as_reported_late(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        approve_submission(actor=self.reviewer, submission=self.sub_a, source=WEB)
        start_correction(actor=self.reporter_a, submission=self.sub_a, reason="营业收入少计", source=WEB)
        response = self.board()
        self.assertEqual((response.context["totals"]["late"], response.context["totals"]["owed"]), (2, 1))
        self.assertEqual([s.pk for s in response.context["late_done"]], [self.sub_a.pk])

    def test_a_returned_correction_is_still_under_correction(self):
        sub = self.correct_a()
        submit_report(actor=self.reporter_a, submission=sub, figures=good_figures(), source=WEB)
        return_submission(actor=self.reviewer, submission=sub, reason="请附说明", source=WEB)
        totals = self.board().context["totals"]
        self.assertEqual((totals["correcting"], totals["owed"], totals["returned"]), (1, 1, 0))

    def test_reminders_skip_reports_under_correction_and_approved_ones(self):
        self.correct_a()
        count, _ = send_reminders(actor=self.reviewer, period=self.period, source=WEB)
        self.assertEqual(count, 1)
        reminded = Notification.objects.filter(title__contains="补报")
        self.assertEqual([n.user.username for n in reminded], ["reporter_b"])
        # Choosing the enterprise under correction on the board reminds nobody either.
        response = self.login(self.reviewer).post(
            reverse("reporting:board_remind", args=[self.period.pk]),
            {"enterprise": [self.ent_a.pk]},
            follow=True,
        )
        self.assertContains(response, "没有需要催报的企业")
        self.assertEqual(Submission.objects.get(pk=self.sub_a.pk).reminder_count, 0)

    def test_approved_reports_are_not_reminded(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        approve_submission(actor=self.reviewer, submission=self.sub_a, source=WEB)
        count, _ = send_reminders(
            actor=self.reviewer, period=self.period, source=WEB, enterprise_ids=[self.ent_a.pk]
        )
        self.assertEqual(count, 0)

    def test_coverage_keeps_the_approved_figures_of_a_report_under_correction(self):
        self.correct_a()
        (coverage,) = coverage_of(self.kashgar, "2024-06")
        self.assertEqual((coverage.frame, coverage.approved), (2, 1))

    def test_the_reporters_inbox_shows_the_correction_not_overdue(self):
        self.correct_a()
        response = self.login(self.reporter_a).get(reverse("reporting:inbox"))
        groups = response.context["groups"]
        self.assertEqual([s.pk for s in groups["correcting"]], [self.sub_a.pk])
        self.assertEqual(groups["overdue"], [])
        self.assertContains(response, "更正中,改好后重新报送")
        # the report's name opens it (on a phone the row's button may be scrolled out of view)
        self.assertContains(response, f'<td><a href="{self.sub_a.get_absolute_url()}">{self.form.number}')

    def test_an_imported_report_under_correction_is_not_overdue_anywhere(self):
        # Came in by the bureau's import (never "first submitted"), then reopened by its reporter.
        Submission.objects.filter(pk=self.sub_a.pk).update(status=Status.APPROVED, first_submitted_at=None)
        sub = start_correction(
            actor=self.reporter_a,
            submission=Submission.objects.get(pk=self.sub_a.pk),
            reason="补正",
            source=WEB,
        )
        late_now = self.period.deadline + dt.timedelta(days=3)
        self.assertTrue(sub.under_correction)
        self.assertFalse(sub.is_overdue(late_now))
        self.assertNotIn(sub.pk, Submission.objects.overdue(late_now).values_list("pk", flat=True))
        # The owed one still is.
        self.assertIn(self.sub_b.pk, Submission.objects.overdue(late_now).values_list("pk", flat=True))
