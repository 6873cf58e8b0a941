"""Department figures: entry and import validate every field, log every change and recompute results."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase
from jushi.indicators.models import DeptFigure, Indicator, Result
from jushi.indicators.services import FigureError, import_figures, save_figure
from jushi.lib.tabular import Table

HEAD = ["开发区代码", "指标代码", "报告期", "数值", "上年同期", "官方增速(%)", "口径", "备注"]


def table(*rows):
    return Table(headers=HEAD, rows=[dict(zip(HEAD, r, strict=False)) for r in rows])


class FigureTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.gdp = Indicator.objects.get(code="GDP")
        cls.budget = Indicator.objects.get(code="FISC_GPB")

    def test_entering_a_figure_logs_it_and_recomputes_the_period(self):
        with self.captureOnCommitCallbacks(execute=True):
            save_figure(
                actor=self.reviewer,
                zone=self.kashgar,
                indicator=self.budget,
                period="2024H1",
                value="5.26",
                last_year="3.97",
                official_growth_pct="32.5",
                caliber="自然口径",
                source=ChangeSource.WEB,
            )
        figure = DeptFigure.objects.get(zone=self.kashgar, indicator=self.budget)
        self.assertEqual((figure.period, figure.official_growth), ("2024H1", Decimal("0.325")))
        result = Result.objects.get(zone=self.kashgar, indicator=self.budget, period="2024-06")
        self.assertEqual((result.value, result.growth), (Decimal("5.26"), Decimal("0.325")))
        self.assertTrue(ChangeLog.objects.filter(object_id=str(figure.pk), action="create").exists())
        with self.captureOnCommitCallbacks(execute=True):
            save_figure(
                actor=self.reviewer,
                zone=self.kashgar,
                indicator=self.budget,
                period="2024H1",
                value="5.30",
                official_growth_pct="33.5",
                source=ChangeSource.WEB,
            )
        self.assertEqual(DeptFigure.objects.filter(zone=self.kashgar, indicator=self.budget).count(), 1)
        self.assertTrue(ChangeLog.objects.filter(object_id=str(figure.pk), action="update").exists())
        self.assertEqual(
            Result.objects.get(zone=self.kashgar, indicator=self.budget, period="2024-06").value,
            Decimal("5.30"),
        )

    def test_bad_input_names_the_field_and_saves_nothing(self):
        cases = [
            ({"indicator": Indicator.objects.get(code="IND_GO")}, "indicator", "来自企业报表"),
            ({"period": "2024H3"}, "period", ""),
            ({"value": "abc"}, "value", "不是数字"),
            ({"value": "-1"}, "value", "不能为负数"),
            ({"value": "", "official_growth_pct": ""}, "value", "至少填一项"),
            ({"official_growth_pct": "-120"}, "official_growth", "不能低于 -100%"),
            ({"value": "544000", "last_year": "47.6"}, "value", "请确认两者的单位都是亿元"),  # typed in 万元
        ]
        DeptFigure.objects.create(zone=self.kashgar, indicator=self.gdp, period="2024-06", value=Decimal(1))
        cases.append(({}, "period", "与已录入的 2024-06 是同一累计期"))
        for change, key, words in cases:
            args = {"indicator": self.gdp, "period": "2024H1", "value": "54.4", "official_growth_pct": "14.3"}
            args.update(change)
            with self.subTest(change=change), self.assertRaises(FigureError) as info:
                save_figure(actor=self.reviewer, zone=self.kashgar, source=ChangeSource.WEB, **args)
            self.assertIn(key, info.exception.errors)
            self.assertIn(words, info.exception.errors[key])
        self.assertEqual(DeptFigure.objects.count(), 1)

    def test_only_staff_of_the_zone_may_enter(self):
        for user, zone in (
            (self.leader, self.kashgar),
            (self.reporter_a, self.kashgar),
            (self.other_admin, self.kashgar),
        ):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                save_figure(
                    actor=user,
                    zone=zone,
                    indicator=self.gdp,
                    period="2024H1",
                    value="1",
                    source=ChangeSource.WEB,
                )

    def test_import_dry_run_then_all_or_nothing_with_rows_named(self):
        good = table(
            ["kashgar", "GDP", "2024H1", "54.4", "", "14.3", "可比价", "公布数"],
            ["kashgar", "fisc_gpb", "2024H1", "5.26", "3.97", "32.5", "", ""],
        )
        dry = import_figures(actor=self.admin, table=good, source=ChangeSource.IMPORT, dry_run=True)
        self.assertTrue(dry.ok)
        self.assertEqual(len(dry.rows), 2)
        self.assertFalse(DeptFigure.objects.exists())
        bad = table(
            ["kashgar", "GDP", "2024H1", "54.4", "", "14.3"],
            ["other", "GDP", "2024H1", "1", "", ""],  # not this admin's zone
            ["kashgar", "NOPE", "2024H1", "1"],
            ["kashgar", "GDP", "2024-06", "54.4"],  # 1-6月: the same cumulative period as 2024H1
            ["kashgar", "GDP", "2024H1", "54.4"],  # duplicate of row 2
        )
        result = import_figures(actor=self.admin, table=bad, source=ChangeSource.IMPORT)
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                "第 3 行 开发区代码: “other”不存在或不在您管理的范围",
                "第 4 行 指标代码: 未知的指标代码",
                "第 5 行 报告期: 与第 2 行是同一开发区、指标和累计期,重复",
                "第 6 行 报告期: 与第 2 行是同一开发区、指标和累计期,重复",
            ],
        )
        self.assertFalse(DeptFigure.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            done = import_figures(actor=self.admin, table=good, source=ChangeSource.IMPORT)
        self.assertTrue(done.ok)
        self.assertEqual(DeptFigure.objects.count(), 2)
        self.assertTrue(
            Result.objects.filter(zone=self.kashgar, indicator=self.gdp, period="2024-06").exists()
        )

    def test_import_headers_are_checked(self):
        result = import_figures(
            actor=self.admin,
            table=Table(headers=["开发区代码", "神秘列"], rows=[{}]),
            source=ChangeSource.IMPORT,
        )
        self.assertEqual(len(result.errors), 2)
        self.assertIn("缺少必需的列:指标代码、报告期、数值 或 官方增速(%)", str(result.errors[0]))
        self.assertIn("未知的列:神秘列", str(result.errors[1]))


class FigurePageTests(PersonaTestCase):
    def test_staff_enter_a_figure_and_a_bad_one_is_explained(self):
        self.client.force_login(self.reviewer)
        url = "/indicators/figures/"
        gdp = Indicator.objects.get(code="GDP")
        data = {"form": "entry", "zone": self.kashgar.pk, "indicator": gdp.pk, "period": "2024H1"}
        response = self.client.post(url, {**data, "value": "abc", "official_growth": "14.3"})
        self.assertContains(response, "不是数字")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {**data, "value": "54.4", "official_growth": "14.3"})
        self.assertRedirects(response, url)
        page = self.client.get(url)
        self.assertContains(page, "14.3%")
        self.assertTrue(Result.objects.filter(zone=self.kashgar, indicator=gdp, period="2024-06").exists())

    def test_an_official_growth_off_its_own_figures_needs_an_explanation_on_the_page(self):
        self.client.force_login(self.reviewer)
        url = "/indicators/figures/"
        revenue = Indicator.objects.get(code="FISC_GPB")
        data = {"form": "entry", "zone": self.kashgar.pk, "indicator": revenue.pk, "period": "2024H1"}
        data |= {"value": "5.50", "last_year": "3.97", "official_growth": "50.0"}
        response = self.client.post(url, data)
        self.assertContains(response, "38.5%")
        self.assertFalse(DeptFigure.objects.filter(indicator=revenue).exists())
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {**data, "explanation": "含一次性土地出让收入,财政局口径"})
        self.assertRedirects(response, url)
        figure = DeptFigure.objects.get(indicator=revenue)
        self.assertEqual(figure.explanation, "含一次性土地出让收入,财政局口径")

    def test_import_dry_run_then_confirm(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.force_login(self.admin)
        csv = "开发区代码,指标代码,报告期,数值,官方增速(%)\nkashgar,GDP,2024H1,54.4,14.3\n".encode()
        response = self.client.post(
            "/indicators/figures/", {"form": "import", "file": SimpleUploadedFile("gdp.csv", csv)}
        )
        self.assertContains(response, "试运行结果")
        self.assertFalse(DeptFigure.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/indicators/figures/", {"token": response.context["token"]})
        self.assertEqual(DeptFigure.objects.get().value, Decimal("54.4"))

    def test_leaders_read_but_cannot_enter(self):
        self.client.force_login(self.leader)
        self.assertNotContains(self.client.get("/indicators/figures/"), 'id="entry"')
        response = self.client.post("/indicators/figures/", {"form": "entry"})
        self.assertEqual(response.status_code, 403)


class TargetTests(PersonaTestCase):
    def test_staff_set_and_change_a_target_and_bad_input_is_named(self):
        from jushi.indicators.models import Target

        self.client.force_login(self.reviewer)
        gdp = Indicator.objects.get(code="GDP")
        data = {"zone": self.kashgar.pk, "indicator": gdp.pk, "year": "2024", "note": "政府工作报告"}
        response = self.client.post("/indicators/targets/", {**data, "year": "24"})
        self.assertContains(response, "年度应为 2000 到 2100 之间的整数")
        response = self.client.post("/indicators/targets/", {**data, "value": "", "growth": ""})
        self.assertContains(response, "目标值和目标增速至少填一项")
        self.client.post("/indicators/targets/", {**data, "value": "110", "growth": "8"})
        self.client.post("/indicators/targets/", {**data, "value": "112", "growth": "8"})
        target = Target.objects.get()
        self.assertEqual((target.value, target.growth), (Decimal("112"), Decimal("0.08")))
        self.assertEqual(ChangeLog.objects.filter(object_id=str(target.pk)).count(), 2)
        self.assertContains(self.client.get("/indicators/targets/"), "8.0%")

    def test_leaders_cannot_set_targets(self):
        self.client.force_login(self.leader)
        self.assertEqual(self.client.post("/indicators/targets/", {}).status_code, 403)
        self.assertNotContains(self.client.get("/indicators/targets/"), 'id="target-form"')
