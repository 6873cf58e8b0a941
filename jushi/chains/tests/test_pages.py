"""The chain pages on a small fixed chain: the list's totals, the map's node table (strengths and
figures) and its 现状图/远景图 toggle, the node page's suggestions with every reason, converting a
suggestion to a lead (once), the gap list, the pool with its filters and import, the export, and who may
see and do what.

The chain (threshold 2), built once; "today" is the real date, so the dates that matter are relative:

上游材料 (up) ── 正极材料 (up, empty: 补链)   负极材料 (up, ent_a linked today: thin, 强链; closed 空白 → 薄弱)
电池制造 (mid, ent_b since 2020 + a signed project: strong; a lead in the pipeline)
储能应用 (down, target map only, empty: 延链)
"""

import datetime as dt
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jushi.core.choices import ChangeSource
from jushi.core.testing import make_code
from jushi.projects import services as ledger
from jushi.projects.models import Project
from jushi.registry.models import Enterprise

from .. import services
from ..models import Chain, Node, PoolCompany
from .test_services import HEADERS, ChainTestCase

WEB = ChangeSource.WEB
TODAY = timezone.localdate()


class Cells(HTMLParser):
    """The text of each cell of the table rows (or list items) carrying `attr="value"`."""

    def __init__(self, attr: str, value: str, row_tag: str = "tr", cell_tags=("td", "th")):
        super().__init__()
        self.attr, self.value, self.row_tag, self.cell_tags = attr, value, row_tag, cell_tags
        self.rows: list[list[str]] = []
        self.depth = 0  # nesting of row_tag inside the matched row
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == self.row_tag:
            if self.depth:
                self.depth += 1
            elif dict(attrs).get(self.attr) == self.value:
                self.depth = 1
                self.rows.append([])
        elif self.depth and tag in self.cell_tags and self.cell is None:
            self.cell = []

    def handle_endtag(self, tag):
        if self.depth and tag in self.cell_tags and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == self.row_tag and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def cells(response, attr: str, value: str) -> list[str]:
    parser = Cells(attr, value)
    parser.feed(response.content.decode())
    assert len(parser.rows) == 1, f"{len(parser.rows)} rows with {attr}={value}"
    return parser.rows[0]


def text_of(response, element_id: str) -> str:
    html = response.content.decode()
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", "", match.group(2)).split())


