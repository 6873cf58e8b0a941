"""/api/indicators/ on the Kashgar demo: the catalog, values by zone, park, industry and period, targets,
and who sees which zone's figures."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from jushi.indicators.demo import SYNTHETIC
from jushi.indicators.models import Indicator, Result
from jushi.indicators.tests.test_engine import DemoBase
from jushi.lib.growth import percent
from jushi.lib.periods import Period, PeriodError
from jushi.registry.models import Zone

VALUES = "/api/indicators/values/"
TARGETS = "/api/indicators/targets/"
CATALOG = "/api/indicators/indicators/"


class IndicatorApiTests(DemoBase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        users = get_user_model().objects
        cls.leader = users.get(username="leader")  # kashgar-edz only
        cls.sheng = users.get(username="sheng")  # kashgar-edz and demo-hitech
        cls.qiye = users.get(username="qiye")  # an enterprise's reporter in kashgar-edz
        cls.other = Zone.objects.get(code="demo-hitech")
        cls.kashgar_rows = Result.objects.filter(zone=cls.zone).count()
        cls.other_rows = Result.objects.filter(zone=cls.other).count()  # the demo's synthetic H1 figures

    def get(self, url, user=None, **params):
        self.client.force_login(user or self.leader)
        return self.client.get(url, params)

    def rows(self, user=None, **params):
        response = self.get(VALUES, user, **params)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def without_time(self, rows):
        return [{k: v for k, v in row.items() if k != "computed"} for row in rows]

    # Catalog ----------------------------------------------------------------------------------------

    def test_catalog_lists_active_indicators_with_their_methods(self):
        body = self.get(CATALOG).json()
        self.assertEqual(body["count"], Indicator.objects.filter(is_active=True).count())
        by_code = {row["code"]: row for row in body["results"]}
        self.assertEqual(
            by_code["GDP"],
            {
                "code": "GDP",
                "zone": None,  # national
                "name": "地区生产总值",
                "unit": "亿元",
                "source": "DEPT",
                "source_display": "部门数据",
                "aggregation": "sum",
                "growth_method": "OFF",
                "growth_method_display": "官方数",
                "price_basis": "real",
                "price_basis_display": "可比价",
                "department": "统计局",
                "form_code": "",
                "field_code": "",
                "formula": "",
                "decimals": 2,
                "description": "",
                "is_active": True,
            },
        )
        go = by_code["IND_GO"]
        self.assertEqual(
            (go["source"], go["growth_method"], go["growth_method_display"], go["price_basis"]),
            ("ENT", "SC", "同口径", "nominal"),
        )
        self.assertEqual((go["form_code"], go["field_code"]), ("ind-monthly", "gross_output"))
        self.assertEqual([row["code"] for row in body["results"]][:3], ["GDP", "IND_N", "IND_GO"])

    def test_inactive_indicators_are_listed_only_on_request_but_always_found_by_code(self):
        Indicator.objects.filter(code="FDI").update(is_active=False)
        listed = {row["code"] for row in self.get(CATALOG).json()["results"]}
        self.assertNotIn("FDI", listed)
        self.assertIn("GDP", listed)
        every = self.get(CATALOG, all="1").json()
        self.assertEqual(every["count"], Indicator.objects.count())
        self.assertIn("FDI", {row["code"] for row in every["results"]})
        one = self.get(f"{CATALOG}FDI/")
        self.assertEqual((one.status_code, one.json()["is_active"]), (200, False))
        self.assertEqual(self.get(f"{CATALOG}NOPE/").status_code, 404)

    def test_an_enterprise_reporter_may_read_the_catalog(self):
        self.assertEqual(self.get(CATALOG, self.qiye).status_code, 200)

    # Values -----------------------------------------------------------------------------------------

    def test_h1_gdp_is_the_published_figure_with_its_growth(self):
        body = self.rows(zone="kashgar-edz", period="2024H1", indicator="GDP")
        self.assertEqual(body["count"], 1)
        self.assertEqual(
            self.without_time(body["results"]),
            [
                {
                    "zone": "kashgar-edz",
                    "zone_name": "喀什经济开发区",
                    "scope": "zone",
                    "scope_key": "",
                    "indicator": "GDP",
                    "indicator_name": "地区生产总值",
                    "unit": "亿元",
                    "period": "2024-06",
                    "period_label": "2024年1-6月",
                    "value": "54.4",
                    "last_year": None,
                    "growth": "0.143",
                    "growth_pct": "14.3",
                    "change": None,
                    "growth_method": "OFF",
                    "price_basis": "real",
                    "units": None,
                    "frame_units": None,
                    "blank_base_units": None,
                    "coverage": None,
                    "provisional": False,
                    "month_value": None,
                    "month_last_year": None,
                    "month_growth": None,
                    "month_growth_pct": None,
                    "published": None,
                    "source": "live",
                },
            ],
        )
        self.assertIn("computed", body["results"][0])

    def test_any_way_of_writing_the_period_finds_the_same_rows(self):
        h1 = self.rows(zone="kashgar-edz", period="2024H1")
        self.assertGreater(h1["count"], 50)  # more than one page: the count tells
        self.assertTrue(all(row["period"] == "2024-06" for row in h1["results"]))
        for code in ("2024-06", "2024Q2", "2024-01..06", "2024m6"):
            same = self.rows(zone="kashgar-edz", period=code)
            self.assertEqual(same["count"], h1["count"], code)
            self.assertEqual(self.without_time(same["results"]), self.without_time(h1["results"]), code)
        whole_year = self.rows(zone="kashgar-edz", period="2023", indicator="IND_GO", scope="zone")
        self.assertEqual([row["period"] for row in whole_year["results"]], ["2023-12"])

    def test_several_indicators_by_comma_in_catalog_order(self):
        body = self.rows(period="2024-06", scope="zone", indicator="IND_GO,GDP")
        self.assertEqual([row["indicator"] for row in body["results"]], ["GDP", "IND_GO"])
        go = body["results"][1]
        self.assertEqual(
            (go["growth_pct"], go["growth_method"], go["price_basis"]), ("30.6", "SC", "nominal")
        )

    def test_park_filter_returns_only_that_park(self):
        body = self.rows(period="2024H1", park="textile")
        expected = Result.objects.filter(zone=self.zone, period="2024-06", scope="park", scope_key="textile")
        self.assertEqual(body["count"], expected.count())
        self.assertGreater(body["count"], 0)
        self.assertEqual({(row["scope"], row["scope_key"]) for row in body["results"]}, {("park", "textile")})
        go = next(row for row in body["results"] if row["indicator"] == "IND_GO")
        stored = expected.get(indicator__code="IND_GO")
        self.assertEqual(Decimal(go["value"]), stored.value)
        self.assertEqual(go["growth_pct"], str(percent(stored.growth)))

    def test_industry_filter_returns_only_that_division(self):
        body = self.rows(period="2024-06", industry="38")
        expected = Result.objects.filter(zone=self.zone, period="2024-06", scope="industry", scope_key="38")
        self.assertEqual(body["count"], expected.count())
        self.assertGreater(body["count"], 0)
        self.assertEqual({(row["scope"], row["scope_key"]) for row in body["results"]}, {("industry", "38")})

    def test_scope_filter_keeps_one_kind_of_row(self):
        for scope in ("zone", "park", "industry"):
            body = self.rows(period="2024-06", scope=scope)
            expected = Result.objects.filter(zone=self.zone, period="2024-06", scope=scope).count()
            self.assertEqual(body["count"], expected, scope)
            self.assertEqual({row["scope"] for row in body["results"]}, {scope})

    def test_year_gives_every_period_of_that_year(self):
        body = self.rows(year=2023, indicator="IND_GO", scope="zone")
        self.assertEqual([row["period"] for row in body["results"]], [f"2023-{m:02d}" for m in range(2, 13)])
        self.assertEqual([row["period_label"] for row in body["results"]][:2], ["2023年1-2月", "2023年1-3月"])

    def test_leader_sees_only_their_own_zone(self):
        self.assertGreater(self.other_rows, 0)
        self.assertEqual(self.rows(zone="demo-hitech", period="all")["count"], 0)
        self.assertEqual(self.rows(period="all")["count"], self.kashgar_rows)
        self.assertEqual(self.rows(period="2024-06", indicator="GDP", scope="zone")["count"], 1)

    def test_a_regional_user_sees_both_of_their_zones(self):
        self.assertEqual(self.rows(self.sheng, period="all")["count"], self.kashgar_rows + self.other_rows)
        body = self.rows(self.sheng, period="2024H1", indicator="GDP")
        self.assertEqual(
            [(row["zone"], row["value"], row["growth_pct"]) for row in body["results"]],
            [("demo-hitech", "31.2", "6.8"), ("kashgar-edz", "54.4", "14.3")],
        )

    def test_an_enterprise_reporter_sees_no_zone_figures(self):
        # Park and industry rows sum a few enterprises: another enterprise's figures would show through.
        self.assertEqual(self.rows(self.qiye)["count"], 0)
        self.assertEqual(self.get(TARGETS, self.qiye).json()["count"], 0)

    def test_a_bad_period_is_a_400_naming_the_field(self):
        response = self.get(VALUES, period="2024H3")
        self.assertEqual(response.status_code, 400)
        with self.assertRaises(PeriodError) as parsed:
            Period.parse("2024H3")
        self.assertEqual(response.json(), {"period": [str(parsed.exception)]})
        self.assertIn("2024H3", response.json()["period"][0])

    def test_other_bad_filters_are_400s_naming_the_field(self):
        self.assertEqual(
            self.get(VALUES, industry="3841").json(),
            {"industry": ["行业应为两位数字的国民经济行业大类代码,如 38"]},
        )
        for name, value in (("year", "abc"), ("year", "1990"), ("scope", "city")):
            response = self.get(VALUES, **{name: value})
            self.assertEqual(response.status_code, 400, (name, value))
            self.assertEqual(list(response.json()), [name])

    def test_token_authentication_works(self):
        token = Token.objects.create(user=self.leader)
        response = self.client.get(
            VALUES, {"indicator": "GDP", "period": "2024H1"}, HTTP_AUTHORIZATION=f"Token {token.key}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual({row["zone"] for row in response.json()["results"]}, {"kashgar-edz"})

    def test_anonymous_gets_nothing(self):
        for url in (CATALOG, f"{CATALOG}GDP/", VALUES, TARGETS):
            self.assertIn(self.client.get(url).status_code, (401, 403), url)

    def test_values_query_count_does_not_grow_with_rows(self):
        self.client.force_login(self.leader)

        def count(**params):
            self.client.get(VALUES, params)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(VALUES, params)
            return len(queries), len(response.json()["results"])

        one, fifty = count(indicator="GDP", period="2024-06"), count(period="all")
        self.assertEqual((one[1], fifty[1]), (1, 50))
        self.assertEqual(fifty[0], one[0] + 1)  # a COUNT when there are more pages; none when one holds all
        with self.assertNumQueries(7):  # session, user, scope, scope zones, count, page, publications
            self.client.get(VALUES, {"period": "all"})

    def test_pages_count_and_link_whether_or_not_one_page_holds_all(self):
        total = Result.objects.filter(zone=self.zone).count()
        first = self.rows(period="all")
        self.assertEqual((first["count"], len(first["results"]), first["previous"]), (total, 50, None))
        self.assertIn("page=2", first["next"])
        second = self.rows(period="all", page=2)
        self.assertEqual((second["count"], len(second["results"])), (total, 50))
        self.assertNotEqual(second["results"][0], first["results"][0])
        whole = self.rows(period="2024H1", indicator="GDP")
        self.assertEqual((whole["count"], whole["next"], whole["previous"]), (1, None, None))

    @override_settings(JUSHI_TODAY="2024-07-20")
    def test_without_a_period_each_zone_gives_its_current_period(self):
        # Nothing published in this demo copy: the latest period past its deadline, June (July is open).
        body = self.rows(self.sheng, indicator="GDP,IND_GO", scope="zone")
        self.assertEqual(
            {(row["zone"], row["indicator"], row["period"]) for row in body["results"]},
            {
                ("kashgar-edz", "GDP", "2024-06"),
                ("kashgar-edz", "IND_GO", "2024-06"),
                ("demo-hitech", "GDP", "2024-06"),
            },
        )

    # Targets ----------------------------------------------------------------------------------------

    def test_targets_list_the_2024_gdp_target(self):
        body = self.get(TARGETS).json()
        self.assertEqual(body["count"], 3)
        self.assertEqual(
            body["results"][0],
            {
                "zone": "kashgar-edz",
                "indicator": "GDP",
                "indicator_name": "地区生产总值",
                "unit": "亿元",
                "year": 2024,
                "value": "110",
                "growth": None,
                "note": SYNTHETIC,
            },
        )
        self.assertEqual([row["indicator"] for row in body["results"]], ["GDP", "FISC_GPB", "MKT_NEW"])

    def test_target_filters(self):
        def indicators(**params):
            return [row["indicator"] for row in self.get(TARGETS, **params).json()["results"]]

        self.assertEqual(indicators(indicator="GDP"), ["GDP"])
        self.assertEqual(indicators(indicator="MKT_NEW,GDP", year=2024), ["GDP", "MKT_NEW"])
        self.assertEqual(indicators(year=2023), [])
        self.assertEqual(indicators(zone="kashgar-edz"), ["GDP", "FISC_GPB", "MKT_NEW"])
        self.assertEqual(indicators(zone="demo-hitech"), [])

    # Schema -----------------------------------------------------------------------------------------

    def test_schema_documents_the_endpoints_and_their_filters(self):
        self.client.force_login(self.leader)
        schema = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        for path in (CATALOG, f"{CATALOG}{{code}}/", VALUES, TARGETS):
            self.assertIn(path, schema["paths"])

        def params(path):
            return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}

        values = params(VALUES)
        self.assertTrue({"zone", "indicator", "scope", "park", "industry", "period", "year"} <= set(values))
        self.assertIn("2024H1", values["period"]["description"])
        self.assertEqual(values["indicator"]["schema"]["type"], "array")
        self.assertTrue({"zone", "indicator", "year"} <= set(params(TARGETS)))
        self.assertIn("all", params(CATALOG))

    def test_fast_rows_are_the_serializers_rows_and_one_page_can_hold_a_province(self):
        from jushi.indicators.api.serializers import ResultSerializer

        self.client.force_login(self.leader)
        body = self.client.get(VALUES, {"period": "2024H1", "page_size": 1000}).json()
        rows = Result.objects.filter(zone__code="kashgar-edz", period="2024-06").select_related(
            "zone", "indicator"
        )
        self.assertEqual(body["count"], rows.count())
        self.assertEqual(len(body["results"]), rows.count())  # beyond the default 50, up to 1,000
        expected = {
            (r["indicator"], r["scope"], r["scope_key"]): r for r in ResultSerializer(rows, many=True).data
        }
        for row in body["results"]:
            self.assertEqual(row, expected[(row["indicator"], row["scope"], row["scope_key"])])
        capped = self.client.get(VALUES, {"page_size": 5000}).json()
        self.assertLessEqual(len(capped["results"]), 1000)
