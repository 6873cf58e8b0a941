"""Registry input found by fuzzing (issue 13): every bad value answers 4xx naming the field, never 500,
and nothing is cut, rounded or half-written."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jushi.core import clock
from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase, make_code
from jushi.lib.periods import Period
from jushi.lib.tabular import Table
from jushi.registry.models import Enterprise
from jushi.registry.services.importing import import_enterprises


class DeleteWithReportsTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from jushi.reporting.models import ReportForm
        from jushi.reporting.services.periods import open_period

        # ent_a is 规上 in 2024, so opening a period gives it one report; its reporter moves away.
        open_period(
            actor=cls.admin,
            form=ReportForm.objects.get(code="ind-monthly"),
            zone=cls.kashgar,
            period=Period.parse("2024-06"),
        )
        cls.reporter_a.scope.enterprise = None
        cls.reporter_a.scope.save()

    def test_api_delete_of_an_enterprise_with_reports_is_a_409_saying_why(self):
        changes = ChangeLog.objects.count()
        response = self.login(self.admin).delete(f"/api/enterprises/{self.ent_a.pk}/?reason=x")
        self.assertEqual(response.status_code, 409, response.content)
        self.assertEqual(
            response.json()["detail"],
            "该企业已有报表 1 条,删除会丢失这些数据,不能删除;如企业已停止经营,请把状态改为“注销”或“迁出”",
        )
        self.assertTrue(Enterprise.objects.filter(pk=self.ent_a.pk).exists())
        self.assertEqual(ChangeLog.objects.count(), changes)

    def test_delete_page_says_why_and_offers_no_button(self):
        client = self.login(self.admin)
        url = reverse("registry:enterprise_delete", args=[self.ent_a.pk])
        page = client.get(url)
        self.assertContains(page, "该企业已有报表 1 条")
        self.assertNotContains(page, "确认删除")
        response = client.post(url, {"reason": "注销"})
        self.assertContains(response, "该企业已有报表 1 条", status_code=409)
        self.assertTrue(Enterprise.objects.filter(pk=self.ent_a.pk).exists())


class DateAndNumberBoundsTests(PersonaTestCase):
    def post(self, **fields):
        data = {"credit_code": make_code(60), "name": "边界企业", "zone": "kashgar", **fields}
        return self.login(self.reviewer).post("/api/enterprises/", data, content_type="application/json")

    def test_founding_date_outside_1900_to_today_is_refused_naming_the_field(self):
        tomorrow = clock.today() + dt.timedelta(days=1)
        for value, message in [
            ("0001-01-01", "日期应在 1900-01-01 至 2100-12-31 之间"),
            ("1899-12-31", "日期应在 1900-01-01 至 2100-12-31 之间"),
            (tomorrow.isoformat(), f"日期不能晚于今天({clock.today().isoformat()})"),
        ]:
            response = self.post(established_on=value)
            self.assertEqual(response.status_code, 400, value)
            self.assertEqual(response.json()["established_on"], [message])
        self.assertEqual(
            self.post(entered_on="2101-01-01").json()["entered_on"],
            ["日期应在 1900-01-01 至 2100-12-31 之间"],
        )
        self.assertFalse(Enterprise.objects.filter(credit_code=make_code(60)).exists())
        self.assertEqual(self.post(established_on="1900-01-01").status_code, 201)

    def test_page_form_refuses_year_one(self):
        response = self.login(self.reviewer).post(
            reverse("registry:enterprise_create"),
            {
                "credit_code": make_code(61),
                "name": "页面企业",
                "zone": self.kashgar.pk,
                "status": "operating",
                "established_on": "0001-01-01",
            },
        )
        self.assertContains(response, "日期应在 1900-01-01 至 2100-12-31 之间")
        self.assertFalse(Enterprise.objects.filter(credit_code=make_code(61)).exists())

    def test_more_decimals_than_stored_are_refused_naming_the_smallest_unit(self):
        response = self.post(land_area_mu="0.001")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["land_area_mu"], ["占地面积的最小单位为 0.01 亩(小数点后最多 2 位),不能四舍五入"]
        )
        self.assertEqual(self.post(land_area_mu="1e30").status_code, 400)
        self.assertEqual(self.post(land_area_mu="NaN").status_code, 400)
        self.assertFalse(Enterprise.objects.filter(credit_code=make_code(60)).exists())


class FilterBoundsTests(PersonaTestCase):
    def test_bad_year_and_id_filters_answer_400_naming_the_field(self):
        client = self.login(self.admin)
        for url, field in [
            ("/api/enterprises/?size_year=1e30", "size_year"),
            ("/api/enterprises/?size_year=99999999999999999999", "size_year"),
            ("/api/enterprises/?size_year=0", "size_year"),
            ("/api/enterprises/?size_year=abc", "size_year"),
            ("/api/enterprises/?size_year=-1", "size_year"),
            ("/api/industries/?parent=1e30", "parent"),
            ("/api/industries/?parent=abc", "parent"),
            ("/api/industries/?parent=-1", "parent"),
            (f"/api/industries/?parent={2**63}", "parent"),
        ]:
            response = client.get(url)
            self.assertEqual(response.status_code, 400, url)
            self.assertIn(field, response.json(), url)

    def test_odd_ids_in_the_path_are_404_not_500(self):
        client = self.login(self.admin)
        for pk in ["abc", "-1", "1e30", str(2**63), "99999999999999999999"]:
            self.assertEqual(client.get(f"/api/enterprises/{pk}/").status_code, 404, pk)
        self.assertEqual(client.get(f"/registry/enterprises/{2**63}/").status_code, 404)

    def test_year_filter_message_is_chinese_and_in_range_years_work(self):
        client = self.login(self.admin)
        self.assertEqual(
            client.get("/api/enterprises/?size_year=0").json()["size_year"], ["年份应在 1900–2100 之间"]
        )
        names = [r["name"] for r in client.get("/api/enterprises/?size_year=2024").json()["results"]]
        self.assertEqual(names, ["甲纺织有限公司"])

    def test_industry_parent_filter_takes_the_code_the_api_shows(self):
        rows = self.login(self.admin).get("/api/industries/?parent=171").json()["results"]
        self.assertEqual({r["parent"] for r in rows}, {"171"})
        self.assertIn("1711", {r["code"] for r in rows})

    def test_list_page_and_export_refuse_a_bad_filter_instead_of_showing_everything(self):
        client = self.login(self.admin)
        page = client.get(reverse("registry:enterprise_list"), {"size_year": "1e30"})
        self.assertContains(page, "年份应在 1900–2100 之间", status_code=400)
        self.assertEqual(list(page.context["page"]), [])
        export = client.get(reverse("registry:enterprise_export"), {"size_year": "1e30", "format": "csv"})
        self.assertContains(export, "年份应在 1900–2100 之间", status_code=400)


def _row(code, **extra):
    values = {
        "统一社会信用代码": code,
        "企业名称": "新企业有限公司",
        "开发区代码": "kashgar",
        "园区代码": "energy",
    }
    values.update(extra)
    return values


class ImportValueTests(PersonaTestCase):
    def run_import(self, rows):
        headers = list(dict.fromkeys(h for r in rows for h in r))
        table = Table(headers=headers, rows=[{h: r.get(h, "") for h in headers} for r in rows])
        return import_enterprises(actor=self.reviewer, table=table, source="import")

    def test_values_longer_than_their_field_are_row_errors_never_cut(self):
        result = self.run_import(
            [
                _row(make_code(70), **{"企业名称": "长" * 101}),
                _row(make_code(71), **{"地址": "路" * 201}),
                _row(make_code(72), **{"备注": "注" * 501}),
                _row(make_code(73), **{"联系电话": "1" * 31}),
            ]
        )
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 2 行 企业名称: 确保该变量包含不超过 100 字符 (目前字符数 101)。",
                "第 3 行 地址: 确保该变量包含不超过 200 字符 (目前字符数 201)。",
                "第 4 行 备注: 确保该变量包含不超过 500 字符 (目前字符数 501)。",
                "第 5 行 联系电话: 确保该变量包含不超过 30 字符 (目前字符数 31)。",
            ],
        )
        self.assertEqual(Enterprise.objects.count(), 3)

    def test_import_refuses_impossible_dates_years_and_decimals(self):
        result = self.run_import(
            [
                _row(make_code(74), **{"成立日期": "0001-01-01"}),
                _row(make_code(75), **{"成立日期": "2024-02-30"}),
                _row(make_code(76), **{"占地面积(亩)": "0.001"}),
                _row(make_code(77), **{"规上年份": "1e30"}),
                _row(make_code(78), **{"占地面积(亩)": "NaN"}),
            ]
        )
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 2 行 成立日期: 日期应在 1900-01-01 至 2100-12-31 之间",
                "第 3 行 成立日期: 输入一个有效的日期。",
                "第 4 行 占地面积(亩): 占地面积的最小单位为 0.01 亩(小数点后最多 2 位),不能四舍五入",
                "第 5 行 规上年份: “1e30”不是 2000–2100 之间的年份",
                "第 6 行 占地面积(亩): 输入一个数字。",
            ],
        )
        self.assertEqual(Enterprise.objects.count(), 3)

    def test_full_width_digits_import_as_numbers(self):
        result = self.run_import(
            [_row(make_code(79), **{"占地面积(亩)": "１２３.５", "规上年份": "２０２４"})]
        )
        self.assertEqual(result.errors, [])
        planned = result.plan[0]
        self.assertEqual((str(planned.enterprise.land_area_mu), planned.size_years), ("123.5", [2024]))

    def test_import_page_states_the_caps(self):
        page = self.login(self.reviewer).get(reverse("registry:enterprise_import"))
        self.assertContains(page, "最多 50000 行(含表头)× 200 列")

    def test_import_page_refuses_a_dimension_bomb_naming_the_limit(self):
        from jushi.lib.tests.bombs import dimension_bomb

        data = dimension_bomb(
            "A1:XFD20000", headers=["统一社会信用代码", "企业名称"], rows=[[make_code(80), "甲"]]
        )
        response = self.login(self.reviewer).post(
            reverse("registry:enterprise_import"), {"file": SimpleUploadedFile("bomb.xlsx", data)}
        )
        self.assertContains(response, "文件有 20000 行 × 16384 列")
        self.assertNotIn("token", response.context)
        self.assertEqual(Enterprise.objects.count(), 3)
