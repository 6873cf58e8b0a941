"""Issue 13 for the ledger: confidential projects named to no one who may not see them, project codes
that cannot collide, and numbers, dates and filters from outside answered with a named field, never a
500 and never a silent rounding or cut."""

import io
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog, Notification
from jushi.lib.tabular import Table, write_table

from .. import services
from ..columns import HEADERS
from ..models import FundsRecord, Investor, Project, Stage
from ..services.common import ProjectError
from ..services.importing import import_ledger
from .base import D, LedgerTestCase

API = "/api/projects/"
WEB = ChangeSource.WEB
BAD_IDS = ("1e30", "1.5", "-1", "0", str(2**63), "99999999999999999999", "abc", "²")


class BadFilterTests(LedgerTestCase):
    """A foreign-key filter, a year or a page number that is not what it should be: 400 naming the field
    in the API, a notice on the pages, never 500."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.drone = cls.lead_as(cls.admin, "无人机装备制造项目", "中天智控")

    @classmethod
    def lead_as(cls, actor, name, investor, **data):
        return services.create_project(
            actor=actor,
            zone=cls.kashgar,
            data={"name": name, "investor_name": investor, "lead_on": D(2024, 3, 1), **data},
            source=WEB,
        )

    def test_api_foreign_key_filters_answer_400_naming_the_field(self):
        self.client.force_login(self.admin)
        for url, key in (
            (f"{API}problems/", "project"),
            (f"{API}funds/", "project"),
            (f"{API}projects/", "event"),
        ):
            for bad in BAD_IDS:
                with self.subTest(url=url, value=bad):
                    response = self.client.get(url, {key: bad})
                    self.assertEqual(response.status_code, 400, response.content)
                    self.assertIn(key, response.json())
            self.assertEqual(self.client.get(url, {key: "1"}).status_code, 200)

    def test_api_event_year_bounded_1900_to_2100(self):
        self.client.force_login(self.admin)
        for bad in ("0", "1899", "2101", "99999999999999999999", "-2024", "2024.5", "1e3"):
            with self.subTest(year=bad):
                response = self.client.get(f"{API}events/", {"year": bad})
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn("year", response.json())
        response = self.client.get(f"{API}events/", {"year": "2024"})
        self.assertEqual([e["name"] for e in response.json()["results"]], [self.expo.name])

    def test_api_amount_and_date_filters_bounded(self):
        self.client.force_login(self.admin)
        for key, bad in (
            ("min_investment", "1e30"),
            ("max_investment", "NaN"),
            ("signed_from", "0001-01-01"),
            ("signed_to", "9999-12-31"),
        ):
            with self.subTest(key=key):
                response = self.client.get(f"{API}projects/", {key: bad})
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(key, response.json())

    def test_pages_ignore_a_bad_filter_with_a_notice(self):
        self.client.force_login(self.admin)
        for url in ("/projects/", "/projects/kanban/"):
            for bad in BAD_IDS:
                with self.subTest(url=url, value=bad):
                    response = self.client.get(url, {"event": bad})
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, "签约活动")
                    self.assertContains(response, "无效")
                    self.assertContains(response, self.drone.name)  # the filter was dropped, not the list
        response = self.client.get("/projects/", {"event": "1e30", "export": "csv"})  # no file of it all
        self.assertRedirects(response, "/projects/?event=1e30", fetch_redirect_response=False)
        self.assertContains(self.client.get(response.url), "筛选条件“签约活动”无效")

    def test_event_and_schedule_pages_take_any_year(self):
        self.client.force_login(self.admin)
        for url in ("/projects/events/", "/projects/schedule/", "/projects/analytics/"):
            for bad in ("0", "99999999999999999999", "²", "-1", "2024.0"):
                with self.subTest(url=url, year=bad):
                    response = self.client.get(url, {"year": bad, "zone": self.kashgar.code})
                    self.assertEqual(response.status_code, 200)


class BoundsTests(LedgerTestCase):
    """Dates within 1900–2100, amounts refused rather than rounded below 0.01 万元."""

    def test_amount_below_smallest_unit_refused_not_rounded(self):
        with self.assertRaises(ProjectError) as caught:
            self.lead(agreed_investment="0.001")
        self.assertIn("最小单位为 0.01 万元", caught.exception.errors["agreed_investment"])
        with self.assertRaises(ProjectError) as caught:
            self.lead(land_mu="1.005")
        self.assertIn("最小单位为 0.01 亩", caught.exception.errors["land_mu"])
        self.assertFalse(Project.objects.exists())
        project = self.lead(agreed_investment="0.01")
        self.assertEqual(project.agreed_investment, Decimal("0.01"))

    def test_dates_outside_1900_to_2100_refused(self):
        for key, value in (("lead_on", "0001-01-01"), ("lead_on", D(1899, 12, 31))):
            with self.subTest(key=key, value=value):
                with self.assertRaises(ProjectError) as caught:
                    self.lead(**{key: value})
                self.assertIn("1900", caught.exception.errors[key])
        with self.assertRaises(ProjectError) as caught:
            self.lead(planned_start_on="2101-01-01")
        self.assertIn("2100", caught.exception.errors["planned_start_on"])
        with self.assertRaises(ProjectError) as caught:
            services.create_event(
                actor=self.admin,
                zone=self.kashgar,
                data={"name": "远期", "held_on": "9999-01-01"},
                source=WEB,
            )
        self.assertIn("held_on", caught.exception.errors)
        self.assertFalse(Project.objects.exists())
        project = self.lead()
        with self.assertRaises(ProjectError) as caught:
            services.set_monthly_investment(
                actor=self.admin, project=project, month="0001-01", planned="10", source=WEB
            )
        self.assertIn("1900", caught.exception.errors["month"])

    def test_api_refuses_tiny_amounts_and_huge_ids_by_field(self):
        self.client.force_login(self.admin)
        base = {"zone": self.kashgar.code, "name": "某项目", "investor_name": "某公司"}
        response = self.client.post(
            f"{API}projects/", {**base, "agreed_investment": "0.001"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("最小单位为 0.01 万元", response.json()["errors"]["agreed_investment"])
        response = self.client.post(
            f"{API}projects/", {**base, "agreed_investment": "1e5000"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400, response.content)
        self.assertLess(len(response.json()["errors"]["agreed_investment"]), 60)
        for event in ("99999999999999999999", "²", "1e30"):
            with self.subTest(event=event):
                response = self.client.post(
                    f"{API}projects/", {**base, "event": event}, content_type="application/json"
                )
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn("event", response.json()["errors"])
        project = self.sign(self.lead())
        for attachment in (2**70, -1):
            with self.subTest(attachment=attachment):
                response = self.client.post(
                    f"{API}projects/{project.pk}/funds/",
                    {"on": "2024-07-01", "amount": "10", "evidence": "bank", "attachment": attachment},
                    content_type="application/json",
                )
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn("attachment", response.json()["errors"])
        self.assertFalse(FundsRecord.objects.exists())

    def test_api_huge_path_ids_are_404(self):
        self.client.force_login(self.admin)
        for url in (f"{API}projects/99999999999999999999/", f"{API}problems/99999999999999999999/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        for url in ("/projects/99999999999999999999/", "/projects/files/99999999999999999999/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


SECRET = "机密洽谈无人机基地项目"
SECRET_INVESTOR = "神秘央企控股集团"


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="jushi-test-media-"))
class ConfidentialTests(LedgerTestCase):
    """A confidential project with everything that hangs off it: nobody outside the departments that may
    see it finds its name, code or investor in a page, an API answer, an export, a notice or an e-mail."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for user in (cls.admin, cls.leader, cls.reviewer):
            user.email = f"{user.username}@example.cn"
            user.save()

    def setUp(self):
        self.public = self.sign(self.lead(name="碳纤维复合材料项目", investor="江苏恒神", contract_no="KS-1"))
        self.secret = self.sign(
            self.lead(name=SECRET, investor=SECRET_INVESTOR, confidential=True, contract_no="KS-2"),
            amount="88888",
            event=self.expo,
        )
        self.marks = (SECRET, SECRET_INVESTOR, self.secret.code, "88888")
        services.record_funds(
            actor=self.admin,
            project=self.secret,
            on=D(2024, 7, 1),
            amount_wan="500",
            evidence="bank",
            source=WEB,
        )
        services.change_contract(
            actor=self.admin,
            project=self.secret,
            effective_on=D(2024, 7, 2),
            new_investment="90000",
            reason="补充协议",
            source=WEB,
        )
        self.marks += ("90000",)
        self.problem = services.raise_problem(
            actor=self.admin,
            project=self.secret,
            data={
                "title": "用地指标未落实",
                "owner": "王主任",
                "raised_on": D(2024, 7, 1),
                "due_on": D(2024, 7, 10),
            },
            source=WEB,
        )
        services.add_milestone(
            actor=self.admin,
            project=self.secret,
            data={"name": "环评", "planned_on": D(2024, 8, 1)},
            source=WEB,
        )
        services.set_monthly_investment(
            actor=self.admin, project=self.secret, month="2024-07", planned="1000", actual="800", source=WEB
        )
        self.file = services.add_attachment(
            actor=self.admin,
            project=self.secret,
            kind="contract",
            upload=SimpleUploadedFile("合同.pdf", b"%PDF-1.4 secret"),
            source=WEB,
        )

    def assertUnnamed(self, text: str, where: str):
        for mark in self.marks:
            self.assertNotIn(mark, text, f"{where} names the confidential project ({mark})")

    def test_escalation_notice_and_email_do_not_name_it_to_the_leader(self):
        mail.outbox.clear()
        services.escalate_overdue(actor=self.admin, today=D(2024, 8, 1), source=WEB)  # 22 days: 领导督办
        leader_notes = list(Notification.objects.filter(user=self.leader))
        self.assertEqual(len(leader_notes), 1)
        note = leader_notes[0]
        self.assertEqual(note.title, "领导督办:1 个保密项目的问题已逾期 22 天")
        self.assertEqual(note.link, "")
        self.assertUnnamed(f"{note.title} {note.body}", "the leader's notice")
        self.assertNotIn("用地指标", note.body)
        leader_mail = [m for m in mail.outbox if m.to == [self.leader.email]]
        self.assertEqual(len(leader_mail), 1)
        self.assertUnnamed(f"{leader_mail[0].subject} {leader_mail[0].body}", "the leader's e-mail")
        self.assertNotIn(f"/projects/{self.secret.pk}/", leader_mail[0].body)
        admin_note = Notification.objects.get(user=self.admin)  # the admin may see it: named, linked
        self.assertIn(SECRET, admin_note.title)
        self.assertEqual(admin_note.link, f"/projects/{self.secret.pk}/#problems")

    def test_cli_escalate_does_not_name_it_to_a_user_who_cannot_see_it(self):
        out = io.StringIO()
        call_command("projects", "escalate", "--today", "2024-08-01", "--user", "reviewer", stdout=out)
        self.assertIn("1 个保密项目的问题逾期 22 天", out.getvalue())
        self.assertUnnamed(out.getvalue(), "jushi projects escalate")

    def test_pages_api_and_exports_do_not_name_it(self):
        attachment = f"/projects/files/{self.file.pk}/"
        pages = [
            "/projects/",
            f"/projects/?q={SECRET[:4]}",
            "/projects/?export=csv",
            "/projects/?export=xlsx",
            "/projects/kanban/",
            "/projects/events/",
            f"/projects/events/{self.expo.pk}/",
            "/projects/schedule/?zone=kashgar&year=2024",
            "/projects/problems/",
            "/projects/analytics/?zone=kashgar&year=2024",
            f"{API}projects/",
            f"{API}projects/?q={SECRET[:4]}",
            f"{API}funds/",
            f"{API}problems/",
            f"{API}events/",
        ]
        hidden = [
            f"/projects/{self.secret.pk}/",
            f"/projects/schedule/{self.secret.pk}/",
            attachment,
            f"{API}projects/{self.secret.pk}/",
            f"{API}projects/{self.secret.pk}/funds/",
            f"{API}problems/{self.problem.pk}/",
        ]
        for user in (self.leader, self.reviewer):
            self.client.force_login(user)
            for url in pages:
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertIn(response.status_code, (200, 403), url)
                    self.assertUnnamed(_text(response), url)
            for url in hidden:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.admin)  # the check can fail: the admin sees it in the same places
        self.assertIn(SECRET, _text(self.client.get("/projects/?export=csv")))
        self.assertIn(SECRET, _text(self.client.get(f"/projects/events/{self.expo.pk}/")))
        self.assertEqual(self.client.get(attachment).status_code, 200)

    def test_analytics_totals_count_it_without_naming_it(self):
        self.client.force_login(self.leader)
        leader = self.client.get("/projects/analytics/?zone=kashgar&year=2024")
        self.client.force_login(self.admin)
        admin = self.client.get("/projects/analytics/?zone=kashgar&year=2024")
        self.assertEqual(leader.context["cohort"]["signed"], 2)
        self.assertEqual(leader.context["cohort"]["signed"], admin.context["cohort"]["signed"])

    def test_cli_export_leaves_it_out_for_a_user_who_cannot_see_it(self):
        path = Path(tempfile.mkdtemp()) / "ledger.csv"
        out = io.StringIO()
        call_command("projects", "export", str(path), "--user", "regional", stdout=out)
        self.assertIn("已导出 1 个项目", out.getvalue())
        self.assertUnnamed(path.read_bytes().decode("utf-8-sig"), "jushi projects export")

    def test_only_those_who_may_see_it_mark_a_project_confidential(self):
        with self.assertRaises(ProjectError) as caught:
            services.create_project(
                actor=self.reviewer,
                zone=self.kashgar,
                data={"name": "新洽谈项目", "investor_name": "某公司", "confidential": True},
                source=WEB,
            )
        self.assertIn("只有管理员、招商局和项目办", caught.exception.errors["confidential"])
        with self.assertRaises(ProjectError):
            services.update_project(
                actor=self.reviewer, project=self.public, data={"confidential": True}, source=WEB
            )
        self.public.refresh_from_db()
        self.assertFalse(self.public.confidential)

    def test_a_duplicate_of_it_does_not_reveal_its_code(self):
        rows = [{"项目名称": SECRET + "二期", "投资方": SECRET_INVESTOR, "线索日期": "2024-06-21"}]
        result = import_ledger(
            actor=self.reviewer, zone=self.kashgar, table=_table(rows), source=WEB, dry_run=True
        )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.plan[0].duplicate_of, "一个保密项目")
        self.client.force_login(self.reviewer)
        twin = services.create_project(
            actor=self.reviewer,
            zone=self.kashgar,
            data={"name": SECRET, "investor_name": SECRET_INVESTOR, "lead_on": D(2024, 6, 20)},
            source=WEB,
        )
        self.assertEqual(twin.duplicate_of_id, self.secret.pk)
        response = self.client.get(f"/projects/{twin.pk}/")
        self.assertContains(response, "保密项目")
        self.assertNotContains(response, self.secret.code)
        # Who cannot see the original cannot decide: a merge would move funds into a hidden project.
        response = self.client.post(f"/projects/{twin.pk}/duplicate/", {"decision": "merge"}, follow=True)
        self.assertContains(response, "原项目是保密项目,您无权查看")
        self.assertNotContains(response, self.secret.code)
        twin.refresh_from_db()
        self.assertEqual(twin.duplicate_status, "flagged")
        services.resolve_duplicate(actor=self.admin, project=twin, decision="merge", source=WEB)
        twin.refresh_from_db()
        self.assertEqual(twin.duplicate_status, "merged")


