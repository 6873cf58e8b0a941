from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jushi.core.models import Notification
from jushi.lib.periods import Period
from jushi.reporting.choices import EventKind, Status
from jushi.reporting.models import CheckResult, Submission, SubmissionEvent, Value, ValueChange
from jushi.reporting.services.errors import Conflict, ReportingError
from jushi.reporting.services.periods import close_period, open_period
from jushi.reporting.services.submissions import (
    approve_submission,
    return_submission,
    save_draft,
    send_reminders,
    start_correction,
    submit_report,
)

from .base import WEB, D, ReportingTestCase, good_figures


def stored(submission):
    return {
        code: (cur, ly)
        for code, cur, ly in Value.objects.filter(submission=submission).values_list(
            "field__code", "current", "last_year"
        )
    }


class ObligationTests(ReportingTestCase):
    def test_opening_a_period_owes_it_from_this_years_above_size_set(self):
        owed = set(Submission.objects.filter(period=self.period).values_list("enterprise__name", flat=True))
        self.assertEqual(owed, {"甲纺织有限公司"})  # ent_b is not in the 2024 set; ent_c is another zone
        self.assertEqual(
            timezone.localtime(self.period.deadline).strftime("%Y-%m-%d %H:%M"), "2024-07-16 12:00"
        )
        self.assertEqual(
            timezone.localtime(self.period.opens_at).strftime("%Y-%m-%d %H:%M"), "2024-07-01 00:00"
        )

    def test_opening_again_adds_only_newcomers(self):
        from jushi.registry.models import SizeMembership

        SizeMembership.objects.create(enterprise=self.ent_b, year=2024)
        _, added = open_period(
            actor=self.admin, form=self.form, zone=self.kashgar, period=Period.parse("2024-06")
        )
        self.assertEqual(added, 1)
        self.assertEqual(Submission.objects.filter(period=self.period).count(), 2)

    def test_january_alone_is_refused_when_jan_feb_are_combined(self):
        with self.assertRaisesMessage(ReportingError, "没有单独的 1 月报告期"):
            open_period(actor=self.admin, form=self.form, zone=self.kashgar, period=Period.parse("2024-01"))

    def test_reporters_cannot_open_periods(self):
        with self.assertRaises(PermissionDenied):
            open_period(
                actor=self.reporter_a, form=self.form, zone=self.kashgar, period=Period.parse("2024-07")
            )


