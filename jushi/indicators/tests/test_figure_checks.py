"""Department-figure checks (issue 12, point 5): an official growth its own value and base contradict,
a base-less figure that looks like a unit slip against the zone's history, and texts never cut."""

from decimal import Decimal

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase
from jushi.indicators.forms import FigureForm
from jushi.indicators.models import DeptFigure, Indicator
from jushi.indicators.services import FigureError, import_figures, save_figure
from jushi.lib.tabular import Table

CONFLICT = (
    "官方增速 50.0% 与数值、上年同期推算的 38.5%(5.50 ÷ 3.97)相差 11.5 个百分点:"
    "请核对,或在“情况说明”中说明原因"
)
HEAD = ["开发区代码", "指标代码", "报告期", "数值", "上年同期", "官方增速(%)", "情况说明"]


def table(*rows):
    return Table(headers=HEAD, rows=[dict(zip(HEAD, r, strict=False)) for r in rows])


class CheckTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.gdp = Indicator.objects.get(code="GDP")  # real (comparable prices), official growth
        cls.budget = Indicator.objects.get(code="FISC_GPB")  # nominal, 亿元, cumulative flow
        cls.fdi = Indicator.objects.get(code="FDI")  # nominal, 万美元
        cls.hightech = Indicator.objects.get(code="HT_ENT")  # a stock: 家 at the period's end

    def save(self, indicator, period, value, last_year=None, growth=None, **extra):
        return save_figure(
            actor=self.reviewer,
            zone=self.kashgar,
            indicator=indicator,
            period=period,
            value=value,
            last_year=last_year,
            official_growth_pct=growth,
            source=ChangeSource.WEB,
            **extra,
        )

    def refused(self, key, *args, **kwargs) -> str:
        count = DeptFigure.objects.count()
        with self.assertRaises(FigureError) as info:
            self.save(*args, **kwargs)
        self.assertEqual(DeptFigure.objects.count(), count)
        self.assertEqual(list(info.exception.errors), [key])
        return info.exception.errors[key]

    def earlier(self, indicator, period, value):
        DeptFigure.objects.create(zone=self.kashgar, indicator=indicator, period=period, value=Decimal(value))


class GrowthConsistencyTests(CheckTestCase):
    def test_official_growth_its_value_and_base_contradict_is_refused_naming_both_rates(self):
        self.assertEqual(
            self.refused("official_growth", self.budget, "2024H1", "5.50", "3.97", "50.0"), CONFLICT
        )

    def test_with_an_explanation_it_is_saved_and_the_change_log_has_it(self):
        why = "财政局口径调整:上年同期含已划转的两个园区,同口径增长50.0%"
        figure = self.save(self.budget, "2024H1", "5.50", "3.97", "50.0", explanation=f"  {why} ")
        figure.refresh_from_db()
        self.assertEqual((figure.official_growth, figure.explanation), (Decimal("0.5"), why))
        log = ChangeLog.objects.get(object_id=str(figure.pk))
        self.assertEqual((log.after["explanation"], log.reason), (why, why))

    def test_half_a_point_is_tolerated_and_more_is_not(self):
        # 5.26 ÷ 3.97 − 1 = 32.494%: 32.9 is 0.41 points off, 33.0 is 0.51
        self.assertIn(
            "相差 0.5 个百分点",
            self.refused("official_growth", self.budget, "2024H1", "5.26", "3.97", "33.0"),
        )
        self.save(self.budget, "2024H1", "5.26", "3.97", "32.9")
        self.save(self.budget, "2024H1", "5.26", "3.97", "32.1")
        self.assertEqual(DeptFigure.objects.get().official_growth, Decimal("0.321"))

    def test_comparable_price_indicators_are_exempt(self):
        # GDP's official growth is real; 54.4 over 40.0 is +36.0% in current prices
        self.save(self.gdp, "2024H1", "54.4", "40.0", "14.3")
        self.assertEqual(DeptFigure.objects.get().explanation, "")

    def test_no_check_without_all_three_or_with_a_base_of_zero(self):
        self.save(self.budget, "2024H1", "5.50", None, "50.0")
        self.save(self.budget, "2023H1", None, "3.97", "50.0")
        self.save(self.budget, "2022H1", "5.50", "3.97", None)
        self.save(self.fdi, "2024H1", "120", "0", "50.0")
        self.assertEqual(DeptFigure.objects.count(), 4)

    def test_the_old_hundredfold_rule_against_the_base_still_stands(self):
        message = self.refused("value", self.budget, "2024H1", "52600", "3.97", "32.5", explanation="确认")
        self.assertEqual(message, "数值 52600 与上年同期 3.97 相差约 13249 倍;请确认两者的单位都是亿元")


