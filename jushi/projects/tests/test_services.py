"""The ledger's rules, through the services every page, API call and import uses."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog, Notification

from .. import services
from ..choices import DuplicateStatus, Escalation, Light, ProblemStatus
from ..models import FundsRecord, Project, StageChange
from .base import D, LedgerTestCase, make_code

WEB = ChangeSource.WEB


class StageTests(LedgerTestCase):
    def test_signing_is_refused_until_its_fields_are_given_and_nothing_is_saved(self):
        project = self.lead()
        with self.assertRaises(services.ProjectError) as caught:
            services.advance_stage(actor=self.admin, project=project, to_stage="signed", data={}, source=WEB)
        errors = caught.exception.errors
        # the skipped 在谈 stage's date and required industry, and the signing's own fields
        self.assertEqual(
            set(errors), {"talks_on", "industry", "signed_on", "agreed_investment", "contract_no"}
        )
        self.assertIn("跳过的“在谈”阶段须填写", errors["talks_on"])
        self.assertIn("签约日期", str(caught.exception))
        project.refresh_from_db()
        self.assertEqual((project.stage.code, project.version, project.signed_on), ("lead", 1, None))
        self.assertEqual(StageChange.objects.filter(project=project).count(), 1)

    def test_signing_with_its_fields_records_every_stage_passed(self):
        project = self.sign(self.lead())
        self.assertEqual(project.stage.code, "signed")
        self.assertEqual(project.version, 2)
        changes = list(project.stage_changes.values_list("to_stage__code", "on", "days"))
        self.assertEqual(
            changes,
            [("lead", D(2024, 3, 1), 31), ("talks", D(2024, 4, 1), 86), ("signed", D(2024, 6, 26), None)],
        )
        log = ChangeLog.objects.for_object(project).first()
        self.assertEqual((log.before["stage_name"], log.after["stage_name"]), ("线索", "签约"))

    def test_dates_must_follow_each_other_and_not_be_in_the_future(self):
        project = self.lead()
        with self.assertRaises(services.ProjectError) as caught:
            self.sign(project, on=D(2024, 2, 1))  # before the talks on 2024-04-01
        self.assertIn("不能早于上一阶段日期", caught.exception.errors["signed_on"])
        with self.assertRaises(services.ProjectError) as caught:
            self.sign(project, on=dt.date.today() + dt.timedelta(days=3))
        self.assertEqual(caught.exception.errors["signed_on"], "不能晚于今天")

    def test_a_stale_version_loses_and_is_told_who_moved_it(self):
        project = self.lead()
        seen = project.version
        services.advance_stage(
            actor=self.admin,
            project=project,
            to_stage="talks",
            data={"talks_on": D(2024, 3, 3), "industry": "3963"},
            version=seen,
            source=WEB,
        )
        stale = Project.objects.get(pk=project.pk)
        stale.version = seen  # what the second user's page still shows
        with self.assertRaises(services.StaleProject) as caught:
            services.advance_stage(
                actor=self.reviewer,
                project=project,
                to_stage="signed",
                data={"signed_on": D(2024, 6, 1), "agreed_investment": "5000", "contract_no": "X"},
                version=seen,
                source=WEB,
            )
        self.assertIn("刚被他人修改", str(caught.exception))
        self.assertIn("在谈", str(caught.exception))
        self.assertEqual(Project.objects.get(pk=project.pk).stage.code, "talks")

    def test_moving_back_needs_a_reason_and_clears_the_dates_left(self):
        project = self.sign(self.lead())
        with self.assertRaises(services.ProjectError) as caught:
            services.advance_stage(actor=self.admin, project=project, to_stage="talks", source=WEB)
        self.assertIn("reason", caught.exception.errors)
        project = services.advance_stage(
            actor=self.admin, project=project, to_stage="talks", source=WEB, note="合同未生效,重新洽谈"
        )
        self.assertEqual((project.stage.code, project.signed_on), ("talks", None))
        self.assertEqual(ChangeLog.objects.for_object(project).first().before["signed_on"], "2024-06-26")

    def test_land_needs_parcel_and_area(self):
        project = self.sign(self.lead())
        with self.assertRaises(services.ProjectError) as caught:
            services.advance_stage(
                actor=self.admin,
                project=project,
                to_stage="land",
                data={"land_on": D(2024, 7, 1)},
                source=WEB,
            )
        self.assertEqual(set(caught.exception.errors), {"parcel", "land_mu"})

    def test_leaders_and_other_zones_cannot_move_projects(self):
        project = self.lead()
        for user in (self.leader, self.other_admin, self.reporter_a):
            with self.assertRaises(PermissionDenied):
                services.advance_stage(actor=user, project=project, to_stage="talks", source=WEB)


class InputTests(LedgerTestCase):
    def test_bad_credit_code_is_named(self):
        with self.assertRaises(services.ProjectError) as caught:
            self.lead(code="91653101MA7X00000X")
        self.assertIn("credit_code", caught.exception.errors)
        self.assertFalse(Project.objects.exists())

    def test_good_credit_code_identifies_the_investor_whatever_the_name(self):
        code = make_code(77)
        first = self.lead(code=code)
        second = self.lead(name="另一个项目", investor="名称写法不同的公司", code=code)
        self.assertEqual(first.investor_id, second.investor_id)

    def test_amounts_negative_absurd_or_huge(self):
        project = self.lead()
        for value, key, text in (
            ("-5", "agreed_investment", "不能为负数"),
            ("abc", "agreed_investment", "不是数字"),
            ("2000000000", "agreed_investment", "超出合理范围"),
        ):
            with self.subTest(value=value), self.assertRaises(services.ProjectError) as caught:
                services.update_project(actor=self.admin, project=project, data={key: value}, source=WEB)
            self.assertIn(text, caught.exception.errors[key])
        with self.assertRaises(services.NeedsConfirmation) as caught:  # 1,500 亿元: a unit slip, most likely
            services.update_project(
                actor=self.admin, project=project, data={"agreed_investment": "15000000"}, source=WEB
            )
        self.assertIn("1000 亿元", caught.exception.errors["confirm"])
        self.assertIsNone(Project.objects.get(pk=project.pk).agreed_investment)
        services.update_project(
            actor=self.admin,
            project=project,
            data={"agreed_investment": "15000000"},
            source=WEB,
            confirm=True,
        )
        self.assertEqual(Project.objects.get(pk=project.pk).agreed_investment, Decimal("15000000"))

    def test_signed_investment_changes_only_by_contract_change(self):
        project = self.sign(self.lead())
        with self.assertRaises(services.ProjectError) as caught:
            services.update_project(
                actor=self.admin, project=project, data={"agreed_investment": "20000"}, source=WEB
            )
        self.assertIn("合同变更", caught.exception.errors["agreed_investment"])


class FundsTests(LedgerTestCase):
    def test_funds_need_a_signed_project(self):
        project = self.lead()
        with self.assertRaises(services.ProjectError) as caught:
            services.record_funds(
                actor=self.admin,
                project=project,
                on=D(2024, 6, 1),
                amount_wan="100",
                evidence="bank",
                source=WEB,
            )
        self.assertIn("签约后", caught.exception.errors["on"])

    def test_funds_past_the_agreed_investment_need_a_contract_change(self):
        project = self.sign(self.lead(), amount="15000")
        with self.captureOnCommitCallbacks(execute=True):
            services.record_funds(
                actor=self.admin,
                project=project,
                on=D(2024, 6, 28),
                amount_wan="12000",
                evidence="bank",
                source=WEB,
            )
        with self.assertRaises(services.ProjectError) as caught:
            services.record_funds(
                actor=self.admin,
                project=project,
                on=D(2024, 6, 29),
                amount_wan="4000",
                evidence="bank",
                source=WEB,
            )
        self.assertIn("请先登记合同变更", caught.exception.errors["amount"])
        self.assertEqual(FundsRecord.objects.count(), 1)
        with self.assertRaises(services.ProjectError):  # below what is already in place
            services.change_contract(
                actor=self.admin,
                project=project,
                effective_on=D(2024, 6, 29),
                new_investment="10000",
                reason="缩减",
                source=WEB,
            )
        services.change_contract(
            actor=self.admin,
            project=project,
            effective_on=D(2024, 6, 29),
            new_investment="20000",
            reason="追加二期",
            source=WEB,
        )
        services.record_funds(
            actor=self.admin,
            project=project,
            on=D(2024, 6, 30),
            amount_wan="4000",
            evidence="invoice",
            source=WEB,
        )
        project.refresh_from_db()
        self.assertEqual(project.agreed_investment, Decimal("20000"))
        self.assertEqual(project.funds_in_place, Decimal("16000"))  # the counter the ledger sums
        self.assertEqual(project.contract_changes.get().old_investment, Decimal("15000"))

    def test_bad_funds_input_is_named(self):
        project = self.sign(self.lead())
        with self.assertRaises(services.ProjectError) as caught:
            services.record_funds(
                actor=self.admin,
                project=project,
                on="2024-13-01",
                amount_wan="0",
                evidence="cash",
                source=WEB,
            )
        self.assertEqual(set(caught.exception.errors), {"on", "amount", "evidence"})
        with self.assertRaises(services.ProjectError) as caught:
            services.record_funds(
                actor=self.admin,
                project=project,
                on=D(2024, 6, 1),
                amount_wan="10",
                evidence="bank",
                source=WEB,
            )
        self.assertIn("不能早于签约日期", caught.exception.errors["on"])

    def test_deleting_funds_needs_a_reason_and_is_logged(self):
        project = self.sign(self.lead())
        funds = services.record_funds(
            actor=self.admin, project=project, on=D(2024, 6, 28), amount_wan="10", evidence="bank", source=WEB
        )
        with self.assertRaises(services.ProjectError):
            services.delete_funds(actor=self.admin, funds=funds, reason=" ", source=WEB)
        self.assertEqual(Project.objects.get(pk=project.pk).funds_in_place, Decimal("10"))
        services.delete_funds(actor=self.admin, funds=funds, reason="重复录入", source=WEB)
        self.assertFalse(FundsRecord.objects.exists())
        self.assertEqual(Project.objects.get(pk=project.pk).funds_in_place, 0)
        self.assertEqual(ChangeLog.objects.filter(action="delete").get().reason, "重复录入")


class DuplicateTests(LedgerTestCase):
    def test_a_second_signing_of_the_same_project_is_flagged_and_counted_once(self):
        first = self.sign(self.lead())
        second = self.lead(name="中天智控无人机产业园项目", lead_on=D(2024, 6, 20))
        self.assertEqual((second.duplicate_status, second.duplicate_of), (DuplicateStatus.FLAGGED, first))
        second = self.sign(second, on=D(2024, 6, 28), contract_no="DRONE-2", talks_on=D(2024, 6, 22))
        self.assertEqual(Project.objects.filter(signed_on__isnull=False).count(), 2)
        self.assertEqual(Project.objects.filter(signed_on__isnull=False).counted().count(), 1)

    def test_another_investor_or_another_project_is_not_flagged(self):
        self.sign(self.lead())
        other = self.lead(name="无人机装备制造项目", investor="另一家公司")
        unrelated = self.lead(name="冷链物流中心", lead_on=D(2024, 5, 1))
        far = self.lead(
            name="无人机装备制造项目二", lead_on=D(2026, 1, 1) if D(2026, 1, 1) < dt.date.today() else None
        )
        self.assertEqual(other.duplicate_status, "")
        self.assertEqual(unrelated.duplicate_status, "")
        self.assertEqual(far.duplicate_status, "")  # outside the 365-day window

    def test_flagged_at_signing_when_entered_under_another_name(self):
        first = self.sign(self.lead())
        second = self.lead(name="智能飞行器生产基地", lead_on=D(2024, 6, 1))
        self.assertEqual(second.duplicate_status, "")
        with override_settings(JUSHI_DUPLICATE_WINDOW_DAYS=30):
            self.assertEqual(services.find_duplicates(second), [])
        second = services.update_project(
            actor=self.admin, project=second, data={"name": "无人机装备制造二期项目"}, source=WEB
        )
        second = self.sign(second, on=D(2024, 6, 28), contract_no="B", talks_on=D(2024, 6, 2))
        self.assertEqual((second.duplicate_status, second.duplicate_of), (DuplicateStatus.FLAGGED, first))

    def test_confirm_new_counts_it_merge_moves_its_records(self):
        first = self.sign(self.lead())
        second = self.sign(
            self.lead(name="中天智控无人机项目", lead_on=D(2024, 6, 20)),
            on=D(2024, 6, 28),
            contract_no="B",
            talks_on=D(2024, 6, 21),
        )
        services.record_funds(
            actor=self.admin, project=second, on=D(2024, 6, 29), amount_wan="300", evidence="bank", source=WEB
        )
        with self.assertRaises(services.ProjectError):
            services.resolve_duplicate(actor=self.admin, project=first, decision="new", source=WEB)
        merged = services.resolve_duplicate(actor=self.admin, project=second, decision="merge", source=WEB)
        self.assertEqual(merged.duplicate_status, DuplicateStatus.MERGED)
        self.assertEqual(first.funds.get().amount, Decimal("300"))
        first.refresh_from_db()
        self.assertEqual((first.funds_in_place, merged.funds_in_place), (Decimal("300"), 0))
        with self.assertRaises(services.ProjectError):
            services.advance_stage(
                actor=self.admin, project=merged, to_stage="land", data={"land_on": D(2024, 7, 1)}, source=WEB
            )
        third = self.lead(name="中天智控无人机二期", lead_on=D(2024, 6, 25))
        confirmed = services.resolve_duplicate(actor=self.admin, project=third, decision="new", source=WEB)
        self.assertEqual(confirmed.duplicate_status, DuplicateStatus.CONFIRMED)
        self.assertTrue(confirmed.is_counted())


class ScheduleTests(LedgerTestCase):
    def test_overdue_problem_is_red_and_escalates_once_per_step(self):
        project = self.sign(self.lead())
        today = dt.date.today()
        problem = services.raise_problem(
            actor=self.admin,
            project=project,
            data={
                "title": "施工用电未接入",
                "owner": "张三",
                "raised_on": today - dt.timedelta(days=30),
                "due_on": today - dt.timedelta(days=3),
            },
            source=WEB,
        )
        self.assertEqual(problem.light(), Light.RED)
        escalated = services.escalate_overdue(actor=self.admin, source=ChangeSource.CLI)
        self.assertEqual([p.pk for p in escalated], [problem.pk])
        problem.refresh_from_db()
        self.assertEqual(problem.escalation, Escalation.DEPARTMENT)
        self.assertTrue(Notification.objects.filter(user=self.admin, title__contains="部门督办").exists())
        self.assertFalse(Notification.objects.filter(user=self.leader).exists())
        self.assertEqual(services.escalate_overdue(actor=self.admin, source=ChangeSource.CLI), [])
        later = services.escalate_overdue(
            actor=self.admin, source=ChangeSource.CLI, today=today + dt.timedelta(days=20)
        )
        self.assertEqual(later[0].escalation, Escalation.LEADER)
        self.assertTrue(Notification.objects.filter(user=self.leader, title__contains="领导督办").exists())
        resolved = services.resolve_problem(
            actor=self.admin, problem=problem, resolution="已接入", source=WEB
        )
        self.assertEqual((resolved.status, resolved.light()), (ProblemStatus.RESOLVED, Light.GREEN))

    def test_problem_input_is_checked(self):
        project = self.lead()
        with self.assertRaises(services.ProjectError) as caught:
            services.raise_problem(
                actor=self.admin,
                project=project,
                data={"title": "", "raised_on": D(2024, 6, 1), "due_on": D(2024, 5, 1)},
                source=WEB,
            )
        self.assertEqual(set(caught.exception.errors), {"title", "owner", "due_on"})

    def test_milestones_and_monthly_investment(self):
        project = self.sign(self.lead())
        milestone = services.add_milestone(
            actor=self.admin, project=project, data={"name": "开工", "planned_on": D(2024, 7, 1)}, source=WEB
        )
        self.assertEqual(milestone.light(today=D(2024, 7, 5)), Light.RED)
        self.assertEqual(milestone.light(today=D(2024, 6, 28)), Light.AMBER)
        services.complete_milestone(
            actor=self.admin, milestone=milestone, actual_on=D(2024, 7, 3), source=WEB
        )
        self.assertEqual((milestone.light(), milestone.days_late()), (Light.GREEN, 2))
        row = services.set_monthly_investment(
            actor=self.admin, project=project, month="2024-07", planned="800", source=WEB
        )
        row = services.set_monthly_investment(
            actor=self.admin, project=project, month="2024-07", actual="650", source=WEB
        )
        self.assertEqual((row.planned, row.actual), (Decimal("800"), Decimal("650")))
        with self.assertRaises(services.ProjectError) as caught:
            services.set_monthly_investment(actor=self.admin, project=project, month="2024-7", source=WEB)
        self.assertIn("month", caught.exception.errors)


@override_settings(JUSHI_ATTACHMENT_MAX_BYTES=1024)
class AttachmentTests(LedgerTestCase):
    def setUp(self):
        import tempfile

        self.media = tempfile.TemporaryDirectory()
        self.enterContext(override_settings(MEDIA_ROOT=self.media.name))
        self.addCleanup(self.media.cleanup)

    def test_type_and_size_are_checked(self):
        project = self.lead()
        cases = [
            (SimpleUploadedFile("run.exe", b"MZ\x90\x00"), "不支持"),
            (SimpleUploadedFile("合同.pdf", b"not a pdf at all"), "不是 .pdf 格式"),
            (SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2000), "超过上限"),
            (SimpleUploadedFile("empty.pdf", b""), "空的"),
        ]
        for upload, text in cases:
            with self.subTest(name=upload.name), self.assertRaises(services.ProjectError) as caught:
                services.add_attachment(
                    actor=self.admin, project=project, kind="contract", upload=upload, source=WEB
                )
            self.assertIn(text, caught.exception.errors["file"])
        self.assertFalse(project.attachments.exists())
        kept = services.add_attachment(
            actor=self.admin,
            project=project,
            kind="contract",
            upload=SimpleUploadedFile("合同.pdf", b"%PDF-1.7 contract"),
            source=WEB,
        )
        self.assertEqual((kept.name, kept.size), ("合同.pdf", 17))
        self.assertEqual(kept.file.read(), b"%PDF-1.7 contract")