class SubmitTests(ReportingTestCase):
    def test_clean_report_is_submitted_with_an_event(self):
        outcome = submit_report(
            actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB
        )
        self.assertTrue(outcome.submitted, [f.message for f in outcome.findings])
        sub = self.fresh()
        self.assertEqual(sub.status, Status.SUBMITTED)
        self.assertEqual(sub.submitted_by, self.reporter_a)
        self.assertEqual(stored(sub)["gross_output"], (D(10000), D("9090.9")))
        self.assertEqual(list(sub.events.values_list("kind", flat=True)), [EventKind.SUBMITTED])
        change = ValueChange.objects.get(submission=sub)
        self.assertEqual(change.changes["gross_output"]["current"], [None, "10000"])
        self.assertEqual(change.user_name, "reporter_a")

    def test_blocking_error_keeps_the_draft_and_does_not_submit(self):
        figures = good_figures()
        figures["export_value"] = (D(99999), D(450))
        outcome = submit_report(actor=self.reporter_a, submission=self.sub_a, figures=figures, source=WEB)
        self.assertFalse(outcome.submitted)
        self.assertEqual([f.rule_code for f in outcome.blocking], ["export_within_sales"])
        self.assertIn("出口交货值 99,999 大于工业销售产值 9,800", outcome.blocking[0].message)
        sub = self.fresh()
        self.assertEqual(sub.status, Status.DRAFT)
        self.assertEqual(stored(sub)["export_value"], (D(99999), D(450)))  # the draft is kept

    def test_a_warning_needs_an_explanation_which_is_kept(self):
        figures = good_figures()
        figures["gross_output"] = (D(14000), D("9090.9"))  # +54%: a warning
        figures["sales_output"] = (D(13720), D("8909.1"))
        outcome = submit_report(actor=self.reporter_a, submission=self.sub_a, figures=figures, source=WEB)
        self.assertFalse(outcome.submitted)
        self.assertEqual({f.key for f in outcome.missing}, {"yoy_30:gross_output", "yoy_30:sales_output"})
        explanations = {"yoy_30:gross_output": "新生产线投产", "yoy_30:sales_output": "同上"}
        outcome = submit_report(
            actor=self.reporter_a,
            submission=self.sub_a,
            figures=figures,
            explanations=explanations,
            source=WEB,
        )
        self.assertTrue(outcome.submitted)
        kept = dict(CheckResult.objects.filter(submission=self.sub_a).values_list("key", "explanation"))
        self.assertEqual(kept, explanations)

    def test_submitting_the_same_figures_twice_is_a_no_op(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        version = self.fresh().version
        outcome = submit_report(
            actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB
        )
        self.assertTrue(outcome.already)
        self.assertEqual(self.fresh().version, version)
        self.assertEqual(SubmissionEvent.objects.filter(submission=self.sub_a).count(), 1)

    def test_changing_a_submitted_report_is_refused_until_returned(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        with self.assertRaisesMessage(ReportingError, "请联系统计人员退回"):
            submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(2), source=WEB)
        self.assertEqual(stored(self.sub_a)["gross_output"][0], D(10000))

    def test_another_enterprise_reporter_cannot_report_for_a(self):
        for actor in (self.reporter_b, self.reviewer, self.admin):
            with self.assertRaises(PermissionDenied):
                save_draft(actor=actor, submission=self.sub_a, figures=good_figures(), source=WEB)
        self.assertFalse(Value.objects.exists())
        self.assertEqual(self.fresh().status, Status.PENDING)

    def test_not_yet_open_and_closed_periods_refuse_figures(self):
        early = self.period.opens_at - timezone.timedelta(days=1)
        with self.assertRaisesMessage(ReportingError, "2024-07-01 00:00 起开始填报"):
            save_draft(
                actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB, now=early
            )
        close_period(actor=self.admin, period=self.period)
        with self.assertRaisesMessage(ReportingError, "报告期已关闭"):
            submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        self.assertFalse(Value.objects.exists())

    def test_cumulative_may_not_fall_but_profit_may(self):
        prior, _ = open_period(
            actor=self.admin, form=self.form, zone=self.kashgar, period=Period.parse("2024-05")
        )
        may = Submission.objects.get(period=prior, enterprise=self.ent_a)
        submit_report(actor=self.reporter_a, submission=may, figures=good_figures(), source=WEB)
        approve_submission(actor=self.reviewer, submission=may, source=WEB)
        figures = good_figures()
        figures["revenue"] = (D(9000), D(8000))  # below May's cumulative 10100
        figures["operating_profit"] = (D(-200), D(800))  # profit fell: allowed
        figures["total_profit"] = (D(-190), D(810))
        outcome = submit_report(actor=self.reporter_a, submission=self.sub_a, figures=figures, source=WEB)
        blocking = {f.key for f in outcome.blocking}
        self.assertIn("cumulative_not_falling:revenue", blocking)
        self.assertNotIn("cumulative_not_falling:operating_profit", blocking)
        self.assertNotIn("cumulative_not_falling:total_profit", blocking)

    def test_a_value_a_thousand_times_off_is_flagged_as_a_unit_error(self):
        figures = good_figures()
        figures["electricity"] = (D(255000), D("23.2"))  # typed in 千瓦时 instead of 万千瓦时
        outcome = submit_report(actor=self.reporter_a, submission=self.sub_a, figures=figures, source=WEB)
        unit = [f for f in outcome.findings if f.key == "unit_scale:electricity"]
        self.assertEqual(len(unit), 1)
        self.assertIn("请核对计量单位是否为万千瓦时", unit[0].message)


class ReviewTests(ReportingTestCase):
    def setUp(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)

    def test_return_needs_a_reason_which_the_enterprise_sees(self):
        with self.assertRaisesMessage(ReportingError, "退回原因: 必填"):
            return_submission(actor=self.reviewer, submission=self.sub_a, reason="  ", source=WEB)
        self.assertEqual(self.fresh().status, Status.SUBMITTED)
        return_submission(actor=self.reviewer, submission=self.sub_a, reason="用电量与产值不匹配", source=WEB)
        sub = self.fresh()
        self.assertEqual(
            (sub.status, sub.return_reason, sub.reviewed_by),
            (Status.RETURNED, "用电量与产值不匹配", self.reviewer),
        )
        note = Notification.objects.get(user=self.reporter_a)
        self.assertIn("退回原因:用电量与产值不匹配", note.body)

    def test_returned_report_is_fixed_resubmitted_and_approved_then_locked(self):
        return_submission(actor=self.reviewer, submission=self.sub_a, reason="请核实", source=WEB)
        figures = good_figures()
        figures["electricity"] = (D("26.5"), D("23.2"))
        outcome = submit_report(actor=self.reporter_a, submission=self.sub_a, figures=figures, source=WEB)
        self.assertTrue(outcome.submitted)
        approve_submission(actor=self.reviewer, submission=self.sub_a, source=WEB)
        sub = self.fresh()
        self.assertEqual(sub.status, Status.APPROVED)
        value = Value.objects.get(submission=sub, field__code="electricity")
        self.assertEqual((value.approved_current, value.approved_last_year), (D("26.5"), D("23.2")))
        kinds = list(sub.events.order_by("time", "id").values_list("kind", "actor_name"))
        self.assertEqual(
            kinds,
            [
                (EventKind.SUBMITTED, "reporter_a"),
                (EventKind.RETURNED, "reviewer"),
                (EventKind.RESUBMITTED, "reporter_a"),
                (EventKind.APPROVED, "reviewer"),
            ],
        )
        with self.assertRaisesMessage(ReportingError, "已审核通过并锁定"):
            submit_report(actor=self.reporter_a, submission=sub, figures=good_figures(2), source=WEB)
        with self.assertRaises(ReportingError):
            save_draft(actor=self.reporter_a, submission=sub, figures=good_figures(2), source=WEB)

    def test_correction_is_a_new_revision_and_approved_figures_hold_until_reapproved(self):
        approve_submission(actor=self.reviewer, submission=self.sub_a, source=WEB)
        with self.assertRaisesMessage(ReportingError, "更正原因: 必填"):
            start_correction(actor=self.reporter_a, submission=self.sub_a, reason="", source=WEB)
        start_correction(actor=self.reporter_a, submission=self.sub_a, reason="发现营业收入少计", source=WEB)
        sub = self.fresh()
        self.assertEqual((sub.status, sub.revision), (Status.DRAFT, 2))
        figures = good_figures()
        figures["revenue"] = (D(10200), D("9181.8"))
        save_draft(actor=self.reporter_a, submission=sub, figures=figures, source=WEB)
        value = Value.objects.get(submission=sub, field__code="revenue")
        self.assertEqual((value.current, value.approved_current, value.revision), (D(10200), D(10100), 2))
        change = ValueChange.objects.filter(submission=sub, revision=2).get()
        self.assertEqual(change.reason, "发现营业收入少计")
        self.assertEqual(change.changes["revenue"]["current"], ["10100", "10200"])
        submit_report(actor=self.reporter_a, submission=sub, figures=figures, source=WEB)
        approve_submission(actor=self.reviewer, submission=sub, source=WEB)
        self.assertEqual(Value.objects.get(submission=sub, field__code="revenue").approved_current, D(10200))

    def test_two_reviewers_at_once_one_wins_the_other_is_told(self):
        seen = self.fresh().version  # both reviewers opened the page at this version
        approve_submission(actor=self.reviewer, submission=self.sub_a, version=seen, source=WEB)
        with self.assertRaisesMessage(Conflict, "该报表当前状态为“已审核”(由 reviewer"):
            return_submission(
                actor=self.admin, submission=self.sub_a, reason="再看看", version=seen, source=WEB
            )
        sub = self.fresh()
        self.assertEqual((sub.status, sub.return_reason), (Status.APPROVED, ""))
        self.assertFalse(sub.events.filter(kind=EventKind.RETURNED).exists())

    def test_reporters_and_other_zones_cannot_review(self):
        for actor in (self.reporter_a, self.other_admin, self.leader):
            with self.assertRaises(PermissionDenied):
                approve_submission(actor=actor, submission=self.sub_a, source=WEB)
        self.assertEqual(self.fresh().status, Status.SUBMITTED)


class ReminderTests(ReportingTestCase):
    def test_reminders_go_in_app_and_by_mail_to_the_enterprise_reporters(self):
        self.reporter_a.email = "a@example.com"
        self.reporter_a.save()
        count, sent = send_reminders(actor=self.reviewer, period=self.period, source=WEB)
        self.assertEqual((count, sent), (1, 1))
        self.assertEqual(mail.outbox[0].to, ["a@example.com"])
        self.assertIn("2024-07-16 12:00", mail.outbox[0].body)
        self.assertTrue(Notification.objects.filter(user=self.reporter_a, title__contains="补报").exists())
        sub = self.fresh()
        self.assertEqual(sub.reminder_count, 1)
        self.assertTrue(sub.events.filter(kind=EventKind.REMINDED).exists())

    def test_reporters_cannot_send_reminders(self):
        with self.assertRaises(PermissionDenied):
            send_reminders(actor=self.reporter_a, period=self.period, source=WEB)