def tree_of(response) -> dict:
    html = response.content.decode()
    match = re.search(r'<script id="chain-tree" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def find(item: dict, name: str) -> dict | None:
    if item["name"] == name:
        return item
    for child in item.get("children", []):
        found = find(child, name)
        if found:
            return found
    return None


def picks(response) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """Each suggestion on a node page: company, score and its reasons with their points."""
    html = response.content.decode()
    out = []
    for block in re.findall(r'<li class="pick"[^>]*>(.*?)</ul>', html, re.S):
        name = re.search(r'<b class="company">(.*?)</b>', block).group(1)
        score = int(re.search(r'<span class="score"[^>]*>(\d+) 分</span>', block).group(1))
        reasons = [
            (text, int(points))
            for text, points in re.findall(
                r'<li><span class="reason">(.*?)</span><b class="points">\+(\d+)</b></li>', block
            )
        ]
        out.append((name, score, reasons))
    return out


class ChainPageCase(ChainTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.anode = Node.objects.create(
            chain=cls.chain, code="anode", name="负极材料", segment="up", parent=cls.materials, order=1
        )
        services.link(
            actor=cls.admin,
            node=cls.cells,
            enterprise=cls.ent_b,
            role="leader",
            landed_on=dt.date(2020, 1, 1),
            investment=Decimal("30000"),
            expected_output=Decimal("50000"),
            source=WEB,
        )
        services.link(
            actor=cls.admin,
            node=cls.anode,
            enterprise=cls.ent_a,
            role="core",
            landed_on=TODAY,
            investment=Decimal("5000"),
            source=WEB,
        )
        cls.signed = cls.sign(
            cls, cls.lead(cls, name="动力电池项目", investor="丁电池有限公司"), amount="12000"
        )
        ledger.record_funds(
            actor=cls.admin,
            project=cls.signed,
            on=dt.date(2024, 7, 1),
            amount_wan="3000",
            evidence="bank",
            source=WEB,
        )
        services.link(actor=cls.admin, node=cls.cells, project=cls.signed, role="core", source=WEB)
        cls.talks = cls.lead(cls, name="储能电池线索", investor="戊储能有限公司")
        services.link(actor=cls.admin, node=cls.cells, project=cls.talks, source=WEB)

        def company(name, node, size, **kw):
            return PoolCompany.objects.create(zone=node.chain.zone, name=name, node=node, size=size, **kw)

        cls.jia = company(
            "甲正极材料股份有限公司", cls.cathode, "large", listed=True, products="三元正极", region="湖南省"
        )
        cls.yi = company("乙负极材料有限公司", cls.anode, "medium", region="江西省")
        cls.bing = company("丙电池有限公司", cls.cells, "small")
        cls.far = Chain.objects.create(zone=cls.other, code="textile", name="纺织服装产业链")
        cls.far_node = Node.objects.create(chain=cls.far, code="spinning", name="纺纱", segment="up")
        cls.far_company = company("己纺纱有限公司", cls.far_node, "large")

    def setUp(self):
        self.client.force_login(self.admin)


class ChainListAndMapTests(ChainPageCase):
    def test_the_list_shows_each_chain_of_the_zone_with_its_totals_and_gaps(self):
        response = self.client.get(reverse("chains:chain_list"))
        self.assertEqual(
            cells(response, "data-chain", "lithium"),
            ["锂电产业链", "5", "2", "1", "4.70", "0.00", "5.00", "1", "1", "2"],
        )
        self.assertNotContains(response, "纺织服装产业链")  # the other zone's

    def test_the_map_table_shows_each_node_strength_gap_and_figures(self):
        response = self.client.get(reverse("chains:chain_detail", args=[self.chain.pk]))
        row = lambda code: cells(response, "data-node", code)  # noqa: E731
        # 节点, 环节, 强度, 缺口, 企业, 规上, 在谈, 协议投资, 到位资金, 当前产值, 达产后预计产值 (亿元)
        self.assertEqual(
            row("materials"),
            ["上游材料", "上游", "薄弱", "强链", "1", "1", "0", "0.50", "0.00", "0.00", "0.00"],
        )
        self.assertEqual(
            row("cathode"),
            ["正极材料", "上游", "空白", "补链", "0", "0", "0", "0.00", "0.00", "0.00", "0.00"],
        )
        self.assertEqual(
            row("anode"), ["负极材料", "上游", "薄弱", "强链", "1", "1", "0", "0.50", "0.00", "0.00", "0.00"]
        )
        self.assertEqual(
            row("cells"), ["电池制造", "中游", "较强", "—", "1", "0", "1", "4.20", "0.30", "0.00", "5.00"]
        )
        self.assertNotContains(response, '<tr data-node="storage"')  # not on the current map
        self.assertEqual(
            text_of(response, "chain-totals"),
            "全链合计:5 个节点,企业 2 家,在谈项目 1 个,协议投资 4.70 亿元,到位资金 0.30 亿元,当前产值 0.00 亿元,"
            "达产后预计产值 5.00 亿元;缺口:补链 1 个,延链 1 个,强链 2 个",
        )
        tree = tree_of(response)
        self.assertEqual([g["name"] for g in tree["children"]], ["上游", "中游"])
        cathode = find(tree, "正极材料")
        self.assertEqual(cathode["itemStyle"]["color"], "#c53030")  # 空白 red
        self.assertEqual(cathode["url"], reverse("chains:node_detail", args=[self.cathode.pk]))
        self.assertEqual(find(tree, "负极材料")["itemStyle"]["color"], "#b7791f")  # 薄弱 amber
        self.assertEqual(find(tree, "电池制造")["itemStyle"]["color"], "#1a7f37")  # 较强 green
        self.assertIn("企业 1 家(规上 0 家)· 在谈项目 1 个", find(tree, "电池制造")["tip"])
        self.assertIsNone(find(tree, "储能应用"))
        self.assertContains(response, "vendor/echarts/echarts.min.js")

    def test_the_toggle_shows_the_target_map_with_its_extension_nodes_marked(self):
        url = reverse("chains:chain_detail", args=[self.chain.pk])
        current = self.client.get(url)
        self.assertContains(
            current,
            '<a class="btn primary" data-map="current" href="?map=current" aria-current="page">现状图</a>',
            html=True,
        )
        target = self.client.get(url, {"map": "target"})
        self.assertContains(
            target,
            '<a class="btn primary" data-map="target" href="?map=target" aria-current="page">远景图</a>',
            html=True,
        )
        self.assertEqual(
            cells(target, "data-node", "storage"),
            ["储能应用延链节点", "下游", "空白", "延链", "0", "0", "0", "0.00", "0.00", "0.00", "0.00"],
        )
        self.assertContains(target, '<tr data-node="storage" class="strength-empty extension">')
        storage = find(tree_of(target), "储能应用")
        self.assertEqual(
            (storage["ext"], storage["itemStyle"]["borderType"], storage["symbol"]),
            (True, "dashed", "diamond"),
        )
        self.assertIn(storage, find(tree_of(target), "下游")["children"])
        self.assertFalse(find(tree_of(target), "正极材料")["ext"])
        wrong = self.client.get(url, {"map": "future"})
        self.assertContains(wrong, "map: 应为 current(现状图)或 target(远景图),收到“future”,已显示现状图")
        self.assertNotContains(wrong, '<tr data-node="storage"')

    def test_the_map_reads_the_same_number_of_queries_whatever_the_links(self):
        url = reverse("chains:chain_detail", args=[self.chain.pk])
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for i in range(4):
            more = Enterprise.objects.create(
                zone=self.kashgar,
                name=f"新增正极材料企业{i}",
                credit_code=make_code(100 + i),
                park=self.energy,
            )
            services.link(actor=self.admin, node=self.cathode, enterprise=more, source=WEB)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertEqual(cells(response, "data-node", "cathode")[2:5], ["较强", "—", "4"])
        self.assertEqual(len(many), len(few))

    def test_the_export_holds_the_nodes_and_the_gaps(self):
        from openpyxl import load_workbook

        response = self.client.get(reverse("chains:chain_export", args=[self.chain.pk]))
        self.assertEqual(
            response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        self.assertRegex(
            response["Content-Disposition"], r'attachment; filename="chain-lithium-\d{8}-\d{4}\.xlsx"'
        )
        wb = load_workbook(io.BytesIO(response.content))
        self.assertEqual(wb.sheetnames, ["节点", "缺口", "说明"])
        nodes = list(wb["节点"].iter_rows(min_row=3, values_only=True))
        self.assertEqual([r[2] for r in nodes[:-1]], ["materials", "cathode", "anode", "cells", "storage"])
        self.assertEqual(nodes[3][6:15], ("较强", None, 1, 0, 1, 42000, 3000, 0, 50000))
        self.assertEqual(nodes[-1][0:2], ("全链合计", "5 个节点"))
        gaps = list(wb["缺口"].iter_rows(min_row=3, values_only=True))
        self.assertEqual(
            [(g[0], g[2], g[4]) for g in gaps],
            [
                ("补链", "cathode", "空白"),
                ("延链", "storage", "空白"),
                ("强链", "anode", "薄弱"),
                ("强链", "materials", "薄弱"),
            ],
        )
        self.assertEqual(gaps[2][7], "“负极材料”仅有 1 家企业和项目,少于薄弱阈值 2")


class NodePageTests(ChainPageCase):
    def test_a_gap_node_shows_each_suggestion_with_its_reasons_and_points(self):
        response = self.client.get(reverse("chains:node_detail", args=[self.cathode.pk]))
        self.assertEqual(text_of(response, "node-gap"), "补链:现状图中的“正极材料”环节尚无企业和项目")
        self.assertEqual(
            picks(response),
            [
                (
                    "甲正极材料股份有限公司",
                    90,
                    [
                        ("主营产品对应“正极材料”环节(三元正极)", 50),
                        ("大型企业", 25),
                        ("上市公司", 10),
                        ("上下游环节已有 1 家本区企业,可就近配套", 5),
                    ],
                ),
                (
                    "乙负极材料有限公司",
                    35,
                    [
                        ("同属“上游材料”下的相邻环节“负极材料”", 15),
                        ("中型企业", 15),
                        ("上下游环节已有 1 家本区企业,可就近配套", 5),
                    ],
                ),
            ],
        )
        for company in (self.jia, self.yi):
            self.assertContains(response, f'action="{reverse("chains:pool_convert", args=[company.pk])}"')
        self.assertNotContains(response, "丙电池有限公司")  # not related to 正极材料

    def test_a_node_shows_its_enterprises_and_projects_with_roles_and_links(self):
        response = self.client.get(reverse("chains:node_detail", args=[self.cells.pk]))
        self.assertEqual(
            cells(response, "data-enterprise", str(self.ent_b.pk)),
            ["乙锂电有限公司", "链主", "2020-01-01", "30000.00", "50000.00", "移出"],
        )
        self.assertContains(response, f'href="{reverse("registry:enterprise_detail", args=[self.ent_b.pk])}"')
        self.assertEqual(
            cells(response, "data-project", str(self.signed.pk)),
            [
                self.signed.code,
                "动力电池项目",
                "核心",
                "签约",
                "12000.00",
                "3000.00",
                "—",
                "移出",
            ],  # 到位资金 added
        )
        self.assertContains(response, f'href="{reverse("projects:project_detail", args=[self.talks.pk])}"')
        self.assertNotContains(response, 'id="suggestions"')  # strong: no gap, no suggestions
        parent = self.client.get(reverse("chains:node_detail", args=[self.materials.pk]))
        self.assertEqual(  # a parent lists its sub-nodes' enterprises, with the node
            cells(parent, "data-enterprise", str(self.ent_a.pk)),
            ["甲纺织有限公司", "负极材料", "核心", TODAY.isoformat(), "5000.00", "—"],
        )

    def test_converting_a_suggestion_makes_a_lead_and_lands_on_it(self):
        before = Project.objects.count()
        page = self.client.post(reverse("chains:pool_convert", args=[self.jia.pk]), follow=True)
        lead = Project.objects.get(investor__name="甲正极材料股份有限公司")
        self.assertRedirects(page, reverse("projects:project_detail", args=[lead.pk]))
        self.assertEqual(Project.objects.count(), before + 1)
        self.assertEqual(
            (lead.stage.code, lead.name, lead.zone),
            ("lead", "甲正极材料股份有限公司正极材料项目", self.kashgar),
        )
        self.jia.refresh_from_db()
        self.assertEqual(self.jia.lead, lead)
        self.assertContains(
            page,
            f"已将目标企业“甲正极材料股份有限公司”转为招商线索 {lead.code}(产业链“锂电产业链”·正极材料),已挂到该节点;"
            "行业取自本节点的对应行业:3985 电子专用材料制造",
        )
        node_page = self.client.get(reverse("chains:node_detail", args=[self.cathode.pk]))
        self.assertNotContains(node_page, f'action="{reverse("chains:pool_convert", args=[self.jia.pk])}"')
        self.assertContains(
            node_page,
            f'已转为招商线索:<a href="{reverse("projects:project_detail", args=[lead.pk])}">{lead.code} {lead.name}</a>(线索)',
        )
        self.assertContains(node_page, f'action="{reverse("chains:pool_convert", args=[self.yi.pk])}"')

    def test_converting_twice_points_to_the_existing_lead(self):
        self.client.post(reverse("chains:pool_convert", args=[self.jia.pk]))
        lead = PoolCompany.objects.get(pk=self.jia.pk).lead
        count = Project.objects.count()
        again = self.client.post(reverse("chains:pool_convert", args=[self.jia.pk]), follow=True)
        self.assertRedirects(again, reverse("projects:project_detail", args=[lead.pk]))
        self.assertContains(
            again, f"“甲正极材料股份有限公司”已于此前转为招商线索 {lead.code}(线索),未重复登记,已打开该项目"
        )
        self.assertEqual(Project.objects.count(), count)

    def test_a_leader_sees_the_suggestions_but_no_convert_button_and_cannot_convert(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("chains:node_detail", args=[self.cathode.pk]))
        self.assertEqual([p[0] for p in picks(response)], ["甲正极材料股份有限公司", "乙负极材料有限公司"])
        self.assertNotContains(response, "转为招商线索</button>")
        self.assertNotContains(response, reverse("chains:pool_convert", args=[self.jia.pk]))
        count = Project.objects.count()
        refused = self.client.post(reverse("chains:pool_convert", args=[self.jia.pk]))
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(Project.objects.count(), count)
        self.assertIsNone(PoolCompany.objects.get(pk=self.jia.pk).lead)


class GapListTests(ChainPageCase):
    def test_every_gap_with_its_reason_and_the_gaps_closed_this_year(self):
        response = self.client.get(reverse("chains:gap_list"))
        self.assertEqual(
            cells(response, "data-node", "cathode"),
            ["补链", "锂电产业链", "正极材料", "上游", "空白", "现状图中的“正极材料”环节尚无企业和项目", "2"],
        )
        self.assertEqual(
            cells(response, "data-node", "storage"),
            [
                "延链",
                "锂电产业链",
                "储能应用",
                "下游",
                "空白",
                "远景图新增的“储能应用”环节,本区尚无企业和项目",
                "0",
            ],
        )
        self.assertEqual(
            re.findall(
                r'<tr data-node="(\w+)" data-chain="lithium" data-gap="(\w+)">', response.content.decode()
            ),
            [
                ("cathode", "fill"),
                ("storage", "extend"),
                ("anode", "strengthen"),
                ("materials", "strengthen"),
            ],
        )
        closed = self.client.get(reverse("chains:gap_list")).content.decode()
        block = closed[closed.index('id="closed-gaps"') :]
        parser = Cells("data-node", "anode")
        parser.feed(block)
        self.assertEqual(parser.rows, [["锂电产业链", "负极材料", "空白 → 薄弱", "0 → 1"]])
        self.assertEqual(block.count("<tr data-node="), 2)  # 负极材料 and its parent 上游材料

    def test_filters_by_chain_and_kind_and_names_a_bad_filter(self):
        response = self.client.get(reverse("chains:gap_list"), {"chain": self.chain.pk, "kind": "strengthen"})
        self.assertEqual(
            re.findall(r'<tr data-node="(\w+)" data-chain', response.content.decode()), ["anode", "materials"]
        )
        bad = self.client.get(reverse("chains:gap_list"), {"kind": "repair", "chain": self.far.pk})
        self.assertContains(bad, "缺口类型: 选择一个有效的选项。 repair 不在可用的选项中。")
        self.assertContains(bad, "产业链: 选择一个有效的选项： 该选择不在可用的选项中。")
        self.assertEqual(len(re.findall(r'<tr data-node="\w+" data-chain', bad.content.decode())), 4)


class PoolPageTests(ChainPageCase):
    def rows(self, response) -> list[str]:
        return re.findall(r'<tr data-company="(\d+)">', response.content.decode())

    def test_the_pool_with_its_filters(self):
        url = reverse("chains:pool_list")
        self.assertEqual(self.rows(self.client.get(url)), [str(c.pk) for c in (self.jia, self.bing, self.yi)])
        self.assertEqual(self.rows(self.client.get(url, {"size": "large"})), [str(self.jia.pk)])
        self.assertEqual(self.rows(self.client.get(url, {"node": self.anode.pk})), [str(self.yi.pk)])
        self.assertEqual(self.rows(self.client.get(url, {"listed": "no", "q": "电池"})), [str(self.bing.pk)])
        services.convert_to_lead(actor=self.admin, company=self.jia, source=WEB)
        self.assertEqual(self.rows(self.client.get(url, {"converted": "yes"})), [str(self.jia.pk)])
        self.assertEqual(
            self.rows(self.client.get(url, {"converted": "no"})), [str(self.bing.pk), str(self.yi.pk)]
        )
        self.assertEqual(
            cells(self.client.get(url, {"converted": "yes"}), "data-company", str(self.jia.pk)),
            [
                "甲正极材料股份有限公司",
                "锂电产业链 · 正极材料",
                "湖南省",
                "三元正极",
                "大型",
                "是",
                f"{self.jia.lead.code} 线索",
            ],
        )
        bad = self.client.get(url, {"node": self.far_node.pk, "size": "huge"})
        self.assertContains(bad, "节点: 选择一个有效的选项： 该选择不在可用的选项中。")
        self.assertContains(bad, "规模: 选择一个有效的选项。 huge 不在可用的选项中。")
        self.assertEqual(len(self.rows(bad)), 3)

    def upload(self, *rows, name="pool.csv", **extra):
        lines = [",".join(HEADERS)] + [",".join(r) for r in rows]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        return self.client.post(
            reverse("chains:pool_import"),
            {"file": SimpleUploadedFile(name, data), "zone": "kashgar", **extra},
        )

    def test_the_import_lists_every_row_error_then_imports_all_after_a_clean_dry_run(self):
        count = PoolCompany.objects.count()
        bad = self.upload(
            ("丁隔膜有限公司", "", "江苏省", "隔膜", "lithium", "separator", "中型", "否"),
            ("戊电解液有限公司", "", "广东省", "电解液", "lithium", "cathode", "巨型", "是"),
            ("丁隔膜有限公司", "", "江苏省", "", "lithium", "cathode", "大型", "否"),
        )
        self.assertEqual(
            re.findall(r"<li>(第 \d 行 .*?)</li>", bad.content.decode()),
            [
                "第 2 行 节点代码: 产业链“lithium”中没有节点“separator”",
                "第 3 行 规模: 应为 大型、中型、小型 之一",
                "第 4 行 企业名称: 与第 2 行是同一家企业",
            ],
        )
        self.assertNotContains(bad, 'name="token"')
        self.assertEqual(PoolCompany.objects.count(), count)

        good = self.upload(
            ("丁隔膜有限公司", "", "江苏省", "隔膜", "lithium", "anode", "中型", "否"),
            ("戊电解液有限公司", "", "广东省", "电解液", "lithium", "cathode", "大型", "是"),
        )
        self.assertContains(good, "试运行结果:pool.csv,共 2 行,全部通过校验")
        self.assertContains(good, "第 3 行 戊电解液有限公司(锂电产业链 · 正极材料)")
        self.assertEqual(PoolCompany.objects.count(), count)  # a dry run saves nothing
        token = re.search(r'name="token" value="(\w+)"', good.content.decode()).group(1)
        done = self.client.post(reverse("chains:pool_import"), {"token": token}, follow=True)
        self.assertRedirects(done, reverse("chains:pool_list"))
        self.assertContains(done, "导入完成(文件 pool.csv):新增 2 家,更新 0 家,未变化 0 家目标企业")
        self.assertEqual(PoolCompany.objects.count(), count + 2)
        added = PoolCompany.objects.get(name="戊电解液有限公司")
        self.assertEqual(
            (added.node, added.size, added.listed, added.zone), (self.cathode, "large", True, self.kashgar)
        )
        spent = self.client.post(reverse("chains:pool_import"), {"token": token}, follow=True)
        self.assertContains(spent, "导入文件已失效,请重新上传")
        self.assertEqual(PoolCompany.objects.count(), count + 2)

    def test_the_import_names_a_bad_file_and_a_zone_out_of_reach(self):
        response = self.upload(
            ("丁隔膜有限公司", "", "", "", "lithium", "anode", "中型", "否"), name="pool.txt"
        )
        self.assertContains(response, "文件“pool.txt”不是 CSV 或 XLSX 文件")
        other = self.upload(("丁隔膜有限公司", "", "", "", "lithium", "anode", "中型", "否"), zone="other")
        self.assertContains(other, "选择一个有效的选项： 该选择不在可用的选项中。")
        self.assertFalse(PoolCompany.objects.filter(name="丁隔膜有限公司").exists())
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(reverse("chains:pool_import")).status_code, 403)


class AccessTests(ChainPageCase):
    def pages(self):
        return [
            reverse("chains:chain_list"),
            reverse("chains:chain_detail", args=[self.chain.pk]),
            reverse("chains:chain_export", args=[self.chain.pk]),
            reverse("chains:node_detail", args=[self.cathode.pk]),
            reverse("chains:gap_list"),
            reverse("chains:pool_list"),
            reverse("chains:pool_import"),
        ]

    def test_an_enterprise_reporter_gets_nothing(self):
        self.client.force_login(self.reporter_a)
        for url in self.pages():
            self.assertEqual(self.client.get(url).status_code, 403, url)
        count = Project.objects.count()
        self.assertEqual(
            self.client.post(reverse("chains:pool_convert", args=[self.jia.pk])).status_code, 403
        )
        self.assertEqual(Project.objects.count(), count)

    def test_another_zones_chain_is_not_found(self):
        for url in (
            reverse("chains:chain_detail", args=[self.far.pk]),
            reverse("chains:chain_export", args=[self.far.pk]),
            reverse("chains:node_detail", args=[self.far_node.pk]),
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        count = Project.objects.count()
        self.assertEqual(
            self.client.post(reverse("chains:pool_convert", args=[self.far_company.pk])).status_code, 404
        )
        self.assertEqual(Project.objects.count(), count)
        self.assertNotContains(self.client.get(reverse("chains:pool_list")), "己纺纱有限公司")

    def test_every_page_answers_its_staff_and_a_regional_sees_both_zones(self):
        for url in self.pages():
            self.assertEqual(self.client.get(url).status_code, 200, url)
        self.client.force_login(self.regional)
        listed = self.client.get(reverse("chains:chain_list"))
        self.assertEqual(cells(listed, "data-chain", "textile")[:2], ["纺织服装产业链", "另一开发区"])
        self.assertEqual(self.client.get(reverse("chains:chain_detail", args=[self.far.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("chains:pool_import")).status_code, 403)  # read-only

    def test_the_login_is_required(self):
        self.client.logout()
        response = self.client.get(reverse("chains:chain_list"))
        self.assertRedirects(
            response, f"{reverse('login')}?next={reverse('chains:chain_list')}", fetch_redirect_response=False
        )