def _text(response) -> str:
    """A response's body as text: an XLSX export's cells, or the page or CSV decoded."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        return "\n".join(
            " ".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True)
        )
    return body.decode("utf-8-sig", errors="replace")


def _table(rows: list[dict]) -> Table:
    headers = [h for h in HEADERS if h in ("项目编号", "项目名称", "投资方") or any(h in r for r in rows)]
    return Table(headers=headers, rows=[{h: r.get(h, "") for h in headers} for r in rows])


class ProjectCodeTests(LedgerTestCase):
    """Codes from a per-zone, per-year sequence: imported and legacy codes (P2024-913 next to P2024-0914,
    odd forms) never make a new project's code collide."""

    LEGACY = ("P2024-913", "P2024-0914", "P2024-0001", "P2024-A7", "P2024-0915b", "P2024-00916", "2024-917")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        stage = Stage.objects.get(code="lead")
        investor = Investor.objects.create(name="历史数据投资方")
        for code in cls.LEGACY:  # as the demo and older imports wrote them, straight into the table
            Project.objects.create(
                zone=cls.kashgar,
                code=code,
                name=f"历史项目 {code}",
                investor=investor,
                stage=stage,
                stage_entered_on=D(2024, 1, 2),
                lead_on=D(2024, 1, 2),
            )

    def test_a_hundred_new_projects_after_legacy_codes_are_unique(self):
        made = [
            self.lead(name=f"新项目{i:03d}号", investor=f"投资方{i:03d}", lead_on=D(2024, 5, 1)).code
            for i in range(100)
        ]
        self.assertEqual(made[0], "P2024-0917")  # after the highest number, 916, compared as a number
        self.assertEqual(made[-1], "P2024-1016")
        self.assertEqual(len(set(made) | set(self.LEGACY)), 107)
        self.assertEqual(
            self.lead(name="次年项目", investor="次年投资方", lead_on=D(2025, 1, 5)).code, "P2025-0001"
        )
        self.assertEqual(Project.objects.filter(zone=self.other).count(), 0)
        other = services.create_project(
            actor=self.other_admin,
            zone=self.other,
            data={"name": "另区项目", "investor_name": "丁公司", "lead_on": D(2024, 5, 1)},
            source=WEB,
        )
        self.assertEqual(other.code, "P2024-0001")  # each zone counts on its own

    def test_a_legacy_code_ahead_of_the_sequence_is_skipped(self):
        first = self.lead(name="甲项目", investor="甲公司", lead_on=D(2024, 5, 1))
        self.assertEqual(first.code, "P2024-0917")
        Project.objects.filter(pk=first.pk).update(code="P2024-918")  # a legacy edit takes the next number
        self.assertEqual(
            self.lead(name="乙项目", investor="乙公司", lead_on=D(2024, 5, 1)).code, "P2024-0919"
        )

    def test_cli_import_after_legacy_codes_creates_every_row(self):
        tmp = Path(tempfile.mkdtemp())
        path = tmp / "ledger.csv"
        rows = [
            {"项目名称": f"导入项目{i}号", "投资方": f"导入投资方{i}", "线索日期": "2024-06-01"}
            for i in range(5)
        ]
        headers = ["项目编号", "项目名称", "投资方", "线索日期"]
        path.write_bytes(write_table(headers, [[r.get(h, "") for h in headers] for r in rows], "csv"))
        out = io.StringIO()
        call_command("projects", "import", str(path), "--zone", "kashgar", "--user", "admin", stdout=out)
        self.assertIn("已新建 5 个项目", out.getvalue())
        codes = sorted(Project.objects.filter(name__startswith="导入项目").values_list("code", flat=True))
        self.assertEqual(codes, [f"P2024-{n:04d}" for n in range(917, 922)])


