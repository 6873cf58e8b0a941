"""/api/projects/: who sees which projects, the filters, and writes through the services with their
400/403/409 answers."""

import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from rest_framework.authtoken.models import Token

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog

from .. import services
from ..models import ContractChange, Event, FundsRecord, Problem, Project
from .base import D, LedgerTestCase, make_code

API = "/api/projects/"
PROJECTS = f"{API}projects/"


class ApiTestCase(LedgerTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        web = ChangeSource.WEB

        def lead(name, investor, zone=None, actor=None, **data):
            return services.create_project(
                actor=actor or cls.admin,
                zone=zone or cls.kashgar,
                data={"name": name, "investor_name": investor, "lead_on": D(2024, 3, 1), **data},
                source=web,
            )

        cls.drone = services.advance_stage(
            actor=cls.admin,
            project=lead("无人机装备制造项目", "中天智控科技控股股份有限公司", credit_code=make_code(60)),
            to_stage="signed",
            data={
                "talks_on": D(2024, 4, 1),
                "industry": "3841",
                "signed_on": D(2024, 6, 26),
                "agreed_investment": "15000",
                "contract_no": "KS-2024-001",
                "event": cls.expo,
            },
            source=web,
        )
        cls.fibre = lead("碳纤维复合材料项目", "江苏恒神", source_region="city")
        cls.secret = lead("某央企洽谈项目", "某央企", confidential=True)
        cls.elsewhere = lead("另区项目", "丁公司", zone=cls.other, actor=cls.other_admin)

    def codes(self, user, **params):
        self.client.force_login(user)
        response = self.client.get(PROJECTS, params)
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(r["name"] for r in response.json()["results"])

    def post(self, user, url, body):
        self.client.force_login(user)
        return self.client.post(url, body, content_type="application/json")


class ProjectListTests(ApiTestCase):
    def test_each_persona_sees_its_zones_and_confidential_only_where_allowed(self):
        mine = ["无人机装备制造项目", "碳纤维复合材料项目"]
        self.assertEqual(self.codes(self.admin), sorted([*mine, "某央企洽谈项目"]))
        self.assertEqual(self.codes(self.reviewer), mine)  # statistics staff: not the confidential one
        self.assertEqual(self.codes(self.leader), mine)
        self.assertEqual(self.codes(self.regional), sorted([*mine, "另区项目"]))
        self.assertEqual(self.codes(self.other_admin), ["另区项目"])
        self.assertEqual(self.codes(self.reporter_a), [])
        self.client.force_login(self.reporter_a)
        self.assertEqual(self.client.get(f"{PROJECTS}{self.drone.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"{API}funds/").json()["count"], 0)
        self.assertEqual(self.client.get(f"{API}events/").json()["count"], 0)
        self.client.force_login(self.reviewer)
        self.assertEqual(self.client.get(f"{PROJECTS}{self.secret.pk}/").status_code, 404)

    def test_filters(self):
        user = self.regional
        self.assertEqual(self.codes(user, zone="other"), ["另区项目"])
        self.assertEqual(self.codes(user, stage="signed"), ["无人机装备制造项目"])
        self.assertEqual(self.codes(user, industry="38"), ["无人机装备制造项目"])
        self.assertEqual(self.codes(user, source_region="city"), ["碳纤维复合材料项目"])
        self.assertEqual(self.codes(user, event=self.expo.pk), ["无人机装备制造项目"])
        self.assertEqual(self.codes(user, min_investment="15000"), ["无人机装备制造项目"])
        self.assertEqual(self.codes(user, max_investment="14999.99"), [])
        self.assertEqual(
            self.codes(user, signed_from="2024-06-26", signed_to="2024-06-30"), ["无人机装备制造项目"]
        )
        self.assertEqual(self.codes(user, signed_from="2024-06-27"), [])
        self.assertEqual(self.codes(user, duplicate="flagged"), [])
        self.assertEqual(self.codes(user, q="恒神"), ["碳纤维复合材料项目"])
        self.client.force_login(user)
        self.assertEqual(self.client.get(PROJECTS, {"stage": "nowhere"}).status_code, 400)
        by_amount = self.client.get(PROJECTS, {"sort": "-amount"}).json()["results"]
        self.assertEqual([r["agreed_investment"] for r in by_amount], ["15000.00", None, None])

    def test_a_project_reads_with_its_funds_and_stage(self):
        services.record_funds(
            actor=self.admin,
            project=self.drone,
            on=D(2024, 7, 1),
            amount_wan="5000",
            evidence="bank",
            source="web",
        )
        self.client.force_login(self.leader)
        body = self.client.get(f"{PROJECTS}{self.drone.pk}/").json()
        self.assertEqual(
            {
                k: body[k]
                for k in ("code", "zone", "stage", "stage_name", "agreed_investment", "funds_in_place")
            },
            {
                "code": self.drone.code,
                "zone": "kashgar",
                "stage": "signed",
                "stage_name": "签约",
                "agreed_investment": "15000.00",
                "funds_in_place": "5000.00",
            },
        )
        self.assertEqual(body["investor"]["credit_code"], make_code(60))
        self.assertEqual((body["event_name"], body["industry"]), ("第八届中国—亚欧博览会", "3841"))

    def test_list_query_count_is_fixed(self):
        for i in range(20):
            services.create_project(
                actor=self.admin,
                zone=self.kashgar,
                data={"name": f"批量项目{i}", "investor_name": f"投资方{i}", "lead_on": D(2024, 5, 1)},
                source="web",
            )
        self.client.force_login(self.admin)
        self.client.get(PROJECTS)
        with self.assertNumQueries(6):  # session, user, scope, scope's zones, count, page
            response = self.client.get(PROJECTS)
        self.assertEqual(response.json()["count"], 23)

    def test_anonymous_gets_nothing(self):
        self.assertIn(self.client.get(PROJECTS).status_code, (401, 403))
        self.assertIn(self.client.get(f"{API}stages/").status_code, (401, 403))

    def test_stages_are_the_pipeline_in_order(self):
        self.client.force_login(self.reporter_a)
        body = self.client.get(f"{API}stages/").json()
        self.assertEqual([s["name"] for s in body], ["线索", "在谈", "签约", "供地", "开工", "投产", "达产"])
        self.assertEqual(body[2]["required_fields"], ["agreed_investment", "contract_no"])


class ProjectWriteTests(ApiTestCase):
    def test_create_by_token_is_logged_as_api(self):
        token = Token.objects.create(user=self.reviewer)
        response = self.client.post(
            PROJECTS,
            {
                "zone": "kashgar",
                "name": "锂电池隔膜项目",
                "investor_name": "上海恩捷新材料科技有限公司",
                "credit_code": make_code(61, "310000"),
                "lead_on": "2024-05-20",
                "agreed_investment": "80000",
                "park": "energy",
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["code"], body["stage"], body["park"], body["version"]), ("P2024-0004", "lead", "energy", 1)
        )
        log = ChangeLog.objects.get(object_id=str(body["id"]))
        self.assertEqual((log.source, log.user_name, log.action), ("api", "reviewer", "create"))

    def test_bad_input_names_the_field_and_saves_nothing(self):
        response = self.post(
            self.admin,
            PROJECTS,
            {"zone": "kashgar", "name": "", "investor_name": "某公司", "credit_code": "91350100M000100Y44"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {
                "errors": {"credit_code": "校验位错误:第 18 位应为 3,实际为 4", "name": "必填"},
                "confirm_required": False,
            },
        )
        response = self.post(self.admin, PROJECTS, {"zone": "kashgar"})
        self.assertEqual(response.json()["errors"], {"investor_name": "必填", "name": "必填"})
        response = self.post(self.admin, PROJECTS, {"zone": "nowhere", "name": "x", "investor_name": "y"})
        self.assertEqual(response.json()["errors"], {"zone": "没有代码为“nowhere”的开发区,或无权访问"})
        response = self.post(
            self.admin, PROJECTS, {"zone": "kashgar", "name": "x", "investor_name": "y", "lead_on": "昨天"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("lead_on", response.json()["errors"])
        self.assertEqual(Project.objects.count(), 4)

    def test_read_only_users_are_refused_and_nothing_changes(self):
        body = {"zone": "kashgar", "name": "领导新建", "investor_name": "某公司"}
        response = self.post(self.leader, PROJECTS, body)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json(), {"detail": "无权修改该开发区的项目台账"})
        self.assertEqual(self.post(self.regional, PROJECTS, body).status_code, 403)
        self.assertEqual(
            self.post(self.other_admin, PROJECTS, body).status_code, 400
        )  # kashgar: not its zone
        url = f"{PROJECTS}{self.fibre.pk}/"
        self.client.force_login(self.leader)
        self.assertEqual(
            self.client.patch(url, {"official": "x"}, content_type="application/json").status_code, 403
        )
        response = self.post(
            self.leader,
            f"{url}advance/",
            {"to_stage": "talks", "fields": {"talks_on": "2024-04-01", "industry": "3841"}},
        )
        self.assertEqual(response.status_code, 403)
        self.fibre.refresh_from_db()
        self.assertEqual((self.fibre.stage.code, self.fibre.official), ("lead", ""))
        self.assertEqual(Project.objects.count(), 4)

    def test_patch_changes_only_the_fields_given(self):
        self.client.force_login(self.admin)
        url = f"{PROJECTS}{self.drone.pk}/"
        response = self.client.patch(
            url, {"official": "王副主任", "land_mu": "85.5"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["official"], response.json()["land_mu"], response.json()["contract_no"]),
            ("王副主任", "85.50", "KS-2024-001"),
        )
        response = self.client.patch(url, {"agreed_investment": "20000"}, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["errors"], {"agreed_investment": "已签约项目的协议投资须通过“合同变更”修改"}
        )
        self.assertEqual(self.client.put(url, {}, content_type="application/json").status_code, 405)

    def test_advance_with_version_then_a_stale_move_is_409(self):
        url = f"{PROJECTS}{self.fibre.pk}/advance/"
        body = {
            "to_stage": "signed",
            "version": self.fibre.version,
            "fields": {
                "talks_on": "2024-04-01",
                "industry": "3841",
                "signed_on": "2024-06-26",
                "agreed_investment": "30000",
                "contract_no": "KS-2024-002",
            },
            "note": "博览会签约",
        }
        response = self.post(self.admin, url, body)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["stage"], response.json()["version"]), ("signed", self.fibre.version + 1)
        )

        stale = self.post(self.admin, url, {**body, "to_stage": "land"})
        self.assertEqual(stale.status_code, 409)
        self.assertIn("该项目刚被他人修改(现处于“签约”阶段,操作人 admin)", stale.json()["detail"])
        self.fibre.refresh_from_db()
        self.assertEqual(self.fibre.stage.code, "signed")

    def test_advance_errors_name_the_missing_fields(self):
        url = f"{PROJECTS}{self.fibre.pk}/advance/"
        response = self.post(self.admin, url, {"to_stage": "signed", "fields": {"signed_on": "2024-06-26"}})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["errors"],
            {
                "talks_on": "跳过的“在谈”阶段须填写",
                "industry": "跳过的“在谈”阶段须填写",
                "agreed_investment": "进入“签约”须填写",
                "contract_no": "进入“签约”须填写",
            },
        )
        response = self.post(
            self.admin, url, {"to_stage": "talks", "fields": {"talks_on": "2024-04-01", "colour": "red"}}
        )
        self.assertEqual(response.json()["errors"], {"fields": "未知的字段:colour"})
        response = self.post(self.admin, url, {"to_stage": "someday"})
        self.assertEqual(list(response.json()["errors"]), ["to_stage"])
        self.fibre.refresh_from_db()
        self.assertEqual(self.fibre.stage.code, "lead")

    def test_an_amount_over_1000_yi_needs_confirm(self):
        url = f"{PROJECTS}{self.fibre.pk}/advance/"
        fields = {
            "talks_on": "2024-04-01",
            "industry": "3841",
            "signed_on": "2024-06-26",
            "agreed_investment": "20000000",
            "contract_no": "KS-1",
        }
        response = self.post(self.admin, url, {"to_stage": "signed", "fields": fields})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {
                "errors": {"confirm": "协议总投资(万元) 2,000.00 亿元超过 1000 亿元,请核对单位(万元)后确认"},
                "confirm_required": True,
            },
        )
        response = self.post(self.admin, url, {"to_stage": "signed", "fields": fields, "confirm": True})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["agreed_investment"], "20000000.00")


