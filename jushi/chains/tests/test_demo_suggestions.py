"""The demo's lithium chain and the ledger: the ledger's battery projects are not on the chain (its figures
are the published 31 enterprises'), so the node pages suggest them, with their funds, not counted."""

from io import StringIO

from django.test import TestCase
from django.urls import reverse

from jushi.accounts.models import User
from jushi.indicators import demo as indicators_demo
from jushi.projects import demo as projects_demo
from jushi.projects.choices import COUNTED
from jushi.projects.models import Project
from jushi.registry import demo as registry_demo
from jushi.reporting import demo as reporting_demo

from .. import demo, suggested
from ..figures import chain_figures
from ..models import Chain, Node


class DemoSuggestionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for module in (registry_demo, reporting_demo, indicators_demo, projects_demo, demo):
            module.load(StringIO(), password="demo-pass-1")
        cls.lithium = Chain.objects.get(zone__code="kashgar-edz", code="lithium")
        cls.admin = User.objects.get(username="admin")

    def test_the_battery_projects_are_suggested_on_the_cell_nodes_and_not_counted(self):
        nodes, figures = chain_figures(self.lithium)
        top = [n for n in nodes if n.parent_id is None]
        self.assertEqual(sum(sum(figures[n.pk].projects.values()) for n in top), 0)  # none linked
        found = suggested.for_chain(self.lithium, nodes, user=self.admin)
        battery = set(
            Project.objects.filter(
                zone=self.lithium.zone, industry__code="3841", duplicate_status__in=COUNTED
            ).values_list("pk", flat=True)
        )
        self.assertGreater(len(battery), 5)
        power = Node.objects.get(chain=self.lithium, code="power-cells")
        self.assertEqual({s.project.pk for s in found.by_node[power.pk]}, battery)
        cells = Node.objects.get(chain=self.lithium, code="cells")
        self.assertEqual(found.by_node[cells.pk], [])  # the sub-nodes' 3841 is longer than its 384
        self.client.force_login(self.admin)
        response = self.client.get(reverse("chains:node_detail", args=[power.pk]))
        self.assertContains(response, "未计入,关联后计入")
        self.assertContains(response, "锂离子动力电池生产线")
        chain = self.client.get(reverse("chains:chain_detail", args=[self.lithium.pk]))
        self.assertContains(chain, f'data-waiting="{len(battery)}"')