class UnitSlipTests(CheckTestCase):
    def test_a_slip_against_the_same_period_last_year_names_the_unit_and_the_figure(self):
        self.earlier(self.budget, "2023H1", "3.97")
        self.assertEqual(
            self.refused("value", self.budget, "2024H1", "52600", growth="32.5"),
            "数值 52600亿元 是2023年上半年 3.97亿元的约 13249 倍,像是单位填错:本项按“亿元”填写,"
            "请核对,或在“情况说明”中说明原因",
        )

    def test_a_cumulative_flow_is_scaled_by_months(self):
        self.earlier(self.budget, "2024Q1", "2.6")  # 1-3月: about 5.2 expected for 1-6月
        self.assertEqual(
            self.refused("value", self.budget, "2024-06", "520"),
            "数值 520亿元 是2024年一季度 2.6亿元(按月数折算到 6 个月约 5.2亿元)的约 100 倍,像是单位填错:"
            "本项按“亿元”填写,请核对,或在“情况说明”中说明原因",
        )
        self.save(self.budget, "2024-06", "5.5")  # a normal half-year: no alarm

    def test_a_slip_downwards_is_caught_too(self):
        self.earlier(self.fdi, "2023H1", "1200")  # 万美元; 0.13 is 亿美元
        self.assertEqual(
            self.refused("value", self.fdi, "2024H1", "0.13"),
            "数值 0.13万美元 是2023年上半年 1200万美元的约 1/9231,像是单位填错:本项按“万美元”填写,"
            "请核对,或在“情况说明”中说明原因",
        )

    def test_normal_growth_and_uneven_seasons_raise_no_alarm(self):
        self.earlier(self.budget, "2023H1", "3.97")
        self.earlier(self.budget, "2023", "9.80")
        self.earlier(self.budget, "2024-02", "0.60")
        self.save(self.budget, "2024H1", "7.90")  # doubled: +99% on 2023H1
        self.save(self.budget, "2024-03", "1.10")  # nearest is 1-2月 0.60 → about 0.90 expected
        self.save(self.budget, "2024", "11.0")  # against 2023 itself
        self.save(self.budget, "2025-02", "0.40")  # against 1-2月 of 2024, not 2024 as a whole
        self.save(self.budget, "2025-04", "0.25")  # against 1-2月 0.40 scaled to 4 months (0.80): no alarm
        self.earlier(self.hightech, "2023", "40")
        self.save(self.hightech, "2024H1", "45")  # a stock is not scaled: 45 against 40, not against 20
        self.assertEqual(DeptFigure.objects.filter(value__isnull=False).count(), 10)

    def test_no_history_no_check_and_later_periods_are_not_history(self):
        self.save(self.budget, "2024H1", "52600")  # nothing to compare with
        self.save(self.budget, "2023H1", "3.97")  # only earlier periods count
        self.assertEqual(DeptFigure.objects.count(), 2)

    def test_an_explanation_confirms_a_real_jump(self):
        self.earlier(self.hightech, "2023", "2")
        self.assertIn("约 30 倍", self.refused("value", self.hightech, "2024", "60"))
        figure = self.save(self.hightech, "2024", "60", explanation="园区整体并入,原园区58家高新技术企业划入")
        self.assertEqual(DeptFigure.objects.get(pk=figure.pk).explanation[:4], "园区整体")

    def test_updating_a_figure_is_not_held_against_its_own_old_value(self):
        self.earlier(self.budget, "2023H1", "3.97")
        self.save(self.budget, "2024H1", "52600", explanation="临时占位,待财政局核实")
        self.save(self.budget, "2024H1", "5.26")  # the correction
        self.assertEqual(DeptFigure.objects.get(period="2024H1").value, Decimal("5.26"))