class FundsProblemsEventsTests(ApiTestCase):
    def test_funds_recorded_listed_and_capped_by_the_contract(self):
        url = f"{PROJECTS}{self.drone.pk}/funds/"
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post(self.admin, url, {"on": "2024-07-01", "amount": "9000", "evidence": "bank"})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual((response.json()["grade"], response.json()["source_region"]), ("A", "province"))
        response = self.post(self.admin, url, {"on": "2024-08-01", "amount": "7000", "evidence": "invoice"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["errors"],
            {
                "amount": "到 2024-08-01 累计到位资金将达 16,000.00 万元,超过当时的协议总投资 15,000.00 万元;"
                "请先登记合同变更"
            },
        )
        self.assertEqual(
            self.post(self.leader, url, {"on": "2024-08-01", "amount": "1", "evidence": "bank"}).status_code,
            403,
        )
        self.assertEqual(
            self.post(self.admin, url, {"on": "2024-08-01", "amount": "1", "evidence": "gold"}).status_code,
            400,
        )

        response = self.post(
            self.admin,
            f"{PROJECTS}{self.drone.pk}/contract/",
            {"effective_on": "2024-08-01", "new_investment": "20000", "reason": "二期扩产补充协议"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(
            (response.json()["old_investment"], response.json()["new_investment"]), ("15000.00", "20000.00")
        )
        response = self.post(self.admin, url, {"on": "2024-08-01", "amount": "7000", "evidence": "invoice"})
        self.assertEqual(response.status_code, 201, response.content)

        self.client.force_login(self.leader)
        self.assertEqual([r["amount"] for r in self.client.get(url).json()], ["7000.00", "9000.00"])
        funds = f"{API}funds/"
        rows = lambda **p: [r["amount"] for r in self.client.get(funds, p).json()["results"]]  # noqa: E731
        self.assertEqual(rows(), ["7000.00", "9000.00"])
        self.assertEqual(rows(evidence="bank"), ["9000.00"])
        self.assertEqual(rows(date_from="2024-07-15"), ["7000.00"])
        self.assertEqual(rows(date_to="2024-07-15", zone="kashgar", project=self.drone.pk), ["9000.00"])
        self.assertEqual(rows(zone="other"), [])
        self.assertEqual((FundsRecord.objects.count(), ContractChange.objects.count()), (2, 1))

    def test_problems_raised_listed_overdue_and_resolved(self):
        response = self.post(
            self.admin,
            f"{PROJECTS}{self.drone.pk}/problems/",
            {
                "title": "施工用电未接入",
                "owner": "李科长",
                "owner_unit": "供电公司",
                "raised_on": "2024-07-01",
                "due_on": "2024-07-15",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        problem = response.json()["id"]
        response = self.post(
            self.admin,
            f"{PROJECTS}{self.drone.pk}/problems/",
            {"title": "", "owner": "x", "raised_on": "2024-07-01", "due_on": "2024-07-15"},
        )
        self.assertEqual(response.json()["errors"], {"title": "必填"})
        services.raise_problem(
            actor=self.admin,
            project=self.fibre,
            data={"title": "用地指标", "owner": "张局长", "due_on": "2099-01-01"},
            source="web",
        )
        self.client.force_login(self.leader)
        titles = lambda **p: [r["title"] for r in self.client.get(f"{API}problems/", p).json()["results"]]  # noqa: E731
        self.assertEqual(titles(), ["施工用电未接入", "用地指标"])
        self.assertEqual(titles(overdue="true"), ["施工用电未接入"])
        self.assertEqual(titles(overdue="false"), ["用地指标"])

        url = f"{API}problems/{problem}/resolve/"
        self.assertEqual(self.post(self.leader, url, {"resolution": "已接入"}).status_code, 403)
        response = self.post(self.admin, url, {"resolution": "临时用电已接入", "resolved_on": "2024-07-20"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["status"], response.json()["resolved_on"]), ("resolved", "2024-07-20")
        )
        self.assertEqual(
            self.post(self.admin, url, {"resolution": "again"}).json()["errors"], {"status": "该问题已解决"}
        )
        self.client.force_login(self.leader)
        self.assertEqual(titles(status="open"), ["用地指标"])
        self.assertEqual(Problem.objects.count(), 2)

    def test_a_flagged_duplicate_is_merged_or_confirmed(self):
        again = services.create_project(
            actor=self.admin,
            zone=self.kashgar,
            data={
                "name": "中天智控无人机项目",
                "investor_name": "中天智控",
                "credit_code": make_code(60),
                "lead_on": D(2024, 6, 1),
            },
            source="web",
        )
        self.assertEqual(again.duplicate_status, "flagged")
        self.client.force_login(self.admin)
        self.assertEqual(self.codes(self.admin, duplicate="flagged"), ["中天智控无人机项目"])
        url = f"{PROJECTS}{again.pk}/duplicate/"
        self.assertEqual(
            self.post(self.admin, url, {"decision": "maybe"}).json()["errors"].keys(), {"decision"}
        )
        response = self.post(self.admin, url, {"decision": "merge", "reason": "同一项目在两个部门登记"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["duplicate_status"], response.json()["duplicate_of"]), ("merged", self.drone.pk)
        )
        response = self.post(self.admin, url, {"decision": "new"})
        self.assertEqual(response.json()["errors"], {"decision": "该项目没有待确认的疑似重复"})

    def test_events_listed_and_created_through_the_service(self):
        url = f"{API}events/"
        response = self.post(
            self.reviewer,
            url,
            {"zone": "kashgar", "name": "2024 喀什招商推介会", "held_on": "2024-09-10", "place": "喀什"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["zone"], "kashgar")
        response = self.post(
            self.reviewer, url, {"zone": "kashgar", "name": "2024 喀什招商推介会", "held_on": "2024-09-10"}
        )
        self.assertEqual(response.json()["errors"], {"name": "已有同名的签约活动"})
        self.assertEqual(
            self.post(
                self.leader, url, {"zone": "kashgar", "name": "x", "held_on": "2024-09-10"}
            ).status_code,
            403,
        )
        self.client.force_login(self.other_admin)
        self.assertEqual(self.client.get(url).json()["count"], 0)
        self.client.force_login(self.leader)
        self.assertEqual(
            [e["name"] for e in self.client.get(url, {"year": 2024}).json()["results"]],
            ["2024 喀什招商推介会", "第八届中国—亚欧博览会"],
        )
        self.assertEqual(Event.objects.count(), 2)


class SchemaTests(LedgerTestCase):
    def test_schema_documents_the_ledger_and_generates_without_warnings(self):
        self.client.force_login(self.leader)
        schema = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        for path in (
            "projects/",
            "projects/{id}/advance/",
            "projects/{id}/funds/",
            "funds/",
            "problems/{id}/resolve/",
            "events/",
            "stages/",
        ):
            self.assertIn(f"{API}{path}", schema["paths"])
        params = {p["name"] for p in schema["paths"][PROJECTS]["get"]["parameters"]}
        self.assertTrue(
            {
                "zone",
                "stage",
                "industry",
                "source_region",
                "event",
                "min_investment",
                "max_investment",
                "signed_from",
                "signed_to",
                "duplicate",
            }
            <= params
        )
        self.assertIn("409", schema["paths"][f"{PROJECTS}{{id}}/advance/"]["post"]["responses"])
        with tempfile.TemporaryDirectory() as tmp:
            call_command(
                "spectacular",
                "--validate",
                "--fail-on-warn",
                "--file",
                str(Path(tmp) / "schema.yml"),
                stderr=io.StringIO(),
            )
