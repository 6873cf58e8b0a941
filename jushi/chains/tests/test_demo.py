"""The demo chains reproduce the seed's lithium figures; the bulletin carries them with all the earlier ones."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from jushi.indicators import demo as indicators_demo
from jushi.indicators.bulletin import bulletin
from jushi.lib.periods import Period
from jushi.projects import demo as projects_demo
from jushi.registry import demo as registry_demo
from jushi.registry.models import Zone
from jushi.reporting import demo as reporting_demo

from .. import demo
from ..figures import bulletin_sentence, chain_figures, facts
from ..gaps import gaps
from ..models import Chain, NodeLink


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

    def test_the_2023h1_bulletin_states_the_chain_as_it_stood_on_2023_06_30(self):
        then = (
            "引进落地锂电产业企业18家,其中上游材料企业5家、电池企业13家,总投资达44.8亿元,"
            "全部建成投产后产值预计可以达到77.31亿元"
        )
        self.assertEqual(bulletin_sentence(self.zone, Period.parse("2023H1")), then)
        self.assertIn(then + "。", bulletin(self.zone, "2023H1"))
        self.assertEqual(
            bulletin_sentence(self.zone, Period.parse("2024H1")),
            "引进落地锂电产业企业31家,其中上游材料企业6家、电池企业23家、锂电供应链企业2家,总投资达80亿元,"
            "全部建成投产后产值预计可以达到130亿元",
        )

    def test_lithium_landing_dates_seed_and_synthetic(self):
        lithium = NodeLink.objects.filter(node__chain__code="lithium", node__chain__zone=self.zone)
        shengyue = lithium.get(enterprise__name="新疆盛跃恒昌锂业有限公司")
        self.assertEqual(shengyue.landed_on, dt.date(2022, 9, 1))
        self.assertIn("2022年9月入驻", shengyue.note)
        others = lithium.exclude(pk=shengyue.pk)
        self.assertEqual(others.count(), 30)
        self.assertTrue(all("落地日期为合成数据" in k.note for k in others))
        dates = sorted(k.landed_on for k in others)
        self.assertEqual((dates[0], dates[-1]), (dt.date(2021, 5, 1), dt.date(2024, 6, 1)))
        self.assertEqual({d.year for d in dates}, {2021, 2022, 2023, 2024})
        self.assertFalse(lithium.filter(ended_on__isnull=False).exists())
        before = NodeLink.objects.count()
        demo.load(StringIO(), password="demo-pass-1")  # loading twice changes nothing
        self.assertEqual(NodeLink.objects.count(), before)
