"""The dashboard on the demo: cards with their basis, targets against time progress, the bulletin, scoping."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from jushi.registry.models import Zone

from .test_engine import DemoBase


class DashboardTests(DemoBase):
    def get(self, username, **params):
        self.client.force_login(get_user_model().objects.get(username=username))
        return self.client.get(reverse("indicators:dashboard"), params)

    def test_leader_sees_h1_cards_targets_plan_and_bulletin(self):
        response = self.get("leader", zone="kashgar-edz", period="2024H1")
        self.assertEqual(response.status_code, 200)
        codes = [c["indicator"].code for c in response.context["cards"]]
        self.assertEqual(codes[:3], ["GDP", "IND_N", "IND_GO"])
        gdp = response.context["cards"][0]
        self.assertEqual(
            (gdp["value_text"], gdp["change_text"], gdp["basis"]), ("54.4", "增长14.3%", "官方数 · 可比价")
        )
        self.assertEqual(
            gdp["target"]["status"], "amber"
        )  # 54.4 of 110 at half-year: 49.5%, 0.5 points behind
        self.assertContains(response, "完成年度目标的49.5%,低于时序进度0.5个百分点")
        self.assertContains(response, "同口径 · 现价")
        self.assertContains(response, "高质量发展三年倍增行动")
        self.assertContains(response, "2024年上半年,喀什经济开发区地区生产总值54.4亿元,同比增长14.3%")
        self.assertEqual(len(response.context["trend"]["this"]), 11)  # 1-2月 … 1-12月

    def test_a_user_sees_only_zones_in_scope(self):
        zones = {z.code for z in self.get("leader").context["zones"]}
        self.assertEqual(zones, {"kashgar-edz"})
        other = Zone.objects.exclude(code="kashgar-edz").first()
        if other is not None:  # asking for a zone out of scope shows one in scope instead
            response = self.get("leader", zone=other.code)
            self.assertEqual(response.context["zone"].code, "kashgar-edz")

    def test_a_bad_period_is_not_found_and_anonymous_users_log_in(self):
        self.assertEqual(self.get("leader", period="2024H3").status_code, 404)
        self.client.logout()
        response = self.client.get(reverse("indicators:dashboard"))
        self.assertEqual(response.status_code, 302)


class IndicatorAndRankingTests(DemoBase):
    def login(self, username):
        self.client.force_login(get_user_model().objects.get(username=username))

    def test_indicator_page_lists_periods_breakdowns_and_exports(self):
        self.login("leader")
        url = reverse("indicators:indicator", args=["IND_GO"])
        response = self.client.get(url, {"zone": "kashgar-edz"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["rows"][0]["period"].code, "2024-06")
        self.assertEqual(str(response.context["rows"][0]["pct"]), "30.6")
        scopes = {p["r"].scope for p in response.context["parts"]}
        self.assertEqual(scopes, {"park", "industry"})
        export = self.client.get(url, {"zone": "kashgar-edz", "export": "xlsx"})
        self.assertEqual(
            export["Content-Type"].split(";")[0],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        from io import BytesIO

        from openpyxl import load_workbook

        sheet = load_workbook(BytesIO(export.content)).active
        self.assertEqual(sheet["A1"].value, "报告期")
        self.assertEqual(sheet["A2"].value, "2024年1-6月")
        self.assertEqual(sheet["D2"].value, 30.6)  # a number people compute with
        self.assertEqual(self.client.get(reverse("indicators:indicator", args=["NOPE"])).status_code, 404)

    def test_ranking_orders_zones_in_scope_and_lists_those_without_data(self):
        self.login("sheng")
        response = self.client.get(reverse("indicators:ranking"), {"indicator": "GDP", "period": "2024H1"})
        names = [row["r"].zone.code for row in response.context["rows"]]
        self.assertEqual(names, ["kashgar-edz", "demo-hitech"])  # 14.3% ahead of 6.8%
        response = self.client.get(reverse("indicators:ranking"), {"indicator": "IND_GO", "period": "2024H1"})
        self.assertEqual([z.code for z in response.context["missing"]], ["demo-hitech"])
        self.login("leader")
        response = self.client.get(reverse("indicators:ranking"), {"indicator": "GDP", "period": "2024H1"})
        self.assertEqual([row["r"].zone.code for row in response.context["rows"]], ["kashgar-edz"])


class MonthlyTableTests(DemoBase):
    def test_the_month_is_the_difference_of_cumulatives_with_its_own_growth(self):
        from decimal import Decimal
        from io import BytesIO

        from openpyxl import load_workbook

        from jushi.indicators.models import Result

        self.client.force_login(get_user_model().objects.get(username="leader"))
        response = self.client.get(
            reverse("indicators:dashboard"), {"zone": "kashgar-edz", "period": "2024-05", "export": "monthly"}
        )
        sheet = load_workbook(BytesIO(response.content)).active
        self.assertEqual(
            [c.value for c in sheet[1]],
            ["指标", "单位", "5月", "同比(%)", "1-5月", "同比(%)", "增速口径", "覆盖"],
        )
        rows = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
        may = Result.objects.get(zone=self.zone, indicator__code="IND_GO", period="2024-05", scope="zone")
        april = Result.objects.get(zone=self.zone, indicator__code="IND_GO", period="2024-04", scope="zone")
        own = may.value - april.value
        own_growth = own / (may.last_year - april.last_year) - 1
        from jushi.lib.growth import percent

        # Every demo enterprise is approved in both months, so the same-caliber month is the difference.
        self.assertEqual(may.month_value, own)
        self.assertEqual(rows["规上工业总产值"][2], float(own.quantize(Decimal("0.01"))))
        self.assertEqual(rows["规上工业总产值"][3], float(percent(own_growth)))
        self.assertEqual(rows["规上工业总产值"][5], float(percent(may.growth)))
        self.assertEqual(rows["规上工业总产值"][7], "28/28 家已审核")
        self.assertEqual(rows["研发费用占营业收入比重"][2], None)  # a ratio has no month of its own


class ScreenTests(DemoBase):
    def test_the_wall_display_is_dark_full_screen_and_refreshes_itself(self):
        self.client.force_login(get_user_model().objects.get(username="leader"))
        response = self.client.get(reverse("indicators:screen"), {"zone": "kashgar-edz", "period": "2024H1"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<meta http-equiv="refresh" content="300">', html=False)
        self.assertNotContains(response, 'class="side"')  # no navigation shell on the wall
        self.assertContains(response, "喀什经济开发区 · 经济运行监测")
        self.assertContains(response, "增长30.6%")
        self.client.logout()
        self.assertEqual(self.client.get(reverse("indicators:screen")).status_code, 302)


class DriversTests(DemoBase):
    def test_parks_pulls_add_up_to_the_growth_and_enterprises_are_ranked(self):
        from decimal import Decimal

        self.client.force_login(get_user_model().objects.get(username="leader"))
        drivers = self.client.get(reverse("indicators:dashboard"), {"period": "2024H1"}).context["drivers"]
        self.assertEqual(sum(r["pull"] for r in drivers["parks"]), Decimal("30.6"))
        deltas = [r["delta"] for r in drivers["top"]]
        self.assertEqual(deltas, sorted(deltas, reverse=True))
        self.assertEqual(len(drivers["top"]), 5)


class ReporterTests(DemoBase):
    def test_enterprise_reporters_see_no_zone_figures(self):
        self.client.force_login(get_user_model().objects.get(username="qiye"))
        pages = [
            reverse(f"indicators:{name}")
            for name in ("dashboard", "screen", "ranking", "figures", "publications")
        ] + [reverse("indicators:indicator", args=["IND_GO"])]
        for url in pages:  # the Chinese refusal page in the shell, not a blank or empty page
            response = self.client.get(url, {"indicator": "GDP"})
            self.assertContains(
                response, "企业填报账号只能查看和填报本企业的报表", status_code=403, msg_prefix=url
            )
            self.assertNotContains(response, "54.4", status_code=403, msg_prefix=url)
