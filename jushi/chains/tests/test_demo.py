"""The demo chains reproduce the seed's lithium figures; the bulletin carries them with all the earlier ones."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from jushi.indicators import demo as indicators_demo
from jushi.projects import demo as projects_demo
from jushi.registry import demo as registry_demo
from jushi.registry.models import Zone
from jushi.reporting import demo as reporting_demo

from .. import demo
from ..figures import chain_figures, facts
from ..gaps import gaps
from ..models import Chain


class DemoChainTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for module in (registry_demo, reporting_demo, indicators_demo, projects_demo, demo):
            module.load(StringIO(), password="demo-pass-1")
        cls.zone = Zone.objects.get(code="kashgar-edz")

    def test_the_bulletin_prints_the_chain_and_every_earlier_figure(self):
        out = StringIO()
        call_command("bulletin", zone="kashgar-edz", period="2024H1", stdout=out)
        text = out.getvalue()
        for phrase in (
            "引进落地锂电产业企业31家,其中上游材料企业6家、电池企业23家、锂电供应链企业2家,总投资达80亿元",
            "产值预计可以达到130亿元",
            "招商引资到位资金58.32亿元,同比增长7.0%",
            "新签订招商引资合同项目20个,总投资58.8亿元",
            "新建亿元以上项目26个,同比增长30%",
            "地区生产总值54.4亿元,同比增长14.3%",
            "同比增长30.6%",
            "规上工业增加值同比增长5.4%",
            "一般公共预算收入5.26亿元,同比增长32.5%",
            "新增市场经营主体651户,同比增长5.2%",
        ):
            self.assertIn(phrase, text)

    def test_the_lithium_gaps_and_the_other_chains(self):
        lithium = Chain.objects.get(zone=self.zone, code="lithium")
        nodes, figures = chain_figures(lithium)
        work = {(g.node.code, g.gap) for g in gaps(facts(nodes, figures))}
        self.assertIn(("separator", "fill"), work)
        self.assertIn(("storage-systems", "extend"), work)
        self.assertIn(("supply", "strengthen"), work)
        self.assertNotIn("power-cells", {code for code, _ in work})
        electronics = Chain.objects.get(zone=self.zone, code="electronics")
        nodes, figures = chain_figures(electronics)
        projects = sum(sum(figures[n.pk].projects.values()) for n in nodes if n.parent_id is None)
        self.assertEqual(projects, 12)  # the 12 display and terminal projects
        drones = Chain.objects.get(zone=self.zone, code="drones")
        nodes, figures = chain_figures(drones)
        airframes = next(figures[n.pk] for n in nodes if n.code == "airframes")
        self.assertEqual(airframes.investment, 15000)  # 中天智控, counted once (enterprise and its project)
        self.assertTrue(Chain.objects.filter(zone=self.zone, code="textile").exists())