class ImportBoundsTests(LedgerTestCase):
    """The ledger import: a value longer than its field, an amount below 0.01 万元, a date outside
    1900–2100 is an error of its row and column; nothing is written."""

    def counts(self):
        return (Project.objects.count(), Investor.objects.count(), ChangeLog.objects.count())

    def test_too_long_values_are_row_errors_and_nothing_is_written(self):
        self.lead()
        before = self.counts()
        good = {"项目名称": "碳纤维复合材料项目", "投资方": "江苏恒神", "线索日期": "2024-05-06"}
        rows = [
            good,
            {**good, "项目名称": "长" * 121},
            {**good, "投资方": "投" * 101},
            {**good, "投资方所在地区": "区" * 51},
            {**good, "合同编号": "H" * 51, "地块编号": "D" * 51},
            {**good, "责任领导": "领" * 51, "责任单位": "单" * 101},
            {**good, "备注": "注" * 2001},
            {**good, "协议总投资(万元)": "0.001"},
            {**good, "用地(亩)": "12.345"},
            {**good, "协议总投资(万元)": "1e30"},
            {**good, "线索日期": "0001-01-01"},
            {**good, "阶段": "在谈", "洽谈日期": "2999-01-01", "行业代码": "3841"},
        ]
        result = import_ledger(
            actor=self.admin, zone=self.kashgar, table=_table(rows), source=WEB, dry_run=False
        )
        found = {(e.row, e.field) for e in result.errors}
        self.assertEqual(
            found,
            {
                (3, "项目名称"),
                (4, "投资方"),
                (5, "投资方所在地区"),
                (6, "合同编号"),
                (6, "地块编号"),
                (7, "责任领导"),
                (7, "责任单位"),
                (8, "备注"),
                (9, "协议总投资(万元)"),
                (10, "用地(亩)"),
                (11, "协议总投资(万元)"),
                (12, "线索日期"),
                (13, "洽谈日期"),
            },
        )
        messages = {(e.row, e.field): e.message for e in result.errors}
        self.assertIn("最小单位为 0.01 万元", messages[(9, "协议总投资(万元)")])
        self.assertIn("最小单位为 0.01 亩", messages[(10, "用地(亩)")])
        self.assertIn("不能超过 50 个字", messages[(5, "投资方所在地区")])
        self.assertEqual(self.counts(), before)

    def test_a_row_copied_twice_is_an_error_not_a_second_project(self):
        before = self.counts()
        row = {
            "项目名称": "语料项目",
            "投资方": "语料投资有限公司",
            "协议总投资(万元)": "5000",
            "线索日期": "2024-03-01",
        }
        result = import_ledger(
            actor=self.admin, zone=self.kashgar, table=_table([row, dict(row)]), source=WEB, dry_run=False
        )
        self.assertEqual(
            [str(e) for e in result.errors], ["第 3 行 整行: 与第 2 行完全相同;同一项目请只填一行"]
        )
        self.assertEqual(self.counts(), before)


