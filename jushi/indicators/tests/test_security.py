"""Issue 13, points 2 and 3: the national catalog is national admins' business, a zone keeps its own
indicators (computed and shown only there), every change is logged with its zone; figures are refused,
never cut or rounded to nothing."""

from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase
from jushi.indicators import engine
from jushi.indicators.models import DeptFigure, Indicator, Target
from jushi.indicators.services import FigureError, add_indicator, import_figures, save_figure, set_target
from jushi.lib.periods import Period
from jushi.lib.tabular import Table

WEB = ChangeSource.WEB
HEAD = ["开发区代码", "指标代码", "报告期", "数值", "上年同期", "官方增速(%)", "口径", "备注"]
OWN = {
    "code": "PORT_TEU",
    "name": "港口集装箱吞吐量",
    "unit": "万标箱",
    "source": "DEPT",
    "aggregation": "sum",
    "growth_method": "NAT",
    "price_basis": "nominal",
    "decimals": 1,
}


def table(*rows):
    return Table(headers=HEAD, rows=[dict(zip(HEAD, r, strict=False)) for r in rows])


class NationalCatalogTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.national = User.objects.create_superuser("national", password="x" * 12)

    def test_zone_staff_cannot_add_a_national_indicator(self):
        before = (Indicator.objects.count(), ChangeLog.objects.count())
        with self.assertRaisesMessage(PermissionDenied, "全国指标目录只能由全国管理员修改"):
            add_indicator(actor=self.admin, data={**OWN, "zone": None}, source=WEB)
        self.assertEqual((Indicator.objects.count(), ChangeLog.objects.count()), before)

    def test_a_national_admin_adds_a_national_indicator_logged_as_national(self):
        indicator = add_indicator(actor=self.national, data={**OWN, "zone": None}, source=WEB)
        self.assertIsNone(indicator.zone)
        log = ChangeLog.objects.get(object_id=str(indicator.pk), content_type__model="indicator")
        self.assertIsNone(log.zone_id)
        self.assertNotIn(log, ChangeLog.objects.restrict(self.admin))

    def test_a_zones_own_indicator_is_seen_computed_and_logged_only_there(self):
        response = self.login(self.admin).post("/indicators/catalog/", OWN)
        self.assertEqual(response.status_code, 302)
        own = Indicator.objects.get(code="PORT_TEU")
        self.assertEqual(own.zone, self.kashgar)
        log = ChangeLog.objects.get(object_id=str(own.pk), content_type__model="indicator")
        self.assertEqual(log.zone_id, self.kashgar.pk)
        self.assertIn(log, ChangeLog.objects.restrict(self.admin))
        self.assertNotIn(log, ChangeLog.objects.restrict(self.other_admin))
        # Another zone sees nothing of it: catalog page, indicator page, API.
        other = Client()  # a session of its own: no flash message of the admin's
        other.force_login(self.other_admin)
        self.assertNotContains(other.get("/indicators/catalog/"), "PORT_TEU")
        self.assertEqual(other.get("/indicators/i/PORT_TEU/").status_code, 404)
        self.assertEqual(other.get("/api/indicators/indicators/PORT_TEU/").status_code, 404)
        codes = {
            row["code"] for row in other.get("/api/indicators/indicators/?page_size=200").json()["results"]
        }
        self.assertIn("GDP", codes)
        self.assertNotIn("PORT_TEU", codes)
        # Nor may it enter figures of it.
        with self.assertRaises(FigureError) as caught:
            save_figure(
                actor=self.other_admin,
                zone=self.other,
                indicator=own,
                period="2024H1",
                value="12",
                source=WEB,
            )
        self.assertEqual(caught.exception.errors["indicator"], "未知的指标代码")
        # Its own zone's figure is computed for that zone only.
        save_figure(
            actor=self.admin,
            zone=self.kashgar,
            indicator=own,
            period="2024H1",
            value="12",
            last_year="10",
            source=WEB,
            refresh=False,
        )
        june = Period.parse("2024-06")
        self.assertIn(own.pk, {r.indicator_id for r in engine.compute(self.kashgar, june)})
        DeptFigure.objects.create(
            zone=self.other, indicator=own, period="2024H1", value=5
        )  # as if written around the services
        self.assertNotIn(own.pk, {r.indicator_id for r in engine.compute(self.other, june)})

    def test_a_zones_formula_sees_national_indicators_and_its_own_only(self):
        own = add_indicator(actor=self.admin, data={**OWN}, source=WEB)
        self.assertEqual(own.zone, self.kashgar)
        formula = {
            **OWN,
            "code": "PORT_SHARE",
            "source": "CALC",
            "aggregation": "ratio",
            "growth_method": "PP",
            "unit": "%",
            "formula": "PORT_TEU / GDP",
        }
        with self.assertRaises(FigureError) as caught:
            add_indicator(actor=self.other_admin, data=formula, source=WEB)
        self.assertIn("PORT_TEU", caught.exception.errors["formula"])
        self.assertEqual(add_indicator(actor=self.admin, data=formula, source=WEB).zone, self.kashgar)

    def test_django_admin_keeps_the_catalog_to_national_admins(self):
        # Even with the admin site's model permissions, a zone admin changes nothing national there.
        self.admin.is_staff = True
        self.admin.save()
        self.admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="indicators"))
        request = RequestFactory().get("/admin/")
        request.user = User.objects.get(pk=self.admin.pk)
        self.assertTrue(request.user.has_perm("indicators.change_indicator"))
        gdp = Indicator.objects.get(code="GDP")
        model_admin = admin.site._registry[Indicator]
        self.assertFalse(model_admin.has_change_permission(request, gdp))
        self.assertFalse(model_admin.has_delete_permission(request, gdp))
        self.assertFalse(model_admin.has_add_permission(request))
        request.user = self.national
        self.assertTrue(model_admin.has_change_permission(request, gdp))


class FigureInputTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.gdp = Indicator.objects.get(code="GDP")

    def counts(self):
        return (DeptFigure.objects.count(), Target.objects.count(), ChangeLog.objects.count())

    def test_an_import_refuses_a_long_caliber_or_note_naming_row_and_column(self):
        before = self.counts()
        result = import_figures(
            actor=self.reviewer,
            table=table(
                ["kashgar", "GDP", "2024H1", "54.4", "47.6", "14.3", "可" * 31, ""],
                ["kashgar", "GDP", "2024Q1", "25", "22", "13.6", "", "备" * 301],
            ),
            source=ChangeSource.IMPORT,
        )
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 2 行 口径: 最多 30 个字,现有 31 个字;请删减后再保存",
                "第 3 行 备注: 最多 300 个字,现有 301 个字;请删减后再保存",
            ],
        )
        self.assertEqual(self.counts(), before)

    def test_a_figure_finer_than_the_field_is_refused_naming_the_smallest_unit(self):
        before = self.counts()
        for kwargs, key, message in [
            ({"value": "0.00001"}, "value", "数值最小单位为 0.0001亿元"),
            ({"value": "54.4", "last_year": "47.60001"}, "last_year", "上年同期最小单位为 0.0001亿元"),
            (
                {"value": "54.4", "official_growth_pct": "14.12345"},
                "official_growth",
                "官方增速最小单位为 0.0001%",
            ),
            ({"value": "54.4", "official_growth_pct": "5000000"}, "official_growth", "官方增速超出范围"),
        ]:
            with self.subTest(kwargs=kwargs), self.assertRaises(FigureError) as caught:
                save_figure(
                    actor=self.reviewer,
                    zone=self.kashgar,
                    indicator=self.gdp,
                    period="2024H1",
                    source=WEB,
                    **kwargs,
                )
            self.assertTrue(caught.exception.errors[key].startswith(message), caught.exception.errors)
        self.assertEqual(self.counts(), before)

    def test_a_target_refuses_rounding_to_nothing_and_a_long_note(self):
        before = self.counts()
        for kwargs, key, message in [
            ({"value": "0.00001"}, "value", "目标值最小单位为 0.0001亿元"),
            ({"growth_pct": "7.123456"}, "growth", "目标增速最小单位为 0.0001%"),
            ({"growth_pct": "8", "note": "依" * 201}, "note", "最多 200 个字,现有 201 个字"),
            ({"growth_pct": "8", "year": "1e30"}, "year", "年度应为"),
        ]:
            kwargs = {"year": 2024, **kwargs}
            with self.subTest(kwargs=kwargs), self.assertRaises(FigureError) as caught:
                set_target(actor=self.reviewer, zone=self.kashgar, indicator=self.gdp, source=WEB, **kwargs)
            self.assertTrue(caught.exception.errors[key].startswith(message), caught.exception.errors)
        self.assertEqual(self.counts(), before)