class TextLengthTests(CheckTestCase):
    def test_long_texts_are_refused_not_cut(self):
        cases = [("caliber", 31, 30), ("note", 301, 300), ("explanation", 301, 300)]
        for key, length, limit in cases:
            with self.subTest(key=key):
                message = self.refused(key, self.gdp, "2024H1", "54.4", growth="14.3", **{key: "字" * length})
                self.assertEqual(message, f"最多 {limit} 个字,现有 {length} 个字;请删减后再保存")
        # a long text is named even when a check on the numbers fails too
        with self.assertRaises(FigureError) as info:
            self.save(self.budget, "2024H1", "5.50", "3.97", "50.0", note="注" * 301)
        self.assertEqual(set(info.exception.errors), {"note", "official_growth"})
        self.save(self.gdp, "2024H1", "54.4", growth="14.3", caliber="字" * 30, note="注" * 300)
        self.assertEqual(len(DeptFigure.objects.get().note), 300)


class ImportCheckTests(CheckTestCase):
    def test_rows_needing_an_explanation_are_errors_and_nothing_is_written(self):
        self.earlier(self.budget, "2023H1", "3.97")
        bad = table(
            ["kashgar", "GDP", "2024H1", "54.4", "40.0", "14.3"],
            ["kashgar", "FISC_GPB", "2024H1", "5.50", "3.97", "50.0"],
            ["kashgar", "FDI", "2023H1", "1200"],
            ["kashgar", "FDI", "2024H1", "0.13"],  # held against row 4 of the same file
            ["kashgar", "HT_ENT", "2024", "45", "", "", "字" * 301],
        )
        result = import_figures(actor=self.admin, table=bad, source=ChangeSource.IMPORT)
        self.assertEqual(
            [str(e) for e in result.errors],
            [
                f"第 3 行 官方增速(%): {CONFLICT}",
                "第 5 行 数值: 数值 0.13万美元 是2023年上半年 1200万美元的约 1/9231,像是单位填错:"
                "本项按“万美元”填写,请核对,或在“情况说明”中说明原因",
                "第 6 行 情况说明: 最多 300 个字,现有 301 个字;请删减后再保存",
            ],
        )
        self.assertEqual(DeptFigure.objects.count(), 1)

    def test_with_the_explanation_column_the_rows_are_written_and_logged(self):
        why = "同口径增速,上年同期含已划出园区"
        good = table(["kashgar", "FISC_GPB", "2024H1", "5.50", "3.97", "50.0", why])
        self.assertTrue(
            import_figures(actor=self.admin, table=good, source=ChangeSource.IMPORT, dry_run=True).ok
        )
        self.assertFalse(DeptFigure.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            done = import_figures(actor=self.admin, table=good, source=ChangeSource.IMPORT)
        self.assertTrue(done.ok)
        figure = DeptFigure.objects.get()
        self.assertEqual(figure.explanation, why)
        log = ChangeLog.objects.get(object_id=str(figure.pk))
        self.assertEqual((log.reason, log.after["explanation"], log.batch), (why, why, done.batch))

    def test_a_row_for_a_span_stored_under_another_code_is_an_error_in_the_dry_run(self):
        self.earlier(self.budget, "2024-06", "5.26")
        result = import_figures(
            actor=self.admin,
            table=table(["kashgar", "FISC_GPB", "2024H1", "5.3"]),
            source=ChangeSource.IMPORT,
        )
        self.assertEqual(
            [str(e) for e in result.errors],
            ["第 2 行 报告期: 与已录入的 2024-06 是同一累计期;请修改那条数据"],
        )


class PageCheckTests(CheckTestCase):
    def test_the_page_shows_the_refusal_in_the_official_growth_field(self):
        self.client.force_login(self.reviewer)
        data = {"form": "entry", "zone": self.kashgar.pk, "indicator": self.budget.pk, "period": "2024H1"}
        response = self.client.post(
            "/indicators/figures/", {**data, "value": "5.50", "last_year": "3.97", "official_growth": "50.0"}
        )
        self.assertEqual(response.context["entry"].errors["official_growth"], [CONFLICT])
        self.assertContains(response, "情况说明")
        self.assertFalse(DeptFigure.objects.exists())

    def test_the_form_takes_an_explanation_of_at_most_300_characters(self):
        form = FigureForm({"explanation": "字" * 301}, zones=self.reviewer_zones())
        self.assertIn("explanation", form.errors)

    def reviewer_zones(self):
        from jushi.registry.models import Zone

        return Zone.objects.filter(pk=self.kashgar.pk)
