"""Chains through their services: the tree has no loops, a link is made once, the pool is imported all
or nothing, a suggestion becomes a lead once; and a chain's figures by node."""

import datetime as dt
from decimal import Decimal

from jushi.core.choices import ChangeSource
from jushi.lib.tabular import Table
from jushi.projects.models import Project
from jushi.projects.tests.base import D, LedgerTestCase

from .. import services
from ..figures import chain_figures, facts
from ..gaps import gaps
from ..models import Chain, Node, NodeLink, PoolCompany

WEB = ChangeSource.WEB
HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "所在地区",
    "主要产品",
    "产业链代码",
    "节点代码",
    "规模",
    "是否上市",
]


class ChainTestCase(LedgerTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.chain = Chain.objects.create(
            zone=cls.kashgar, code="lithium", name="锂电产业链", thin_threshold=2
        )

        def node(code, name, segment, parent=None, **kw):
            return Node.objects.create(
                chain=cls.chain, code=code, name=name, segment=segment, parent=parent, **kw
            )

        cls.materials = node("materials", "上游材料", "up")
        cls.cathode = node("cathode", "正极材料", "up", cls.materials, industry_prefixes="3985")
        cls.cells = node("cells", "电池制造", "mid", industry_prefixes="3841")
        cls.storage = node("storage", "储能应用", "down", in_current=False)

    def table(self, *rows):
        return Table(HEADERS, [dict(zip(HEADERS, r, strict=True)) for r in rows])


class TreeAndLinkTests(ChainTestCase):
    def test_a_node_under_its_own_descendant_is_refused_with_the_loop_named(self):
        with self.assertRaises(services.ChainError) as caught:
            services.move_node(actor=self.admin, node=self.materials, parent=self.cathode, source=WEB)
        self.assertIn("正极材料 → 上游材料", caught.exception.errors["parent"])
        self.materials.refresh_from_db()
        self.assertIsNone(self.materials.parent)
        with self.assertRaises(services.ChainError):
            services.move_node(actor=self.admin, node=self.cells, parent=self.cells, source=WEB)
        services.move_node(actor=self.admin, node=self.storage, parent=self.cells, source=WEB)

    def test_an_enterprise_once_per_node(self):
        services.link(actor=self.admin, node=self.cells, enterprise=self.ent_b, role="leader", source=WEB)
        with self.assertRaises(services.ChainError) as caught:
            services.link(actor=self.admin, node=self.cells, enterprise=self.ent_b, source=WEB)
        self.assertIn("已在“电池制造”节点上", caught.exception.errors["enterprise"])
        services.link(actor=self.admin, node=self.cathode, enterprise=self.ent_b, source=WEB)  # another node
        self.assertEqual(NodeLink.objects.count(), 2)
        with self.assertRaises(services.ChainError):
            services.link(actor=self.admin, node=self.cells, enterprise=self.ent_c, source=WEB)  # other zone


class PoolTests(ChainTestCase):
    def test_unknown_nodes_and_duplicates_are_named_by_row_and_nothing_is_saved(self):
        result = services.import_pool(
            actor=self.admin,
            zone=self.kashgar,
            table=self.table(
                ("甲正极材料股份有限公司", "", "湖南省", "三元正极", "lithium", "cathode", "大型", "是"),
                ("乙隔膜有限公司", "", "江苏省", "隔膜", "lithium", "separator", "中型", "否"),
                ("甲正极材料有限公司", "", "湖南省", "", "lithium", "cathode", "巨型", "否"),
            ),
            source=WEB,
            dry_run=False,
        )
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 3 行 节点代码: 产业链“lithium”中没有节点“separator”",
                "第 4 行 企业名称: 与第 2 行是同一家企业",
                "第 4 行 规模: 应为 大型、中型、小型 之一",
            ],
        )
        self.assertFalse(PoolCompany.objects.exists())

    def test_dry_run_then_import(self):
        table = self.table(
            ("甲正极材料股份有限公司", "", "湖南省", "三元正极", "lithium", "cathode", "大型", "是")
        )
        dry = services.import_pool(actor=self.admin, zone=self.kashgar, table=table, source=WEB)
        self.assertTrue(dry.ok)
        self.assertFalse(PoolCompany.objects.exists())
        services.import_pool(actor=self.admin, zone=self.kashgar, table=table, source=WEB, dry_run=False)
        company = PoolCompany.objects.get()
        self.assertEqual((company.node, company.size, company.listed), (self.cathode, "large", True))
        again = services.import_pool(actor=self.admin, zone=self.kashgar, table=table, source=WEB)
        self.assertEqual(
            (again.errors, again.created_count, again.updated_count, again.unchanged), ([], 0, 0, 1)
        )

    def test_a_suggestion_becomes_a_lead_once(self):
        company = PoolCompany.objects.create(
            zone=self.kashgar,
            name="甲正极材料股份有限公司",
            region="湖南省",
            products="三元正极",
            node=self.cathode,
            size="large",
        )
        lead = services.convert_to_lead(actor=self.admin, company=company, source=WEB)
        self.assertEqual(
            (lead.stage.code, lead.investor.name, lead.industry.code), ("lead", company.name, "3985")
        )
        self.assertIn("缺口“正极材料”", lead.note)
        self.assertTrue(NodeLink.objects.filter(node=self.cathode, project=lead).exists())
        with self.assertRaises(services.ChainError) as caught:
            services.convert_to_lead(actor=self.admin, company=PoolCompany.objects.get(), source=WEB)
        self.assertIn(lead.code, caught.exception.errors["lead"])
        self.assertEqual(Project.objects.count(), 1)


class FigureTests(ChainTestCase):
    def test_node_figures_roll_up_and_feed_the_gaps(self):
        services.link(
            actor=self.admin,
            node=self.cells,
            enterprise=self.ent_b,
            role="leader",
            source=WEB,
            landed_on=D(2020, 1, 1),
            investment=Decimal("30000"),
            expected_output=Decimal("50000"),
        )
        drone = self.sign(self.lead(name="正极材料项目", investor="丙材料公司"), amount="12000")
        services.link(actor=self.admin, node=self.cathode, project=drone, source=WEB)
        early = self.lead(name="负极材料线索", investor="丁材料公司")
        services.link(actor=self.admin, node=self.cathode, project=early, source=WEB)
        nodes, figures = chain_figures(self.chain, as_of=dt.date(2024, 7, 1))
        by_code = {n.code: figures[n.pk] for n in nodes}
        self.assertEqual(by_code["cells"].investment, Decimal("30000"))
        self.assertEqual(by_code["cells"].above_size, 0)  # ent_b is not in the latest above-size set
        self.assertEqual(by_code["cathode"].investment, Decimal("12000"))  # the signed one; the lead has none
        self.assertEqual(by_code["cathode"].count, 1)  # the lead is pipeline, not strength
        self.assertEqual(by_code["cathode"].pipeline, 1)
        self.assertEqual(by_code["materials"].count, 1)  # its sub-node's
        found = {(g.node.code, g.gap) for g in gaps(facts(nodes, figures))}
        self.assertEqual(
            found,
            {
                ("storage", "extend"),
                ("cathode", "strengthen"),
                ("materials", "strengthen"),
                ("cells", "strengthen"),
            },
        )
