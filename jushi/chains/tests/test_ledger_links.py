"""Chains see the ledger (issue 14, points 9 and 11): a node page suggests the ledger projects whose
industry belongs to the node and that are not on the chain yet (建议关联), counted nowhere until a click
links them; a lead made from a target company carries the node's industry and a park; the node page links
its projects and enterprises.

The chain of `ChainTestCase`: 上游材料 ─ 正极材料 (3985); 电池制造 (3841); 储能应用 (target map only, no
industry). The ledger below: a signed 3841 battery project with funds (suggested to 电池制造), a signed
3985 cathode project (suggested to 正极材料), a confidential 3841 project (suggested only to those who may
see it), a 3841 project already on the node, a 3841 project whose company is on the chain, a cotton
project, a flagged duplicate and a 3841 project of the other zone (none of these four suggested)."""

import datetime as dt
import re
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jushi.core.choices import ChangeSource
from jushi.projects import services as ledger
from jushi.projects.models import Project

from .. import services, suggested
from ..models import Chain, Node, NodeLink, PoolCompany
from ..views.editing import LinkForm
from .test_pages import cells, text_of
from .test_services import ChainTestCase

WEB = ChangeSource.WEB


def suggested_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-suggested="(\d+)"', response.content.decode())}


class LedgerCase(ChainTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ent_b.park = cls.energy
        cls.ent_b.save()
        services.link(
            actor=cls.admin, node=cls.cells, enterprise=cls.ent_b, landed_on=dt.date(2020, 1, 1), source=WEB
        )

        def signed(name, investor, industry, amount, park="energy", **data):
            lead = cls.lead(cls, name=name, investor=investor, park=park, **data)
            return cls.sign(cls, lead, amount=amount, industry=industry)

        cls.battery = signed("锂电池生产线项目", "恒远锂电池集团有限公司", "3841", "20000")
        ledger.record_funds(
            actor=cls.admin,
            project=cls.battery,
            on=dt.date(2024, 7, 1),
            amount_wan="5000",
            evidence="bank",
            source=WEB,
        )
        cls.cathode_project = signed("正极材料项目", "华拓正极材料有限公司", "3985", "8000")
        cls.secret = signed("固态电池项目", "北辰固态电池有限公司", "3841", "30000", confidential=True)
        cls.on_node = signed("储能电池项目", "瑞丰储能有限公司", "3841", "6000")
        services.link(actor=cls.admin, node=cls.cells, project=cls.on_node, source=WEB)
        cls.company_on_chain = signed("乙锂电二期项目", "乙锂电投资有限公司", "3841", "4000")
        Project.objects.filter(pk=cls.company_on_chain.pk).update(enterprise=cls.ent_b)
        cls.cotton_project = signed("纺纱项目", "天润纺织有限公司", "1711", "3000", park="textile")
        cls.duplicate = signed("锂电池生产线项目二", "宏图锂电池有限公司", "3841", "20000")
        Project.objects.filter(pk=cls.duplicate.pk).update(duplicate_status="flagged")
        cls.far = ledger.create_project(
            actor=cls.other_admin,
            zone=cls.other,
            data={"name": "外区电池项目", "investor_name": "外区电池有限公司", "industry": "3841"},
            source=WEB,
        )

    def node_page(self, node, user=None):
        self.client.force_login(user or self.admin)
        return self.client.get(reverse("chains:node_detail", args=[node.pk]))


class SuggestionTests(LedgerCase):
    def test_a_node_suggests_the_unlinked_projects_of_its_industry(self):
        response = self.node_page(self.cells)
        self.assertEqual(suggested_ids(response), {self.battery.pk, self.secret.pk})
        self.assertEqual(
            cells(response, "data-suggested", str(self.battery.pk)),
            [
                self.battery.code,
                "锂电池生产线项目恒远锂电池集团有限公司",
                "锂离子电池制造",
                "新能源产业园",
                "签约",
                "20000.00",
                "5000.00",
                "关联",
            ],
        )
        self.assertIn("未计入,关联后计入", text_of(response, "ledger-uncounted"))
        self.assertIn("协议投资 5.00 亿元,到位资金 0.50 亿元", text_of(response, "ledger-uncounted"))
        self.assertContains(
            response, '<a href="#ledger-suggestions">2 个待关联</a>'
        )  # under the project card
        cathode = self.node_page(self.cathode)
        self.assertEqual(suggested_ids(cathode), {self.cathode_project.pk})
        # a parent lists its sub-nodes' suggestions, the button naming the node it links to
        parent = self.node_page(self.materials)
        self.assertEqual(suggested_ids(parent), {self.cathode_project.pk})
        self.assertEqual(cells(parent, "data-suggested", str(self.cathode_project.pk))[-1], "关联到正极材料")

    def test_a_confidential_project_is_not_suggested_to_who_may_not_see_it(self):
        response = self.node_page(self.cells, self.reviewer)
        self.assertEqual(suggested_ids(response), {self.battery.pk})
        self.assertNotContains(response, "固态电池项目")
        chain = self.client.get(reverse("chains:chain_detail", args=[self.chain.pk]))
        self.assertEqual(cells(chain, "data-node", "cells")[0], "电池制造 待关联 1")
        self.client.force_login(self.admin)
        chain = self.client.get(reverse("chains:chain_detail", args=[self.chain.pk]))
        self.assertEqual(cells(chain, "data-node", "cells")[0], "电池制造 待关联 2")
        self.assertEqual(cells(chain, "data-node", "materials")[0], "上游材料 待关联 1")  # its sub-node's
        self.assertIn("另有 3 个项目", text_of(chain, "chain-waiting"))

    def test_the_chain_list_says_how_many_wait(self):
        self.client.force_login(self.reviewer)
        response = self.client.get(reverse("chains:chain_list"))
        self.assertEqual(
            cells(response, "data-chain", "lithium")[0], "锂电产业链 待关联 2"
        )  # battery, cathode
        self.client.force_login(self.admin)
        response = self.client.get(reverse("chains:chain_list"))
        self.assertEqual(cells(response, "data-chain", "lithium")[0], "锂电产业链 待关联 3")

    def test_suggestions_count_in_no_figure_until_linked(self):
        self.client.force_login(self.admin)
        url = reverse("chains:chain_detail", args=[self.chain.pk])
        # 节点, 环节, 强度, 缺口, 企业, 规上, 在谈, 协议投资, 到位资金 (亿元) …: the on-node project's 6000 and
        # the 4000 of ent_b's project (its company is on the node)
        before = cells(self.client.get(url), "data-node", "cells")
        self.assertEqual(before[7:9], ["1.00", "0.00"])
        response = self.client.post(
            reverse("chains:node_link", args=[self.cells.pk]),
            {"project": self.battery.pk, "role": "supporting", "back": self.cells.pk},
        )
        self.assertRedirects(
            response,
            reverse("chains:node_detail", args=[self.cells.pk]) + "#ledger-suggestions",
            fetch_redirect_response=False,
        )
        made = NodeLink.objects.get(node=self.cells, project=self.battery)
        self.assertEqual(made.landed_on, self.battery.signed_on)
        page = self.client.get(reverse("chains:node_detail", args=[self.cells.pk]))
        self.assertContains(page, f"已将项目“{self.battery.code} 锂电池生产线项目”关联到“电池制造”")
        self.assertEqual(suggested_ids(page), {self.secret.pk})
        self.assertEqual(
            cells(page, "data-project", str(self.battery.pk))[:6],
            [self.battery.code, "锂电池生产线项目", "配套", "签约", "20000.00", "5000.00"],
        )
        after = cells(self.client.get(url), "data-node", "cells")
        self.assertEqual(after[7:9], ["3.00", "0.50"])  # + 20000 万元 agreed, + 5000 万元 in place

    def test_a_suggested_project_older_than_the_form_list_is_still_linked(self):
        self.client.force_login(self.admin)
        with mock.patch("jushi.chains.views.editing.PROJECT_CHOICES", 1):  # the list holds one project
            offered = LinkForm(node=self.cells, user=self.admin).projects
            self.assertEqual(len(offered), 1)
            self.assertNotIn(str(self.cathode_project.pk), offered)
            self.client.post(
                reverse("chains:node_link", args=[self.cells.pk]),
                {"project": self.cathode_project.pk, "role": "supporting"},
            )
            self.client.post(
                reverse("chains:node_link", args=[self.cells.pk]),
                {"project": self.far.pk, "role": "supporting"},  # another zone's: not found
            )
        self.assertTrue(NodeLink.objects.filter(node=self.cells, project=self.cathode_project).exists())
        self.assertFalse(NodeLink.objects.filter(project=self.far).exists())

    def test_a_project_once_ended_on_the_chain_is_not_suggested_again(self):
        made = services.link(actor=self.admin, node=self.cells, project=self.battery, source=WEB)
        services.unlink(actor=self.admin, link_=made, reason="并入储能项目", source=WEB)
        self.assertNotIn(self.battery.pk, suggested_ids(self.node_page(self.cells)))

    def test_the_longest_prefix_wins_and_equal_prefixes_share(self):
        self.cells.industry_prefixes = "384"
        self.cells.save()
        power = Node.objects.create(
            chain=self.chain,
            code="power",
            name="动力电池",
            segment="mid",
            parent=self.cells,
            industry_prefixes="3841",
        )
        small = Node.objects.create(
            chain=self.chain,
            code="small",
            name="小动力电池",
            segment="mid",
            parent=self.cells,
            industry_prefixes="3841、3842",
        )
        nodes = list(Node.objects.filter(chain=self.chain))
        found = suggested.for_chain(self.chain, nodes, user=self.admin)
        self.assertEqual(found.by_node[self.cells.pk], [])
        self.assertEqual({s.project.pk for s in found.by_node[power.pk]}, {self.battery.pk, self.secret.pk})
        self.assertEqual([n.code for n in found.by_node[small.pk][0].nodes], ["power", "small"])
        self.assertEqual(found.count_under([self.cells.pk, power.pk, small.pk]), 2)
        page = self.node_page(power)  # one button a node: the user chooses
        self.assertEqual(cells(page, "data-suggested", str(self.battery.pk))[-1], "关联到 动力电池小动力电池")
        self.assertContains(page, 'aria-label="关联到小动力电池"')

    def test_one_query_reads_every_node_suggestions(self):
        nodes = list(Node.objects.filter(chain=self.chain))
        suggested.for_chain(self.chain, nodes, user=self.reviewer)  # the user's scope, cached
        with CaptureQueriesContext(connection) as queries:
            suggested.for_chain(self.chain, nodes, user=self.reviewer)
        self.assertEqual(len(queries), 1)

    def test_a_user_who_may_not_change_sees_suggestions_without_buttons(self):
        response = self.node_page(self.cells, self.leader)
        self.assertEqual(suggested_ids(response), {self.battery.pk})  # a leader sees no confidential project
        self.assertNotContains(response, 'class="suggest-link"')
        # and the link itself stays refused
        response = self.client.post(
            reverse("chains:node_link", args=[self.cells.pk]), {"project": self.battery.pk, "role": "core"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(NodeLink.objects.filter(project=self.battery).exists())


class ApiTests(LedgerCase):
    def test_the_node_detail_lists_its_ledger_suggestions_as_the_user_may_see_them(self):
        url = f"/api/chains/nodes/{self.cells.pk}/"
        self.client.force_login(self.admin)
        body = self.client.get(url).json()
        self.assertEqual(
            [(s["code"], s["industry"], s["funds_in_place"], s["nodes"]) for s in body["ledger_suggestions"]],
            [
                (self.secret.code, "3841", "0.00", ["cells"]),
                (self.battery.code, "3841", "5000.00", ["cells"]),
            ],
        )
        self.client.force_login(self.reviewer)
        body = self.client.get(url).json()
        self.assertEqual([s["project"] for s in body["ledger_suggestions"]], [self.battery.pk])
        self.assertEqual(body["figures"]["investment"], "1.0000")  # 亿元, not counted: 6000 + 4000 万元 only


class LeadTests(LedgerCase):
    def test_a_lead_from_a_target_company_carries_the_node_industry_and_park(self):
        company = PoolCompany.objects.create(
            zone=self.kashgar, name="甲正极材料股份有限公司", node=self.cathode, size="large"
        )
        self.client.force_login(self.admin)
        response = self.client.post(reverse("chains:pool_convert", args=[company.pk]), follow=True)
        lead = PoolCompany.objects.get(pk=company.pk).lead
        self.assertEqual((lead.industry.code, lead.park), ("3985", self.energy))
        self.assertTrue(NodeLink.objects.filter(node=self.cathode, project=lead).exists())
        self.assertContains(response, "行业取自本节点的对应行业:3985")
        # the chain's links sit in 新能源产业园 (ent_b and the project on 电池制造)
        self.assertContains(response, "功能区取自产业链“锂电产业链”已有企业和项目最多所在的“新能源产业园”")

    def test_a_sub_node_without_industry_takes_its_parent_and_an_empty_chain_says_so(self):
        bare = Chain.objects.create(zone=self.kashgar, code="drones", name="无人机产业链")
        top = Node.objects.create(
            chain=bare, code="uav", name="整机", segment="mid", industry_prefixes="3963"
        )
        leaf = Node.objects.create(chain=bare, code="parts", name="零部件", segment="mid", parent=top)
        company = PoolCompany.objects.create(
            zone=self.kashgar, name="天眼飞控有限公司", node=leaf, size="medium"
        )
        lead = services.convert_to_lead(actor=self.admin, company=company, source=WEB)
        self.assertEqual(lead.industry.code, "3963")
        self.assertIsNone(lead.park)  # no link on the chain, no 3963 project in the ledger
        self.assertIn("上级节点“整机”", lead.particulars.industry_from)
        self.assertIn("功能区未填", lead.particulars.park_from)
        empty = Node.objects.create(chain=bare, code="services", name="应用服务", segment="down")
        other = PoolCompany.objects.create(
            zone=self.kashgar, name="云翼服务有限公司", node=empty, size="small"
        )
        lead = services.convert_to_lead(actor=self.admin, company=other, source=WEB)
        self.assertIsNone(lead.industry)
        self.assertIn("行业未填", lead.particulars.industry_from)

    def test_a_chain_without_links_takes_the_park_of_the_ledger_projects_of_its_industry(self):
        bare = Chain.objects.create(zone=self.kashgar, code="textile", name="纺织服装产业链")
        spinning = Node.objects.create(
            chain=bare, code="spinning", name="纺纱", segment="up", industry_prefixes="1711"
        )
        company = PoolCompany.objects.create(
            zone=self.kashgar, name="丝路纺纱有限公司", node=spinning, size="large"
        )
        lead = services.convert_to_lead(actor=self.admin, company=company, source=WEB)
        self.assertEqual((lead.industry.code, lead.park), ("1711", self.textile))
        self.assertIn("台账中", lead.particulars.park_from)

    def test_the_api_answers_the_lead_with_its_industry_and_park(self):
        company = PoolCompany.objects.create(
            zone=self.kashgar, name="乙正极材料有限公司", node=self.cathode, size="medium"
        )
        self.client.force_login(self.admin)
        response = self.client.post(f"/api/chains/pool/{company.pk}/convert/")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(
            (response.json()["lead"]["industry"], response.json()["lead"]["park"]), ("3985", "energy")
        )


class NodePageLinkTests(LedgerCase):
    def test_the_node_page_links_projects_enterprises_and_codes(self):
        registered = PoolCompany.objects.create(
            zone=self.kashgar,
            name="乙锂电有限公司",
            credit_code=self.ent_b.credit_code,
            node=self.cells,
            size="large",
        )
        outside = PoolCompany.objects.create(
            zone=self.kashgar, name="丙电池有限公司", node=self.cells, size="small"
        )
        response = self.node_page(self.cells)
        html = response.content.decode()
        project_url = reverse("projects:project_detail", args=[self.on_node.pk])
        self.assertIn(
            f'<a href="{project_url}" title="储能电池项目"><code>{self.on_node.code}</code></a>', html
        )
        enterprise_url = reverse("registry:enterprise_detail", args=[self.ent_b.pk])
        self.assertIn(f'href="{enterprise_url}">乙锂电有限公司</a>', html)  # the linked enterprise
        pool = re.search(rf'<tr data-pool="{registered.pk}">(.*?)</tr>', html, re.S).group(1)
        self.assertIn(f'href="{enterprise_url}"', pool)  # the pool entry that is a registry enterprise
        plain = re.search(rf'<tr data-pool="{outside.pk}">(.*?)</tr>', html, re.S).group(1)
        self.assertNotIn("enterprise", plain)
        self.assertIn(
            f'href="{reverse("chains:chain_detail", args=[self.chain.pk])}" title="产业链:锂电产业链"', html
        )
        self.assertIn('<code title="节点:电池制造">cells</code>', html)
        self.assertIn('<code title="锂离子电池制造">3841</code>', html)
        # every <code> on the page is inside a link or carries a title
        for match in re.finditer(r"<code(?P<attrs>[^>]*)>(?P<text>[^<]*)</code>", html):
            before = html[: match.start()]
            inside_link = before.rfind("<a ") > before.rfind("</a>")
            self.assertTrue(inside_link or "title=" in match.group("attrs"), match.group(0))
