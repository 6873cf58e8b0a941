"""Signing events, the key-project schedule, the problem board and pipeline analytics, on a small ledger
built through the services: exact figures, duplicates counted once, scoping."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from jushi.core.choices import ChangeSource
from jushi.indicators.models import Indicator, Target

from .. import services
from ..models import Event
from .base import D, LedgerTestCase

WEB = ChangeSource.WEB
PAGES = [
    ("projects:event_list", []),
    ("projects:schedule", []),
    ("projects:problem_board", []),
    ("projects:analytics", []),
]


class PipelineBase(LedgerTestCase):
    """2025: P1 (2 亿元) and P2 (1 亿元) signed, P1 started; P3 a lead without an amount; P4 the same
    signing as P2 entered again (flagged, never counted). Funds A 0.5, C 0.1, D 0.2 亿元. This year: Q1
    signed 1 亿元, Q2 in talks at 5 亿元, Q3 a lead at 2 亿元. The other zone has a project too."""

    def setUp(self):
        self.today = timezone.localdate()
        year = self.today.year
        with self.captureOnCommitCallbacks(execute=True):
            self.p1 = self.sign(
                self.lead("无人机装备制造项目", "中天智控科技控股股份有限公司", lead_on=D(2025, 1, 10)),
                on=D(2025, 3, 1),
                amount="20000",
                talks_on=D(2025, 2, 1),
                park="energy",
                official="王副主任",
                unit="招商局",
            )
            self.p1 = services.advance_stage(
                actor=self.admin,
                project=self.p1,
                to_stage="started",
                data={
                    "land_on": D(2025, 4, 1),
                    "parcel": "KS-01",
                    "land_mu": "120",
                    "started_on": D(2025, 6, 1),
                },
                source=WEB,
            )
            self.p2 = self.sign(
                self.lead("光伏组件项目", "晶澳新能源有限公司", lead_on=D(2025, 1, 15)),
                on=D(2025, 5, 1),
                amount="10000",
                talks_on=D(2025, 2, 15),
                park="textile",
                official="李主任",
                contract_no="KS-2025-002",
            )
            self.p3 = self.lead("纺纱项目", "喀什棉纺有限公司", lead_on=D(2025, 2, 1))
            self.p4 = self.sign(
                self.lead("光伏组件项目", "晶澳新能源有限公司", lead_on=D(2025, 1, 16)),
                on=D(2025, 5, 2),
                amount="10000",
                talks_on=D(2025, 2, 16),
                contract_no="KS-2025-003",
            )
            for project, on, amount, evidence in (
                (self.p1, D(2025, 7, 1), "5000", "bank"),
                (self.p1, D(2025, 8, 1), "2000", "self"),
                (self.p2, D(2025, 6, 1), "1000", "invoice"),
            ):
                services.record_funds(
                    actor=self.admin, project=project, on=on, amount_wan=amount, evidence=evidence, source=WEB
                )
            jan = D(year, 1, 1)
            self.q1 = self.sign(
                self.lead("储能电池项目", "宁德储能科技有限公司", lead_on=jan),
                on=jan,
                amount="10000",
                talks_on=jan,
                contract_no="KS-NOW-001",
            )
            self.q2 = services.advance_stage(
                actor=self.admin,
                project=self.lead("硅材料项目", "合盛硅业有限公司", lead_on=jan, agreed_investment="50000"),
                to_stage="talks",
                data={"talks_on": jan, "industry": "3841"},
                source=WEB,
            )
            self.q3 = self.lead("数据中心项目", "秦淮数据有限公司", lead_on=jan, agreed_investment="20000")
            self.elsewhere = services.create_project(
                actor=self.other_admin,
                zone=self.other,
                data={"name": "外区机密项目", "investor_name": "外区投资有限公司", "lead_on": D(2025, 1, 5)},
                source=WEB,
            )

    def target(self, code, year, value):
        Target.objects.create(
            zone=self.kashgar, indicator=Indicator.objects.get(code=code), year=year, value=Decimal(value)
        )


class AnalyticsPageTests(PipelineBase):
    def get(self, **params):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("projects:analytics"), params)
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_duplicate_is_flagged_and_left_out(self):
        self.assertEqual(self.p4.duplicate_status, "flagged")

    def test_conversion_of_a_years_signings_exactly(self):
        self.target("INV_SIGN_AMT", 2025, "6")
        self.target("INV_FUND", 2025, "1.2")
        response = self.get(year="2025")
        c = response.context
        self.assertEqual((c["cohort"]["signed"], c["cohort"]["started"], c["cohort"]["producing"]), (2, 1, 0))
        self.assertEqual(c["signed_yi"], Decimal("3"))
        self.assertEqual(
            {k: str(v) for k, v in c["rates"].items()},
            {"start": "50.0", "produce": "0.0", "sign": "66.7", "funds": "20.0"},
        )
        self.assertContains(
            response, '<div class="value" data-figure="start-rate">50.0<span class="unit">%</span>'
        )
        # funds dated in 2025 by grade; D (self-reported) shown, not counted
        grades = {g["grade"]: (g["amount_yi"], g["counted"]) for g in c["grades"]}
        self.assertEqual(
            grades,
            {
                "A": (Decimal("0.5"), True),
                "B": (Decimal(0), True),
                "C": (Decimal("0.1"), True),
                "D": (Decimal("0.2"), False),
            },
        )
        self.assertEqual(c["funds_ytd_yi"], Decimal("0.6"))
        # a past year: the forecast is what was signed; time progress is the whole year
        self.assertEqual(c["forecast_yi"], Decimal("3"))
        self.assertEqual(c["sign_target"]["pct"], Decimal("50.0"))
        self.assertEqual(c["funds_target"]["text"], "完成年度目标的50.0%,低于时序进度50.0个百分点")
        self.assertEqual(c["funds_target"]["status"], "red")
        self.assertContains(response, "完成年度目标的50.0%,低于时序进度50.0个百分点")

    def test_funnel_counts_each_project_once_by_current_stage(self):
        funnel = self.get().context["funnel"]
        now = {row["stage"].code: (row["n"], row["amount_yi"], row["reached"]) for row in funnel}
        self.assertEqual(
            now,
            {
                "lead": (2, Decimal(2), 6),  # P3 (no amount) and Q3; six projects, P4 not counted
                "talks": (1, Decimal(5), 4),
                "signed": (2, Decimal(2), 3),  # P2 and Q1
                "land": (0, Decimal(0), 1),
                "started": (1, Decimal(2), 1),
                "producing": (0, Decimal(0), 0),
                "full": (0, Decimal(0), 0),
            },
        )
        self.assertEqual([row["step"] for row in funnel[:3]], [None, Decimal("66.7"), Decimal("75.0")])

    def test_time_in_stage_from_the_years_completed_stays(self):
        stay = {s["stage"].code: s for s in self.get(year="2025").context["stay"]}
        # stays begun in 2025 and over: leads P1 22 days, P2 31 days (P4, the duplicate, is not counted)
        lead = stay["lead"]
        self.assertEqual((lead["stays"], lead["mean"], lead["median"]), (2, Decimal("26.5"), Decimal("26.5")))
        talks = stay["talks"]  # P1 28 days, P2 75 days
        self.assertEqual(
            (talks["stays"], talks["mean"], talks["median"]), (2, Decimal("51.5"), Decimal("51.5"))
        )
        self.assertEqual((stay["signed"]["stays"], stay["signed"]["median"]), (1, Decimal(31)))  # P1 to 摘牌
        self.assertEqual((stay["land"]["stays"], stay["land"]["median"]), (1, Decimal(61)))
        self.assertEqual((stay["started"]["stays"], stay["started"]["mean"]), (0, None))  # P1 still there
        self.assertEqual(lead["now"], 2)
        self.assertGreaterEqual(lead["over"], 1)  # P3 has been a lead for far more than 3 days
        # this year: Q1 and Q2 left the lead stage the day they came in
        now = {s["stage"].code: s for s in self.get().context["stay"]}
        self.assertEqual((now["lead"]["stays"], now["lead"]["median"]), (2, Decimal(0)))

    def test_weighted_forecast_this_year_against_the_target(self):
        year = self.today.year
        response = self.get(year=str(year))
        c = response.context
        # signed 1 亿元 + talks 5 亿元 × 0.30 + lead 2 亿元 × 0.10 = 2.7 亿元; "未设目标" without a target
        self.assertEqual(c["forecast_yi"], Decimal("2.7"))
        self.assertIsNone(c["sign_target"])
        self.assertContains(response, "未设目标")
        self.target("INV_SIGN_AMT", year, "5")
        c = self.get(year=str(year)).context
        self.assertEqual(
            (c["sign_target"]["forecast_pct"], c["sign_target"]["gap_yi"]), (Decimal("54.0"), Decimal("2.3"))
        )

    def test_default_year_is_the_latest_with_signings_and_a_bad_year_is_named(self):
        self.assertEqual(self.get().context["year"], self.today.year)
        response = self.get(year="1990")
        self.assertEqual(response.context["year"], self.today.year)
        self.assertContains(response, "年度“1990”无效")

    def test_the_page_takes_a_fixed_number_of_queries(self):
        self.client.force_login(self.admin)
        self.client.get(reverse("projects:analytics"))
        # session, user, scope, scope zones, zones, last and first signing, stages, funnel, cohort,
        # cohort funds, grades, targets, stays, + the shell's unread notifications
        with self.assertNumQueries(15):
            self.client.get(reverse("projects:analytics"), {"year": "2025"})


class EventPageTests(PipelineBase):
    def setUp(self):
        super().setUp()
        with self.captureOnCommitCallbacks(execute=True):
            self.e1 = self.sign(
                self.lead("锂电池隔膜项目", "恩捷新材料有限公司", lead_on=D(2024, 3, 1)),
                event=self.expo.pk,
                contract_no="KS-2024-010",
            )
            self.e2 = self.sign(
                self.lead("锂电池隔膜项目", "恩捷新材料有限公司", lead_on=D(2024, 3, 2)),
                event=self.expo.pk,
                contract_no="KS-2024-011",
            )

    def test_event_totals_count_a_flagged_duplicate_once(self):
        self.assertEqual(self.e2.duplicate_status, "flagged")
        self.client.force_login(self.admin)
        response = self.client.get(reverse("projects:event_detail", args=[self.expo.pk]))
        self.assertEqual((response.context["counted_n"], response.context["total_yi"]), (1, Decimal("1.5")))
        self.assertEqual([p.pk for p in response.context["rows"]], [self.e1.pk, self.e2.pk])
        self.assertContains(response, "疑似重复,待确认:" + self.e1.code + ",不计入合计")
        listing = self.client.get(reverse("projects:event_list"))
        row = next(e for e in listing.context["page"] if e.pk == self.expo.pk)
        self.assertEqual((row.signed_n, row.signed_yi, row.doubtful_n), (1, Decimal("1.5"), 1))

    def test_staff_register_an_event_and_bad_input_names_the_field(self):
        self.client.force_login(self.admin)
        url = reverse("projects:event_create")
        response = self.client.post(
            url, {"zone": self.kashgar.pk, "name": self.expo.name, "held_on": "2025-09-01"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "活动名称:已有同名的签约活动")
        response = self.client.post(
            url, {"zone": self.kashgar.pk, "name": "2025 喀交会", "held_on": "2025-13-01"}
        )
        self.assertContains(response, "举办日期:")
        self.assertFalse(Event.objects.filter(name="2025 喀交会").exists())
        response = self.client.post(
            url, {"zone": self.kashgar.pk, "name": "2025 喀交会", "held_on": "2025-09-01", "place": "喀什"}
        )
        event = Event.objects.get(name="2025 喀交会")
        self.assertRedirects(response, reverse("projects:event_detail", args=[event.pk]))
        self.assertEqual((event.zone, event.held_on, event.place), (self.kashgar, D(2025, 9, 1), "喀什"))

    def test_a_leader_may_read_events_but_not_register_one_nor_in_another_zone(self):
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(reverse("projects:event_list")).status_code, 200)
        self.assertEqual(self.client.get(reverse("projects:event_create")).status_code, 403)
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("projects:event_create"),
            {"zone": self.other.pk, "name": "外区推介会", "held_on": "2025-09-01"},
        )
        self.assertEqual(response.status_code, 200)  # the other zone is not a choice
        self.assertFalse(Event.objects.filter(name="外区推介会").exists())


class ScheduleAndProblemTests(PipelineBase):
    def setUp(self):
        super().setUp()
        year = self.today.year
        with self.captureOnCommitCallbacks(execute=True):
            services.set_monthly_investment(
                actor=self.admin,
                project=self.p1,
                month=f"{year}-01",
                planned="1000",
                actual="600",
                source=WEB,
            )
            services.add_milestone(
                actor=self.admin,
                project=self.p1,
                data={"name": "主体封顶", "planned_on": D(2025, 10, 1)},
                source=WEB,
            )

            def problem(project, title, due, raised=D(2025, 1, 1), unit="自然资源局"):
                return services.raise_problem(
                    actor=self.admin,
                    project=project,
                    data={
                        "title": title,
                        "owner": "张科长",
                        "owner_unit": unit,
                        "raised_on": raised,
                        "due_on": due,
                    },
                    source=WEB,
                )

            self.green = problem(self.p2, "供电线路迁改", self.today + dt.timedelta(days=30))
            self.amber = problem(self.p1, "环评批复", self.today + dt.timedelta(days=3), unit="生态环境局")
            self.red = problem(self.p1, "用地指标未落实", D(2025, 3, 1))
            self.done = problem(self.p2, "施工许可", D(2025, 3, 1))
            services.resolve_problem(
                actor=self.admin,
                problem=self.done,
                resolution="已办结",
                resolved_on=D(2025, 2, 20),
                source=WEB,
            )
            self.far = services.raise_problem(
                actor=self.other_admin,
                project=self.elsewhere,
                data={
                    "title": "外区问题",
                    "owner": "赵",
                    "raised_on": D(2025, 1, 1),
                    "due_on": D(2025, 2, 1),
                },
                source=WEB,
            )

    def test_problem_board_puts_red_first_and_shows_a_past_due_problem_red(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("projects:problem_board"))
        self.assertEqual(
            [p.pk for p in response.context["page"]], [self.red.pk, self.amber.pk, self.green.pk]
        )
        self.assertEqual(response.context["counts"], {"red": 1, "amber": 1, "green": 1})
        overdue = (self.today - D(2025, 3, 1)).days
        self.assertEqual(response.context["page"][0].overdue_days, overdue)
        self.assertContains(response, f'<tr class="light-red" data-problem="{self.red.pk}">')
        self.assertContains(response, f'<tr class="light-amber" data-problem="{self.amber.pk}">')
        self.assertContains(response, f'data-resolved="{self.done.pk}"')
        self.assertNotContains(response, "外区问题")

    def test_problem_board_filters_by_light_and_unit_and_names_a_bad_filter(self):
        self.client.force_login(self.admin)
        url = reverse("projects:problem_board")
        self.assertEqual(
            [p.pk for p in self.client.get(url, {"light": "red"}).context["page"]], [self.red.pk]
        )
        by_unit = self.client.get(url, {"unit": "生态环境局"})
        self.assertEqual([p.pk for p in by_unit.context["page"]], [self.amber.pk])
        self.assertEqual(by_unit.context["counts"], {"red": 0, "amber": 1, "green": 0})
        self.assertContains(self.client.get(url, {"unit": "无此单位"}), "责任单位“无此单位”没有未解决的问题")
        bad = self.client.get(url, {"light": "purple"})
        self.assertContains(bad, "灯色“purple”无效")
        self.assertEqual(len(bad.context["page"]), 3)
        partial = self.client.get(url, {"light": "amber"}, headers={"HX-Request": "true"})
        self.assertTemplateNotUsed(partial, "base.html")
        self.assertContains(partial, f'data-problem="{self.amber.pk}"')

    def test_list_pages_take_a_fixed_number_of_queries(self):
        # session, user, scope, scope zones, zones … + the shell's unread notifications; the same with
        # more rows on the page
        pages = (("projects:problem_board", 12), ("projects:schedule", 14), ("projects:event_list", 10))
        self.client.force_login(self.admin)
        for name, queries in pages:
            self.client.get(reverse(name))
            with self.subTest(name), self.assertNumQueries(queries):
                self.client.get(reverse(name))
        with self.captureOnCommitCallbacks(execute=True):
            for i in range(3):
                services.raise_problem(
                    actor=self.admin,
                    project=self.p2,
                    data={
                        "title": f"问题{i}",
                        "owner": "王",
                        "raised_on": D(2025, 1, 1),
                        "due_on": D(2025, 4, i + 1),
                    },
                    source=WEB,
                )
            services.set_monthly_investment(
                actor=self.admin, project=self.p2, month=f"{self.today.year}-01", planned="500", source=WEB
            )
            services.create_event(
                actor=self.admin,
                zone=self.kashgar,
                data={"name": "秋季推介会", "held_on": D(2025, 9, 9)},
                source=WEB,
            )
        for name, queries in pages:
            with self.subTest(name), self.assertNumQueries(queries):
                self.client.get(reverse(name))

    def test_regional_user_sees_both_zones_problems(self):
        self.client.force_login(self.regional)
        rows = self.client.get(reverse("projects:problem_board")).context["page"]
        self.assertIn(self.far.pk, [p.pk for p in rows])
        self.assertEqual(rows[0].pk, self.far.pk)  # 2025-02-01 is the longest overdue

    def test_schedule_lists_key_projects_with_plan_actual_and_light(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("projects:schedule"))
        rows = {p.pk: p for p in response.context["page"]}
        self.assertEqual(set(rows), {self.p1.pk, self.p2.pk, self.q1.pk})  # not the lead, talks or duplicate
        p1 = rows[self.p1.pk]
        self.assertEqual(
            (p1.plan_to_date, p1.actual_to_date, p1.completion_pct),
            (Decimal(1000), Decimal(600), Decimal("60.0")),
        )
        self.assertEqual((p1.late_milestones, p1.open_problems, p1.overdue_problems), (1, 2, 1))
        self.assertEqual(p1.schedule_light, "red")
        self.assertEqual(response.context["summary"]["n"], 3)
        self.assertContains(response, f'<tr class="light-red" data-project="{self.p1.pk}">')
        by_park = self.client.get(reverse("projects:schedule"), {"park": "textile"}).context["page"]
        self.assertEqual([p.pk for p in by_park], [self.p2.pk])
        by_official = self.client.get(reverse("projects:schedule"), {"official": "王副主任"}).context["page"]
        self.assertEqual([p.pk for p in by_official], [self.p1.pk])
        self.assertContains(
            self.client.get(reverse("projects:schedule"), {"park": "nowhere"}), "功能区“nowhere”"
        )

    def test_project_schedule_shows_monthly_chart_milestones_and_problems(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("projects:schedule_project", args=[self.p1.pk]))
        self.assertEqual(response.status_code, 200)
        chart = response.context["chart"]
        self.assertEqual(
            (chart["planned"][0], chart["actual"][0], chart["actual_cum"][0]), (1000.0, 600.0, 600.0)
        )
        self.assertEqual(response.context["late_n"], 1)
        self.assertEqual([p.pk for p in response.context["problems"]], [self.red.pk, self.amber.pk])
        self.assertContains(response, 'id="monthly-data"')
        self.assertContains(response, "echarts.min.js")


class ScopeTests(PipelineBase):
    def test_a_reporter_gets_nothing(self):
        self.client.force_login(self.reporter_a)
        for name, args in [
            *PAGES,
            ("projects:event_detail", [self.expo.pk]),
            ("projects:schedule_project", [self.p1.pk]),
        ]:
            with self.subTest(name):
                self.assertEqual(self.client.get(reverse(name, args=args)).status_code, 403)

    def test_other_zones_data_never_appears(self):
        self.client.force_login(self.admin)
        outside = services.create_event(
            actor=self.other_admin,
            zone=self.other,
            data={"name": "外区推介会", "held_on": D(2025, 5, 5)},
            source=WEB,
        )
        self.assertEqual(
            self.client.get(reverse("projects:event_detail", args=[outside.pk])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("projects:schedule_project", args=[self.elsewhere.pk])).status_code, 404
        )
        self.assertNotContains(self.client.get(reverse("projects:event_list")), "外区推介会")
        response = self.client.get(reverse("projects:analytics"), {"zone": "other"})
        self.assertEqual(response.context["zone"], self.kashgar)
        self.assertContains(response, "开发区“other”不存在或不在您的权限范围内")
        self.assertEqual(sum(row["n"] for row in response.context["funnel"]), 6)  # kashgar's, counted once
        self.assertEqual(
            self.client.get(reverse("projects:schedule"), {"zone": "other"}).context["zone"], self.kashgar
        )

    def test_a_confidential_project_counts_in_the_totals_for_everyone(self):
        with self.captureOnCommitCallbacks(execute=True):
            services.update_project(
                actor=self.admin, project=self.p2, data={"confidential": True}, source=WEB
            )
        figures = {}
        for user in (self.admin, self.leader):
            self.client.force_login(user)
            c = self.client.get(reverse("projects:analytics"), {"year": "2025"}).context
            grades = {g["grade"]: g["amount_yi"] for g in c["grades"]}
            figures[user.username] = (c["cohort"]["signed"], grades["C"], c["funds_ytd_yi"])
        # the same figures as the zone's indicators: aggregates give no name away
        self.assertEqual(figures["admin"], (2, Decimal("0.1"), Decimal("0.6")))
        self.assertEqual(figures["leader"], figures["admin"])

    def test_anonymous_users_are_sent_to_log_in(self):
        for name, args in PAGES:
            self.assertEqual(self.client.get(reverse(name, args=args)).status_code, 302)