class WriteRightFirstTests(LedgerTestCase):
    """A role that may not write is told so (403) before its input is read: not 400 for a bad body nor
    415 for a form-encoded one."""

    def test_read_only_roles_get_403_whatever_they_send(self):
        project = self.lead()
        problem = services.raise_problem(
            actor=self.admin,
            project=project,
            data={"title": "用地", "owner": "王", "raised_on": D(2024, 8, 1), "due_on": D(2024, 9, 1)},
            source=WEB,
        )
        urls = [
            f"{API}projects/",
            f"{API}events/",
            f"{API}projects/{project.pk}/advance/",
            f"{API}projects/{project.pk}/funds/",
            f"{API}projects/{project.pk}/contract/",
            f"{API}projects/{project.pk}/problems/",
            f"{API}projects/{project.pk}/duplicate/",
            f"{API}problems/{problem.pk}/resolve/",
        ]
        before = ChangeLog.objects.count()
        for user in (self.leader, self.regional, self.reporter_a):
            self.client.force_login(user)
            for url in urls:
                for body, kind in (({}, "application/json"), ("a=1", "application/x-www-form-urlencoded")):
                    with self.subTest(user=user.username, url=url, kind=kind):
                        response = self.client.post(url, body, content_type=kind)
                        self.assertEqual(response.status_code, 403, response.content)
        self.assertEqual(ChangeLog.objects.count(), before)
        self.client.force_login(self.admin)  # the writer still gets to the input check
        self.assertEqual(self.client.post(urls[0], {}, content_type="application/json").status_code, 400)
