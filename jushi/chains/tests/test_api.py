"""/api/chains/: who sees which chains, a chain's map with its figures (亿元) and gaps, a gap node's
suggestions with their reasons, a suggestion turned into a lead once, and the pool import through the
API (dry run by default, every row error listed, nothing saved)."""

import io
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from jushi.core.choices import ChangeSource
from jushi.lib.tabular import write_table
from jushi.projects import services as ledger
from jushi.projects.models import Project
from jushi.projects.tests.base import D

from .. import services
from ..models import Chain, Node, NodeLink, PoolCompany
from .test_services import HEADERS, ChainTestCase

API = "/api/chains/"
WEB = ChangeSource.WEB


class ChainApiTestCase(ChainTestCase):
    """The small lithium chain of ChainTestCase, with:

    上游材料 (ent_a) ── 正极材料 (a signed project)    电池制造 (ent_b, a confidential lead)
    储能应用 (target map only, empty)
    and four pool companies; another zone has a chain of its own."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

        def project(name, investor, **data):
            return ledger.create_project(
                actor=cls.admin,
                zone=cls.kashgar,
                data={"name": name, "investor_name": investor, "lead_on": D(2024, 3, 1), **data},
                source=WEB,
            )

        services.link(
            actor=cls.admin,
            node=cls.cells,
            enterprise=cls.ent_b,
            role="leader",
            landed_on=D(2020, 1, 1),
            investment="30000",
            expected_output="50000",
            source=WEB,
        )
        services.link(actor=cls.admin, node=cls.materials, enterprise=cls.ent_a, source=WEB)
        cls.signed = ledger.advance_stage(
            actor=cls.admin,
            project=project("正极材料项目", "丙材料公司"),
            to_stage="signed",
            data={
                "talks_on": D(2024, 4, 1),
                "industry": "3841",
                "signed_on": D(2024, 6, 26),
                "agreed_investment": "12000",
                "contract_no": "KS-2024-009",
            },
            source=WEB,
        )
        services.link(actor=cls.admin, node=cls.cathode, project=cls.signed, source=WEB)
        cls.secret = project("某央企电池项目", "某央企", confidential=True)
        services.link(actor=cls.admin, node=cls.cells, project=cls.secret, source=WEB)

        def pool(name, node, size, **kw):
            return PoolCompany.objects.create(zone=cls.kashgar, name=name, node=node, size=size, **kw)

        cls.cathode_maker = pool(
            "甲正极材料股份有限公司", cls.cathode, "large", listed=True, region="湖南省", products="三元正极"
        )
        cls.small_cathode = pool("丁正极有限公司", cls.cathode, "small", region="江西省")
        cls.storage_maker = pool("乙储能科技有限公司", cls.storage, "medium", products="储能系统")
        cls.materials_maker = pool("戊材料集团有限公司", cls.materials, "large")
        cls.far_chain = Chain.objects.create(zone=cls.other, code="textile", name="纺织服装产业链")
        cls.far_node = Node.objects.create(chain=cls.far_chain, code="spinning", name="纺纱", segment="up")

    def get(self, user, path, params=None, status=200):
        self.client.force_login(user)
        response = self.client.get(f"{API}{path}", params or {})
        self.assertEqual(response.status_code, status, response.content)
        return response.json()

    def names(self, user, path, **params):
        return [row["name"] for row in self.get(user, path, params)["results"]]


class VisibilityTests(ChainApiTestCase):
    def test_each_persona_sees_the_chains_of_its_zones_and_reporters_nothing(self):
        self.assertEqual(self.names(self.admin, "chains/"), ["锂电产业链"])
        self.assertEqual(self.names(self.reviewer, "chains/"), ["锂电产业链"])
        self.assertEqual(self.names(self.leader, "chains/"), ["锂电产业链"])
        self.assertEqual(self.names(self.regional, "chains/"), ["纺织服装产业链", "锂电产业链"])
        self.assertEqual(self.names(self.regional, "chains/", zone="other"), ["纺织服装产业链"])
        self.assertEqual(self.names(self.other_admin, "chains/"), ["纺织服装产业链"])
        for reporter in (self.reporter_a, self.reporter_b):
            self.assertEqual(self.names(reporter, "chains/"), [])
            self.assertEqual(self.names(reporter, "nodes/"), [])
            self.assertEqual(self.names(reporter, "pool/"), [])
            self.assertEqual(self.get(reporter, "gaps/"), [])
            self.get(reporter, f"chains/{self.chain.pk}/", status=404)
            self.get(reporter, f"nodes/{self.cathode.pk}/", status=404)
        self.get(self.other_admin, f"chains/{self.chain.pk}/", status=404)
        self.get(self.other_admin, f"pool/{self.cathode_maker.pk}/", status=404)
        self.assertEqual([g["chain_code"] for g in self.get(self.other_admin, "gaps/")], ["textile"])

    def test_anonymous_gets_nothing(self):
        for path in ("chains/", "nodes/", "gaps/", "pool/"):
            self.assertIn(self.client.get(f"{API}{path}").status_code, (401, 403))

    def test_a_confidential_project_on_a_node_is_listed_only_to_those_who_may_see_it(self):
        def linked(user):
            links = self.get(user, f"nodes/{self.cells.pk}/")["links"]
            return [(link["enterprise"] or {}).get("name") or link["project"]["name"] for link in links]

        self.assertEqual(linked(self.admin), ["乙锂电有限公司", "某央企电池项目"])
        self.assertEqual(linked(self.reviewer), ["乙锂电有限公司"])

    def test_list_query_counts_are_fixed(self):
        for i in range(10):
            Chain.objects.create(zone=self.kashgar, code=f"c{i}", name=f"产业链{i}")
            PoolCompany.objects.create(zone=self.kashgar, name=f"目标企业{i}", node=self.cells, size="small")
        self.client.force_login(self.admin)
        for path, queries in (("chains/", 6), ("nodes/", 6), ("pool/", 6)):
            self.client.get(f"{API}{path}")
            with self.assertNumQueries(queries):  # session, user, scope, scope's zones, count, page
                self.assertEqual(self.client.get(f"{API}{path}").status_code, 200)


class MapTests(ChainApiTestCase):
    def test_the_chain_detail_has_every_nodes_figures_in_yi_and_the_gaps_with_reasons(self):
        body = self.get(self.leader, f"chains/{self.chain.pk}/")
        self.assertEqual((body["code"], body["zone"], body["node_count"]), ("lithium", "kashgar", 4))
        nodes = {n["code"]: n for n in body["nodes"]}
        self.assertEqual(list(nodes), ["materials", "cathode", "cells", "storage"])
        self.assertEqual(
            nodes["cells"]["figures"],
            {
                "enterprises": 1,
                "above_size": 0,
                "projects": {},  # the confidential lead: the leader may not see it, so only counted apart
                "pipeline": 0,
                "count": 1,
                "investment": "3.0000",
                "funds": "0.0000",
                "output": "0.0000",
                "expected_output": "5.0000",
                "confidential": 1,
            },
        )
        self.assertEqual(nodes["cathode"]["figures"]["investment"], "1.2000")
        self.assertEqual(nodes["cathode"]["parent"], "materials")
        materials = nodes["materials"]
        self.assertEqual(
            (
                materials["figures"]["count"],
                materials["figures"]["investment"],
                materials["figures"]["above_size"],
            ),
            (2, "1.2000", 1),  # its own enterprise (above size in 2024) and its sub-node's project
        )
        self.assertEqual((materials["strength"], materials["gap"]), ("strong", None))
        self.assertEqual(
            nodes["storage"]["gap"],
            {
                "kind": "extend",
                "kind_display": "延链",
                "strength": "empty",
                "strength_display": "空白",
                "reason": "远景图新增的“储能应用”环节,本区尚无企业和项目",
            },
        )
        self.assertEqual(
            [(g["kind"], g["node_code"], g["reason"]) for g in body["gaps"]],
            [
                ("extend", "storage", "远景图新增的“储能应用”环节,本区尚无企业和项目"),
                ("strengthen", "cathode", "“正极材料”仅有 1 家企业和项目,少于薄弱阈值 2"),
                ("strengthen", "cells", "“电池制造”仅有 1 家企业和项目,少于薄弱阈值 2"),
            ],
        )
        self.assertEqual(body["closed_this_year"], [])

    def test_the_gap_list_over_the_zones_chains(self):
        rows = self.get(self.regional, "gaps/")
        self.assertEqual(
            [(r["chain_code"], r["node_code"], r["kind"], r["strength"]) for r in rows],
            [
                ("textile", "spinning", "fill", "empty"),
                ("lithium", "storage", "extend", "empty"),
                ("lithium", "cathode", "strengthen", "thin"),
                ("lithium", "cells", "strengthen", "thin"),
            ],
        )
        self.assertEqual(rows[1]["reason"], "远景图新增的“储能应用”环节,本区尚无企业和项目")
        self.assertEqual(rows[1]["node"], self.storage.pk)
        only = self.get(self.regional, "gaps/", {"zone": "kashgar", "kind": "strengthen"})
        self.assertEqual([r["node_code"] for r in only], ["cathode", "cells"])
        self.assertEqual(len(self.get(self.regional, "gaps/", {"chain": self.far_chain.pk})), 1)
        self.client.force_login(self.regional)
        response = self.client.get(f"{API}gaps/", {"kind": "bogus"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("kind", response.json()["errors"])

    def test_nodes_list_and_filters(self):
        self.assertEqual(
            self.names(self.regional, "nodes/", chain=self.chain.pk),
            ["上游材料", "正极材料", "电池制造", "储能应用"],
        )
        self.assertEqual(self.names(self.regional, "nodes/", zone="other"), ["纺纱"])
        self.assertEqual(self.names(self.admin, "nodes/", segment="up"), ["上游材料", "正极材料"])


class SuggestionTests(ChainApiTestCase):
    def test_a_gap_node_lists_its_suggestions_with_score_and_reasons(self):
        body = self.get(self.leader, f"nodes/{self.cathode.pk}/")
        self.assertEqual((body["strength"], body["gap"]["kind"]), ("thin", "strengthen"))
        self.assertEqual(body["figures"]["investment"], "1.2000")
        self.assertEqual([link["project"]["code"] for link in body["links"]], [self.signed.code])
        self.assertEqual(
            [(s["name"], s["score"], s["reasons"]) for s in body["suggestions"]],
            [
                (
                    "甲正极材料股份有限公司",
                    90,
                    [
                        {"text": "主营产品对应“正极材料”环节(三元正极)", "points": 50},
                        {"text": "大型企业", "points": 25},
                        {"text": "上市公司", "points": 10},
                        {"text": "上下游环节已有 1 家本区企业,可就近配套", "points": 5},
                    ],
                ),
                (
                    "丁正极有限公司",
                    60,
                    [
                        {"text": "主营产品对应“正极材料”环节", "points": 50},
                        {"text": "小型企业", "points": 5},
                        {"text": "上下游环节已有 1 家本区企业,可就近配套", "points": 5},
                    ],
                ),
            ],
        )  # 戊材料 sits on the parent node: not a candidate for its child
        first = body["suggestions"][0]
        self.assertEqual(
            (first["pool_company"], first["node"], first["size"], first["listed"], first["lead"]),
            (self.cathode_maker.pk, "cathode", "large", True, None),
        )

    def test_an_empty_new_node_suggests_the_companies_on_it(self):
        body = self.get(self.admin, f"nodes/{self.storage.pk}/")
        self.assertEqual((body["strength"], body["gap"]["kind"], body["links"]), ("empty", "extend", []))
        self.assertEqual(
            [(s["name"], s["score"], [r["text"] for r in s["reasons"]]) for s in body["suggestions"]],
            [("乙储能科技有限公司", 65, ["主营产品对应“储能应用”环节(储能系统)", "中型企业"])],
        )

    def test_a_strong_node_has_no_gap_and_no_suggestions(self):
        body = self.get(self.admin, f"nodes/{self.materials.pk}/")
        self.assertEqual((body["strength"], body["gap"], body["suggestions"]), ("strong", None, []))
        self.assertEqual(body["figures"]["count"], 2)


class ConvertTests(ChainApiTestCase):
    def convert(self, user, company):
        self.client.force_login(user)
        return self.client.post(f"{API}pool/{company.pk}/convert/")

    def test_a_suggestion_becomes_a_lead_once_and_the_second_time_names_the_lead(self):
        before = Project.objects.count()
        response = self.convert(self.admin, self.cathode_maker)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        lead = Project.objects.get(pk=body["lead"]["id"])
        self.assertEqual(
            (body["converted"], body["lead"]["code"], body["lead"]["stage"]), (True, lead.code, "lead")
        )
        self.assertEqual((lead.investor.name, lead.industry.code), ("甲正极材料股份有限公司", "3985"))
        self.assertTrue(NodeLink.objects.filter(node=self.cathode, project=lead).exists())
        suggestion = self.get(self.admin, f"nodes/{self.cathode.pk}/")["suggestions"][0]
        self.assertEqual((suggestion["name"], suggestion["lead"]), ("甲正极材料股份有限公司", lead.code))
        self.assertEqual(self.names(self.admin, "pool/", converted="true"), ["甲正极材料股份有限公司"])

        again = self.convert(self.admin, self.cathode_maker)
        self.assertEqual(again.status_code, 400)
        self.assertEqual(
            again.json(),
            {"errors": {"lead": f"“甲正极材料股份有限公司”已转为线索 {lead.code}(线索),见该项目"}},
        )
        self.assertEqual(Project.objects.count(), before + 1)

    def test_a_read_only_user_cannot_convert_and_nothing_changes(self):
        before = Project.objects.count()
        self.assertEqual(self.convert(self.leader, self.cathode_maker).status_code, 403)
        self.assertEqual(self.convert(self.reporter_a, self.cathode_maker).status_code, 404)
        self.assertEqual(self.convert(self.other_admin, self.cathode_maker).status_code, 404)
        self.cathode_maker.refresh_from_db()
        self.assertIsNone(self.cathode_maker.lead)
        self.assertEqual(Project.objects.count(), before)

    def test_pool_filters(self):
        self.assertEqual(
            self.names(self.admin, "pool/", node=self.cathode.pk),
            ["丁正极有限公司", "甲正极材料股份有限公司"],
        )
        self.assertEqual(self.names(self.admin, "pool/", chain=self.far_chain.pk), [])
        self.assertEqual(
            self.names(self.admin, "pool/", size="large", listed="true"), ["甲正极材料股份有限公司"]
        )
        self.assertEqual(len(self.names(self.admin, "pool/", chain=self.chain.pk, converted="false")), 4)
        row = self.get(self.admin, f"pool/{self.storage_maker.pk}/")
        self.assertEqual(
            (row["chain_code"], row["node_code"], row["size_display"], row["converted"], row["lead"]),
            ("lithium", "storage", "中型", False, None),
        )


class PoolImportTests(ChainApiTestCase):
    ROWS = [
        ("庚隔膜科技有限公司", "", "江苏省", "湿法隔膜", "lithium", "cathode", "中型", "否"),
        ("辛储能有限公司", "", "广东省", "储能电站", "lithium", "storage", "大型", "是"),
    ]

    def upload(self, user, rows, name="pool.csv", **fields):
        fmt = Path(name).suffix[1:]
        data = write_table(HEADERS, rows, fmt) if fmt in ("csv", "xlsx") else b"not a table"
        self.client.force_login(user)
        return self.client.post(
            f"{API}pool/import/", {"file": SimpleUploadedFile(name, data), "zone": "kashgar", **fields}
        )

    def test_a_dry_run_by_default_lists_the_companies_and_saves_nothing(self):
        response = self.upload(self.admin, self.ROWS)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["dry_run"], body["total"]), (True, 2))
        self.assertEqual(
            [(c["name"], c["chain"], c["node"], c["size"], c["listed"]) for c in body["companies"]],
            [
                ("庚隔膜科技有限公司", "lithium", "cathode", "medium", False),
                ("辛储能有限公司", "lithium", "storage", "large", True),
            ],
        )
        self.assertEqual(PoolCompany.objects.count(), 4)
        saved = self.upload(self.admin, self.ROWS, name="pool.xlsx", dry_run="false")
        self.assertEqual(saved.status_code, 201, saved.content)
        self.assertFalse(saved.json()["dry_run"])
        self.assertEqual(
            PoolCompany.objects.filter(name__in=["庚隔膜科技有限公司", "辛储能有限公司"]).count(), 2
        )

    def test_row_errors_are_listed_and_nothing_is_saved(self):
        rows = [
            *self.ROWS,
            ("庚隔膜科技有限公司", "", "", "", "lithium", "cathode", "大型", "是"),
            ("壬公司", "", "", "", "lithium", "anode", "巨型", "否"),
        ]
        response = self.upload(self.admin, rows, dry_run="false")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {
                "errors": {"file": "3 处错误,未导入任何数据"},
                "rows": [
                    "第 4 行 企业名称: 与第 2 行是同一家企业",
                    "第 5 行 节点代码: 产业链“lithium”中没有节点“anode”",
                    "第 5 行 规模: 应为 大型、中型、小型 之一",
                ],
            },
        )
        self.assertEqual(PoolCompany.objects.count(), 4)

    def test_bad_files_zones_and_users_are_refused(self):
        response = self.upload(self.admin, self.ROWS, name="pool.txt")
        self.assertEqual(response.status_code, 400)
        self.assertIn("不是 CSV 或 XLSX 文件", response.json()["errors"]["file"])
        with override_settings(JUSHI_IMPORT_MAX_BYTES=10):
            response = self.upload(self.admin, self.ROWS)
        self.assertEqual(response.status_code, 400)
        self.assertIn("超过上限", response.json()["errors"]["file"])
        response = self.upload(self.admin, self.ROWS, zone="other")
        self.assertEqual(response.status_code, 400)
        self.assertIn("zone", response.json()["errors"])
        self.assertEqual(self.upload(self.leader, self.ROWS).status_code, 403)
        self.client.force_login(self.admin)
        missing = self.client.post(f"{API}pool/import/", {"zone": "kashgar"})
        self.assertEqual(missing.status_code, 400)
        self.assertIn("file", missing.json()["errors"])
        self.assertEqual(PoolCompany.objects.count(), 4)


class SchemaTests(ChainTestCase):
    def test_schema_documents_the_chains_api_and_generates_without_warnings(self):
        self.client.force_login(self.leader)
        schema = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        for path in (
            "chains/",
            "chains/{id}/",
            "nodes/{id}/",
            "gaps/",
            "pool/",
            "pool/{id}/convert/",
            "pool/import/",
        ):
            self.assertIn(f"{API}{path}", schema["paths"])
        params = {p["name"] for p in schema["paths"][f"{API}pool/"]["get"]["parameters"]}
        self.assertTrue({"chain", "node", "size", "listed", "converted"} <= params)
        self.assertIn(
            "multipart/form-data", schema["paths"][f"{API}pool/import/"]["post"]["requestBody"]["content"]
        )
        with tempfile.TemporaryDirectory() as tmp:
            call_command(
                "spectacular",
                "--validate",
                "--fail-on-warn",
                "--file",
                str(Path(tmp) / "schema.yml"),
                stderr=io.StringIO(),
            )
