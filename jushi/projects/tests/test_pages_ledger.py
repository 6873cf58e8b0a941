"""The ledger list, the kanban and the project page, as staff use them."""

import datetime as dt
import shutil
import tempfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jushi.core.choices import ChangeSource
from jushi.lib.tabular import read_table

from .. import services
from ..choices import Light, ProblemStatus
from ..columns import HEADERS
from ..models import Attachment, ContractChange, FundsRecord, Milestone, MonthlyInvestment, Problem, Project
from .base import D, LedgerTestCase, make_code

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class LedgerData(LedgerTestCase):
    """A small ledger: a signed drone project with funds, a textile lead, a confidential lead, a lead
    entered today (the only green light) and a suspected duplicate of the drone project."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # the base helpers take `self`; they only read the personas, which are class attributes here
        cls.drone = cls.sign(
            cls,
            cls.lead(cls, park="energy", official="王副主任", unit="招商局", source_region="province"),
            event=cls.expo.pk,
        )
        services.record_funds(
            actor=cls.admin,
            project=cls.drone,
            on=D(2024, 7, 10),
            amount_wan="5000",
            evidence="bank",
            source=ChangeSource.WEB,
        )
        cls.textile = cls.lead(
            cls,
            name="高端棉纺织项目",
            investor="新疆丝路棉业有限公司",
            code=make_code(501),
            industry="1711",
            park="textile",
            source_region="local",
            agreed_investment="800",
            official="李主任",
        )
        cls.secret = cls.lead(cls, name="保密谈判项目", investor="某外资集团", confidential=True)
        cls.fresh = cls.lead(cls, name="今日新线索", investor="喀什新能科技有限公司", lead_on=TODAY)
        cls.copy = cls.lead(cls, name="中天智控无人机装备制造项目", lead_on=D(2024, 6, 1))
        cls.drone.refresh_from_db()

    def names(self, user=None, **params):
        response = self.login(user or self.admin).get(reverse("projects:ledger"), params)
        self.assertEqual(response.status_code, 200)
        return [p.name for p in response.context["projects"]]


class LedgerListTests(LedgerData):
    def test_the_copy_is_flagged_as_a_duplicate_of_the_drone_project(self):
        self.assertEqual(self.copy.duplicate_status, "flagged")
        self.assertEqual(self.copy.duplicate_of, self.drone)

    def test_filters(self):
        drone, textile = "无人机装备制造项目", "高端棉纺织项目"
        self.assertEqual(self.names(stage="signed"), [drone])
        self.assertEqual(sorted(self.names(industry="C")), sorted([drone, textile]))
        self.assertEqual(self.names(industry="38"), [drone])
        self.assertEqual(self.names(source_region="local"), [textile])
        self.assertEqual(self.names(park="textile"), [textile])
        self.assertEqual(self.names(band="1-5"), [drone])
        self.assertEqual(self.names(band="0-0.1"), [textile])
        self.assertEqual(self.names(band="10-"), [])
        self.assertEqual(self.names(event=self.expo.pk), [drone])
        self.assertEqual(self.names(official="李"), [textile])
        self.assertEqual(self.names(q="丝路棉业"), [textile])
        self.assertEqual(self.names(q=self.fresh.code), ["今日新线索"])
        self.assertEqual(self.names(duplicate="flagged"), ["中天智控无人机装备制造项目"])

    def test_light_filter_agrees_with_each_projects_light(self):
        self.assertEqual(self.names(light="green"), ["今日新线索"])
        seen = []
        for light in Light.values:
            response = self.login(self.admin).get(reverse("projects:ledger"), {"light": light})
            for project in response.context["projects"]:
                self.assertEqual(project.light(), light, project.name)
                seen.append(project.pk)
        self.assertEqual(sorted(seen), sorted(Project.objects.values_list("pk", flat=True)))

    def test_a_bad_filter_value_is_named_and_the_others_still_apply(self):
        response = self.login(self.admin).get(
            reverse("projects:ledger"), {"band": "huge", "stage": "signed", "sort": "-amount"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "协议投资:")
        self.assertEqual([p.name for p in response.context["projects"]], ["无人机装备制造项目"])
        self.assertEqual(response.context["totals"]["funds_yi"], Decimal("0.5"))

    def test_sorted_by_amount_with_blanks_last(self):
        names = self.names(sort="-amount")
        self.assertEqual(names[:2], ["无人机装备制造项目", "高端棉纺织项目"])
        self.assertEqual(self.names(sort="amount")[:2], ["高端棉纺织项目", "无人机装备制造项目"])
        self.assertEqual(self.names(sort="-signed")[0], "无人机装备制造项目")

    def test_totals_cover_the_whole_filtered_set(self):
        response = self.login(self.admin).get(reverse("projects:ledger"))
        totals = response.context["totals"]
        self.assertEqual(totals["n"], 5)
        self.assertEqual(totals["agreed_yi"], Decimal("1.58"))  # 15000 + 800 万元
        self.assertEqual(totals["funds_yi"], Decimal("0.5"))
        self.assertContains(
            response, "<b>5</b> 个项目,协议总投资 <b>1.58</b> 亿元,累计到位资金 <b>0.50</b> 亿元"
        )
        filtered = self.login(self.admin).get(reverse("projects:ledger"), {"park": "textile"})
        self.assertEqual(filtered.context["totals"]["n"], 1)
        self.assertEqual(filtered.context["totals"]["funds_yi"], Decimal(0))

    def test_funds_total_agrees_with_the_visible_projects_funds(self):
        # funds on a confidential project and in the other zone: the zone-wide sum must leave out what
        # the user may not see
        secret = self.sign(self.secret, amount="9000", contract_no="KS-2024-077")
        services.record_funds(
            actor=self.admin,
            project=secret,
            on=D(2024, 7, 1),
            amount_wan="700",
            evidence="bank",
            source=ChangeSource.WEB,
        )
        theirs = services.create_project(
            actor=self.other_admin,
            zone=self.other,
            data={"name": "另区项目", "investor_name": "另区投资有限公司", "lead_on": D(2024, 3, 1)},
            source=ChangeSource.WEB,
        )
        FundsRecord.objects.create(  # as a lead cannot have funds, written here directly, counter too
            zone=self.other,
            project=theirs,
            on=D(2024, 7, 1),
            amount=333,
            evidence="bank",
            source_region="local",
        )
        Project.objects.filter(pk=theirs.pk).update(funds_in_place=333)
        cases = {
            self.admin: Decimal("5700"),
            self.reviewer: Decimal("5000"),
            self.regional: Decimal("5333"),
            self.other_admin: Decimal("333"),
        }
        broad_filters = (
            {"zone": "kashgar"},
            {"light": "red"},
            {"stage": "signed"},
            {"sort": "-amount"},
            {"q": ""},
        )
        for user, expected in cases.items():
            for params in broad_filters:
                response = self.login(user).get(reverse("projects:ledger"), params)
                shown = [p.pk for p in response.context["projects"]]
                funds = FundsRecord.objects.filter(project__in=shown)
                naive = sum((f.amount for f in funds), Decimal(0))
                self.assertEqual(response.context["totals"]["funds_yi"] * 10000, naive, (user, params))
            self.assertEqual(naive, expected, user)  # the last case is the user's whole ledger
        # A reporter gets the refusal page, not a ledger (and so no sum either).
        self.assertEqual(self.login(self.reporter_a).get(reverse("projects:ledger")).status_code, 403)

    def test_rows_show_the_page_projects_cumulative_funds(self):
        response = self.login(self.admin).get(reverse("projects:ledger"), {"stage": "signed"})
        (drone,) = response.context["projects"]
        self.assertEqual(drone.funds_total, Decimal("5000"))

    def test_export_round_trip_follows_the_columns(self):
        client = self.login(self.admin)
        response = client.get(reverse("projects:ledger"), {"stage": "signed", "export": "csv"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response["Content-Disposition"])
        table = read_table(response.content, "ledger.csv", max_bytes=10**7)
        self.assertEqual(table.headers, HEADERS)
        self.assertEqual(len(table.rows), 1)
        row = table.rows[0]
        self.assertEqual(row["项目编号"], self.drone.code)
        self.assertEqual(row["阶段"], "签约")
        self.assertEqual(row["资金来源地"], "省外(区外)")
        self.assertEqual(row["签约日期"], "2024-06-26")
        self.assertEqual(row["签约活动"], self.expo.name)
        self.assertEqual(row["协议总投资(万元)"], "15000")
        self.assertEqual(row["累计到位资金(万元)"], "5000")
        self.assertEqual(row["功能区代码"], "energy")
        self.assertEqual(row["保密"], "否")
        xlsx = client.get(reverse("projects:ledger"), {"export": "xlsx"})
        table = read_table(xlsx.content, "ledger.xlsx", max_bytes=10**7)
        self.assertEqual(table.headers, HEADERS)
        self.assertEqual(len(table.rows), 5)

    def test_export_refuses_an_unknown_format(self):
        response = self.login(self.admin).get(reverse("projects:ledger"), {"export": "pdf"})
        self.assertEqual(response.status_code, 404)

    def test_list_reads_a_fixed_number_of_queries_however_many_rows(self):
        client = self.login(self.admin)
        client.get(reverse("projects:ledger"))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("projects:ledger"))
        for i in range(60):
            project = self.lead(name=f"批量项目{i:02d}", investor=f"批量投资方{i:02d}有限公司")
            FundsRecord.objects.create(
                zone=self.kashgar,
                project=project,
                on=D(2024, 7, 1),
                amount=1,
                evidence="bank",
                source_region="local",
            )
            Project.objects.filter(pk=project.pk).update(funds_in_place=1)
        with CaptureQueriesContext(connection) as many:
            response = client.get(reverse("projects:ledger"), {"page": 1})
        self.assertEqual(len(response.context["projects"]), 50)
        self.assertEqual(response.context["totals"]["n"], 65)
        # session, user, scope, scope zones; totals (with the funds counter), the page's ids, its rows;
        # stages, zones, parks, events, sections for the filters; may-add; unread notifications; the
        # user's saved columns
        self.assertEqual(len(few), 15)
        self.assertEqual(len(many), 15)
        with self.assertNumQueries(15):
            last = client.get(reverse("projects:ledger"), {"page": "last"})
        self.assertEqual((last.context["page"].number, len(last.context["projects"])), (2, 15))


class WhoSeesWhatTests(LedgerData):
    def test_reporter_is_refused_every_projects_page(self):
        client = self.login(self.reporter_a)
        for response in (
            client.get(reverse("projects:ledger")),
            client.get(reverse("projects:kanban")),
            client.get(reverse("projects:project_detail", args=[self.drone.pk])),
            client.get(reverse("projects:ledger"), {"export": "csv"}),
        ):
            self.assertContains(response, "企业填报账号只能查看和填报本企业的报表", status_code=403)
            self.assertNotContains(response, "无人机", status_code=403)

    def test_confidential_projects_are_hidden_from_the_economy_department(self):
        self.assertIn("保密谈判项目", self.names(self.admin))
        self.assertNotIn("保密谈判项目", self.names(self.reviewer))
        client = self.login(self.reviewer)
        self.assertEqual(
            client.get(reverse("projects:project_detail", args=[self.secret.pk])).status_code, 404
        )
        self.assertNotContains(client.get(reverse("projects:kanban")), "保密谈判项目")
        response = client.get(reverse("projects:ledger"))
        self.assertEqual(response.context["totals"]["n"], 4)

    def test_multi_zone_user_picks_a_zone(self):
        services.create_project(
            actor=self.other_admin,
            zone=self.other,
            data={"name": "另区项目", "investor_name": "另区投资有限公司", "lead_on": D(2024, 3, 1)},
            source=ChangeSource.WEB,
        )
        response = self.login(self.regional).get(reverse("projects:ledger"))
        self.assertContains(response, '<select name="zone">')
        self.assertEqual(response.context["totals"]["n"], 5)  # 4 of kashgar (not the confidential one) + 1
        self.assertEqual(self.names(self.regional, zone="other"), ["另区项目"])
        self.assertNotContains(self.login(self.admin).get(reverse("projects:ledger")), '<select name="zone">')

    def test_other_zones_admin_sees_none_of_kashgar(self):
        self.assertEqual(self.names(self.other_admin), [])
        response = self.login(self.other_admin).get(reverse("projects:project_detail", args=[self.drone.pk]))
        self.assertEqual(response.status_code, 404)

    def test_leader_reads_but_sees_no_forms_and_cannot_post(self):
        client = self.login(self.leader)
        self.assertIn("无人机装备制造项目", self.names(self.leader))
        page = client.get(reverse("projects:project_detail", args=[self.drone.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'method="post" action="/projects/')
        self.assertNotContains(page, "编辑基本信息")
        kanban = client.get(reverse("projects:kanban"))
        self.assertNotContains(kanban, 'name="to_stage"')
        self.assertFalse(kanban.context["can_move"])
        pk = self.drone.pk
        funds = FundsRecord.objects.get(project=self.drone)
        posts = [
            (
                reverse("projects:project_funds", args=[pk]),
                {"on": "2024-08-01", "amount": "10", "evidence": "bank"},
            ),
            (reverse("projects:project_move", args=[pk]), {"to_stage": "land"}),
            (reverse("projects:project_advance", args=[pk]), {"to_stage": "land"}),
            (
                reverse("projects:project_problem", args=[pk]),
                {"title": "x", "owner": "y", "due_on": "2024-09-01"},
            ),
            (reverse("projects:funds_delete", args=[funds.pk]), {"reason": "x"}),
            (reverse("projects:project_edit", args=[pk]), {"name": "改名"}),
        ]
        for url, data in posts:
            self.assertIn(client.post(url, data).status_code, (403, 404), url)
        self.assertEqual(client.get(reverse("projects:project_create")).status_code, 403)
        self.drone.refresh_from_db()
        self.assertEqual((self.drone.stage.code, self.drone.name), ("signed", "无人机装备制造项目"))
        self.assertEqual(FundsRecord.objects.filter(project=self.drone).count(), 1)
        self.assertFalse(Problem.objects.exists())


class KanbanTests(LedgerData):
    def move(self, project, user=None, htmx=False, **data):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        return self.login(user or self.admin).post(
            reverse("projects:project_move", args=[project.pk]),
            {"version": project.version, "next": reverse("projects:kanban"), **data},
            **headers,
        )

    def talks(self, project=None):
        return services.advance_stage(
            actor=self.admin,
            project=project or self.secret,
            to_stage="talks",
            data={"talks_on": D(2024, 4, 1), "industry": "3841"},
            source=ChangeSource.WEB,
        )

    def test_columns_count_and_sum_the_filtered_set(self):
        response = self.login(self.admin).get(reverse("projects:kanban"))
        columns = {c["stage"].code: c for c in response.context["columns"]}
        self.assertEqual(list(columns), ["lead", "talks", "signed", "land", "started", "producing", "full"])
        self.assertEqual(columns["lead"]["count"], 4)
        self.assertEqual(columns["lead"]["amount_yi"], Decimal("0.08"))
        self.assertEqual(columns["signed"]["count"], 1)
        self.assertEqual(columns["signed"]["amount_yi"], Decimal("1.5"))
        self.assertContains(response, 'data-stage="signed"')
        self.assertContains(response, f'data-project="{self.drone.pk}"')
        self.assertContains(response, "全部 4 个 →")
        filtered = self.login(self.admin).get(reverse("projects:kanban"), {"park": "textile"})
        self.assertEqual([c["count"] for c in filtered.context["columns"]], [1, 0, 0, 0, 0, 0, 0])

    def test_kanban_reads_a_fixed_number_of_queries(self):
        client = self.login(self.admin)
        client.get(reverse("projects:kanban"))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("projects:kanban"))
        for i in range(40):
            self.lead(name=f"看板项目{i:02d}", investor=f"看板投资方{i:02d}有限公司")
        with CaptureQueriesContext(connection) as many:
            response = client.get(reverse("projects:kanban"))
        # the shell's 4 and the filters' 6, stages, counts by stage, the ids of each column that has
        # cards (lead and signed here), the cards
        self.assertEqual((len(few), len(many)), (15, 15))
        lead = response.context["columns"][0]
        self.assertEqual((lead["count"], len(lead["cards"]), lead["more"]), (44, 30, True))

    def test_move_to_signed_asks_for_the_signing_fields_then_moves(self):
        project = self.talks()
        response = self.move(project, to_stage="signed")
        self.assertEqual(response.status_code, 200)
        form = response.context["move"].form
        self.assertEqual(set(form.errors), {"signed_on", "agreed_investment", "contract_no"})
        self.assertEqual(form.errors["signed_on"], ["进入“签约”须填写"])
        self.assertContains(response, 'name="signed_on"')
        self.assertContains(response, f'action="{reverse("projects:kanban")}" id="filters"')
        project.refresh_from_db()
        self.assertEqual(project.stage.code, "talks")

        response = self.move(
            project,
            htmx=True,
            to_stage="signed",
            signed_on="2024-07-01",
            agreed_investment="12000",
            contract_no="KS-2024-009",
        )
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "projects/_kanban_body.html")
        self.assertContains(response, "已将“保密谈判项目”移至“签约”")
        project.refresh_from_db()
        self.assertEqual(project.stage.code, "signed")
        self.assertEqual((project.signed_on, project.agreed_investment), (D(2024, 7, 1), Decimal("12000")))
        self.assertEqual(project.contract_no, "KS-2024-009")

    def test_a_bad_value_is_named_and_nothing_moves(self):
        project = self.talks()
        response = self.move(
            project, to_stage="signed", signed_on="2024-07-01", agreed_investment="很多", contract_no="K-1"
        )
        self.assertEqual(response.context["move"].form.errors["agreed_investment"], ["“很多”不是数字"])
        project.refresh_from_db()
        self.assertEqual((project.stage.code, project.signed_on), ("talks", None))

    def test_without_js_a_move_redirects_back_to_the_filtered_board(self):
        project = self.fresh
        response = self.move(project, to_stage="talks", talks_on=TODAY.isoformat(), industry="3841")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], reverse("projects:kanban"))
        project.refresh_from_db()
        self.assertEqual(project.stage.code, "talks")

    def test_stale_version_is_refused_with_the_message(self):
        project = self.textile
        seen = project.version
        self.talks(project)
        response = self.move(project, to_stage="talks", version=seen, talks_on="2024-04-02")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "该项目刚被他人修改(现处于“在谈”阶段,操作人 admin),请刷新后再操作")
        project.refresh_from_db()
        self.assertEqual((project.stage.code, project.talks_on), ("talks", D(2024, 4, 1)))
        self.assertEqual(response.context["move"].project.version, project.version)

    def test_moving_back_needs_a_reason(self):
        response = self.move(self.drone, to_stage="talks")
        self.assertEqual(response.context["move"].form.errors["note"], ["退回上一阶段须说明原因"])
        self.drone.refresh_from_db()
        self.assertEqual(self.drone.stage.code, "signed")
        response = self.move(self.drone, to_stage="talks", note="投资方要求重新洽谈")
        self.assertEqual(response.status_code, 302)
        self.drone.refresh_from_db()
        self.assertEqual((self.drone.stage.code, self.drone.signed_on), ("talks", None))

    def test_a_huge_amount_needs_confirming(self):
        project = self.talks()
        fields = {
            "to_stage": "signed",
            "signed_on": "2024-07-01",
            "agreed_investment": "20000000",
            "contract_no": "K",
        }
        response = self.move(project, **fields)
        self.assertContains(response, 'name="confirm"')
        self.assertIn("超过 1000 亿元", response.context["move"].form.errors["confirm"][0])
        project.refresh_from_db()
        self.assertEqual(project.stage.code, "talks")
        self.assertEqual(self.move(project, confirm="on", **fields).status_code, 302)
        project.refresh_from_db()
        self.assertEqual(project.agreed_investment, Decimal("20000000"))


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="jushi-test-media-"))
class ProjectPageTests(LedgerData):
    @classmethod
    def tearDownClass(cls):
        from django.conf import settings

        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
        super().tearDownClass()

    def url(self, name, pk=None):
        return reverse(f"projects:{name}", args=[pk or self.drone.pk])

    def post(self, name, data, pk=None, **extra):
        return self.login(self.admin).post(self.url(name, pk), data, **extra)

    def test_page_shows_the_project(self):
        response = self.login(self.admin).get(self.url("project_detail"))
        self.assertEqual(response.status_code, 200)
        for text in (
            "无人机装备制造项目",
            self.drone.code,
            "中天智控科技控股股份有限公司",
            "登记线索",
            "签约",
        ):
            self.assertContains(response, text)
        self.assertEqual(response.context["funds_summary"]["rate"], Decimal("33.3"))  # 5000 / 15000
        self.assertContains(response, 'id="problems"')

    def test_funds_beyond_agreed_investment_are_refused_with_the_message(self):
        response = self.post(
            "project_funds",
            {"on": "2024-08-01", "amount": "10001", "evidence": "bank", "source_region": "province"},
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["funds_form"].errors["amount"]
        self.assertEqual(
            errors,
            [
                "到 2024-08-01 累计到位资金将达 15,001.00 万元,超过当时的协议总投资 15,000.00 万元;请先登记合同变更"
            ],
        )
        self.assertContains(response, "请先登记合同变更")
        self.assertEqual(FundsRecord.objects.filter(project=self.drone).count(), 1)

    def test_funds_recorded_then_deleted_with_a_reason(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post(
                "project_funds",
                {"on": "2024-08-01", "amount": "2500", "evidence": "invoice", "source_region": "abroad"},
            )
        self.assertRedirects(response, self.url("project_detail") + "#funds", fetch_redirect_response=False)
        funds = FundsRecord.objects.get(project=self.drone, on=D(2024, 8, 1))
        self.assertEqual((funds.amount, funds.grade, funds.source_region), (Decimal("2500"), "C", "abroad"))
        page = self.login(self.admin).get(self.url("project_detail"))
        self.assertEqual(page.context["funds_summary"]["total"], Decimal("7500"))
        self.assertEqual(page.context["funds_summary"]["rate"], Decimal("50.0"))
        refused = self.post("funds_delete", {"reason": ""}, pk=funds.pk)
        self.assertEqual(refused.status_code, 200)
        self.assertTrue(refused.context["bound"]["delete"].errors)
        self.assertTrue(FundsRecord.objects.filter(pk=funds.pk).exists())
        with self.captureOnCommitCallbacks(execute=True):
            done = self.post("funds_delete", {"reason": "重复录入", "confirmed": "1"}, pk=funds.pk)
        self.assertEqual(done.status_code, 302)
        self.assertFalse(FundsRecord.objects.filter(pk=funds.pk).exists())

    def test_contract_change_raises_the_agreed_investment(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post(
                "project_contract",
                {"effective_on": "2024-09-01", "new_investment": "20000", "reason": "二期扩建"},
            )
        self.assertEqual(response.status_code, 302)
        self.drone.refresh_from_db()
        self.assertEqual(self.drone.agreed_investment, Decimal("20000"))
        self.assertEqual(ContractChange.objects.get(project=self.drone).old_investment, Decimal("15000"))
        refused = self.post(
            "project_contract", {"effective_on": "2024-09-02", "new_investment": "4000", "reason": "缩减"}
        )
        self.assertEqual(
            refused.context["contract_form"].errors["new_investment"],
            ["不能低于已到位资金:到 2024-09-02 已到位 5,000.00 万元,变更后当时的协议投资只有 4,000.00 万元"],
        )

    def test_problem_past_its_due_date_shows_red(self):
        response = self.post(
            "project_problem",
            {
                "title": "施工用电未接入",
                "owner": "张三",
                "owner_unit": "供电公司",
                "raised_on": "2024-07-01",
                "due_on": "2024-08-01",
            },
        )
        self.assertRedirects(
            response, self.url("project_detail") + "#problems", fetch_redirect_response=False
        )
        problem = Problem.objects.get(project=self.drone)
        self.assertEqual(problem.light(), Light.RED)
        page = self.login(self.admin).get(self.url("project_detail"))
        self.assertContains(page, f'<tr class="light-red" data-problem="{problem.pk}">')
        self.assertContains(page, "逾期")
        services.escalate_overdue(actor=self.admin, today=D(2024, 8, 20), source=ChangeSource.CLI)
        problem.refresh_from_db()
        self.assertEqual(problem.get_escalation_display(), "领导督办")
        self.assertContains(
            self.login(self.admin).get(self.url("project_detail")), '<span class="badge bad">领导督办</span>'
        )
        refused = self.post(
            "project_problem", {"title": "x", "owner": "y", "raised_on": "2024-07-01", "due_on": "2024-06-01"}
        )
        self.assertEqual(refused.context["problem_form"].errors["due_on"], ["限期不能早于提出日期"])
        resolved = self.post("problem_resolve", {"resolution": "已接入临时用电"}, pk=problem.pk)
        self.assertEqual(resolved.status_code, 302)
        problem.refresh_from_db()
        self.assertEqual(problem.status, ProblemStatus.RESOLVED)

    def test_milestones_and_monthly_investment(self):
        response = self.post("project_milestone", {"name": "主体封顶", "planned_on": "2024-09-30"})
        self.assertEqual(response.status_code, 302)
        milestone = Milestone.objects.get(project=self.drone)
        self.assertEqual(
            self.post("milestone_done", {"actual_on": "2024-10-05"}, pk=milestone.pk).status_code, 302
        )
        milestone.refresh_from_db()
        self.assertEqual((milestone.actual_on, milestone.days_late()), (D(2024, 10, 5), 5))
        refused = self.post("project_monthly", {"month": "2024-13", "planned": "100"})
        self.assertEqual(refused.context["monthly_form"].errors["month"], ["“2024-13”不是月份(格式 2024-03)"])
        self.assertEqual(
            self.post("project_monthly", {"month": "2024-07", "planned": "800", "actual": "600"}).status_code,
            302,
        )
        row = MonthlyInvestment.objects.get(project=self.drone, month="2024-07")
        self.assertEqual((row.planned, row.actual), (Decimal("800"), Decimal("600")))
        page = self.login(self.admin).get(self.url("project_detail"))
        self.assertEqual(page.context["monthly"][0].rate, Decimal("75.0"))

    def test_attachment_of_the_wrong_type_is_refused(self):
        fake = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        response = self.post("project_attachment", {"kind": "contract", "file": fake})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["attachment_form"].errors["file"], ["文件内容不是 .pdf 格式"])
        exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")
        response = self.post("project_attachment", {"kind": "contract", "file": exe})
        self.assertIn("不支持“.exe”文件", response.context["attachment_form"].errors["file"][0])
        self.assertFalse(Attachment.objects.exists())

    def test_attachment_upload_and_permission_checked_download(self):
        upload = SimpleUploadedFile("投资合同.pdf", PDF, content_type="application/pdf")
        self.assertEqual(
            self.post("project_attachment", {"kind": "contract", "file": upload}).status_code, 302
        )
        attachment = Attachment.objects.get(project=self.drone)
        download = self.login(self.leader).get(reverse("projects:attachment_download", args=[attachment.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(b"".join(download.streaming_content), PDF)
        self.assertIn("attachment;", download["Content-Disposition"])
        for outsider, refused in ((self.reporter_a, 403), (self.other_admin, 404)):
            response = self.login(outsider).get(reverse("projects:attachment_download", args=[attachment.pk]))
            self.assertEqual(response.status_code, refused)
            self.assertNotIn("attachment;", response.get("Content-Disposition", ""))

    def test_advance_form_asks_for_the_land_fields(self):
        response = self.post("project_advance", {"to_stage": "land", "version": self.drone.version})
        self.assertEqual(response.status_code, 200)
        form = response.context["advance_form"]
        self.assertEqual(set(form.errors), {"land_on", "parcel", "land_mu"})
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post(
                "project_advance",
                {
                    "to_stage": "land",
                    "version": self.drone.version,
                    "land_on": "2024-08-01",
                    "parcel": "KS-12",
                    "land_mu": "120",
                },
            )
        self.assertEqual(response.status_code, 302)
        self.drone.refresh_from_db()
        self.assertEqual((self.drone.stage.code, self.drone.parcel), ("land", "KS-12"))

    def test_advance_form_fields_follow_the_chosen_stage(self):
        response = self.login(self.admin).get(
            self.url("project_advance", self.textile.pk), {"to_stage": "signed"}, HTTP_HX_REQUEST="true"
        )
        keys = {f.name for f in response.context["advance_form"].extra_fields()}
        self.assertEqual(keys, {"talks_on", "signed_on", "contract_no"})  # industry and amount are known

    def test_duplicate_banner_and_decision(self):
        page = self.login(self.admin).get(self.url("project_detail", self.copy.pk))
        self.assertContains(page, "疑似与")
        self.assertContains(page, f"合并到 {self.drone.code}")
        asked = self.post("project_duplicate", {"decision": "new"}, pk=self.copy.pk)
        self.assertTemplateUsed(asked, "core/confirm.html")  # asks first, saying what will change
        response = self.post("project_duplicate", {"decision": "new", "confirmed": "1"}, pk=self.copy.pk)
        self.assertEqual(response.status_code, 302)
        self.copy.refresh_from_db()
        self.assertEqual(self.copy.duplicate_status, "new")
        again = self.login(self.admin).get(self.url("project_detail", self.copy.pk))
        self.assertNotContains(again, "疑似与")

    def test_create_then_edit(self):
        client = self.login(self.admin)
        bad = client.post(
            reverse("projects:project_create"),
            {
                "zone": "kashgar",
                "name": "光伏组件项目",
                "investor_name": "某光伏公司",
                "credit_code": "91653101000000000X",
                "source_region": "province",
            },
        )
        self.assertEqual(bad.status_code, 200)
        self.assertIn("校验位错误", bad.context["form"].errors["credit_code"][0])
        self.assertFalse(Project.objects.filter(name="光伏组件项目").exists())
        response = client.post(
            reverse("projects:project_create"),
            {
                "zone": "kashgar",
                "name": "光伏组件项目",
                "investor_name": "某光伏公司",
                "credit_code": make_code(777),
                "source_region": "province",
                "industry": "3841",
                "park": "energy",
                "agreed_investment": "30000",
                "lead_on": "2024-05-01",
            },
        )
        project = Project.objects.get(name="光伏组件项目")
        self.assertRedirects(
            response, reverse("projects:project_detail", args=[project.pk]), fetch_redirect_response=False
        )
        self.assertEqual(
            (project.stage.code, project.park, project.agreed_investment),
            ("lead", self.energy, Decimal("30000")),
        )
        edit = client.get(reverse("projects:project_edit", args=[project.pk]))
        self.assertEqual(edit.context["form"]["agreed_investment"].value(), "30000")
        response = client.post(
            reverse("projects:project_edit", args=[project.pk]),
            {
                "name": "光伏组件项目",
                "investor_name": "某光伏公司",
                "credit_code": make_code(777),
                "source_region": "province",
                "industry": "9999",
            },
        )
        self.assertEqual(response.context["form"].errors["industry"], ["未知的行业代码“9999”"])

    def test_signed_projects_agreed_investment_is_not_edited_directly(self):
        form = self.login(self.admin).get(self.url("project_edit")).context["form"]
        self.assertTrue(form.fields["agreed_investment"].disabled)
