"""Publication-grade figures (DOMAIN §3, §3a): coverage, blank bases, same-caliber months, rounding once,
the current period, publishing with revisions, and the doors that show them (pages, API, CLI, export).

The zone has five enterprises in the 2024 above-size frame reporting gross output (千元):

| enterprise | 2024-05 approved (cum, last year) | 2024-06 approved (cum, last year) | 2023-06 report |
|---|---|---|---|
| A | 500, 400 | 600, 480 | 470 |
| E1 | 300, 250 | 360, 300 | — |
| E2 | 200, 200 | 240, blank | — |
| E3 | late (not approved) | 100, 80 | — |
| E4 | — | not approved | 100 |

June: value 1,300; same caliber over A, E1, E3 (E2's base is blank): 1,060 / 860 − 1 = +23.3%; 4/5 approved;
the approved share of the frame's known last-year value (480 + 300 + 80 of 480 + 300 + 80 + 100) = 89.6%.
June's own month over the enterprises approved in both months (A, E1, E2): 100 + 60 + 40 = 200, never
E3's whole cumulative; its growth over A and E1 (E2's base is blank): 160 / 130 − 1 = +23.1%.
"""

import datetime as dt
from decimal import Decimal
from io import StringIO
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from jushi.core.testing import PersonaTestCase, make_code
from jushi.indicators import engine, publishing
from jushi.indicators.bulletin import bulletin
from jushi.indicators.models import Publication, PublishedFigure, Result
from jushi.lib.growth import percent
from jushi.lib.periods import Period
from jushi.registry.models import Enterprise, SizeMembership
from jushi.reporting.choices import Status
from jushi.reporting.models import ReportForm, Submission, Value
from jushi.reporting.services.periods import open_period

YI = Decimal("0.00001")  # 千元 → 亿元


def _figures(submission, field, current, last_year):
    Value.objects.create(
        submission=submission,
        field=field,
        current=current,
        last_year=last_year,
        approved_current=current,
        approved_last_year=last_year,
    )
    Submission.objects.filter(pk=submission.pk).update(status=Status.APPROVED)


@override_settings(JUSHI_TODAY="2024-07-20")
class PublicationTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.form = ReportForm.objects.get(code="ind-monthly")
        cls.field = cls.form.fields.get(code="gross_output")
        cls.ents = {"A": cls.ent_a}
        for serial, name in enumerate(["E1", "E2", "E3", "E4"], start=10):
            cls.ents[name] = Enterprise.objects.create(
                zone=cls.kashgar,
                park=cls.textile,
                industry=cls.cotton,
                name=f"{name}纺织",
                credit_code=make_code(serial),
            )
            SizeMembership.objects.create(enterprise=cls.ents[name], year=2024)
        for name in ("A", "E4"):
            SizeMembership.objects.create(enterprise=cls.ents[name], year=2023)
        with override_settings(JUSHI_TODAY="2024-07-20"):
            cls.subs = {}
            for code in ("2023-06", "2024-05", "2024-06"):
                row, _ = open_period(
                    actor=cls.admin, form=cls.form, zone=cls.kashgar, period=Period.parse(code)
                )
                cls.subs[code] = {s.enterprise_id: s for s in row.submissions.all()}

            def put(code, name, current, last_year):
                sub = cls.subs[code][cls.ents[name].pk]
                _figures(sub, cls.field, Decimal(current), None if last_year is None else Decimal(last_year))

            put("2023-06", "A", 470, 430)
            put("2023-06", "E4", 100, 90)
            put("2024-05", "A", 500, 400)
            put("2024-05", "E1", 300, 250)
            put("2024-05", "E2", 200, 200)
            put("2024-06", "A", 600, 480)
            put("2024-06", "E1", 360, 300)
            put("2024-06", "E2", 240, None)
            put("2024-06", "E3", 100, 80)
            engine.rebuild(cls.kashgar)

    def go(self, period="2024-06") -> Result:
        return Result.objects.get(zone=self.kashgar, indicator__code="IND_GO", period=period, scope="zone")

    # Coverage, blank bases, months, rounding ------------------------------------------------------------

    def test_coverage_frame_approved_and_share_of_last_year(self):
        go = self.go()
        self.assertEqual((go.frame_units, go.units, go.blank_base_units), (5, 4, 1))
        self.assertTrue(go.provisional)
        self.assertEqual(go.coverage_text, "4/5 家已审核")
        self.assertEqual(
            go.coverage.quantize(Decimal("0.0001")), (Decimal(860) / Decimal(960)).quantize(Decimal("0.0001"))
        )

    def test_a_blank_last_year_is_left_out_of_both_sides_never_counted_as_zero(self):
        go = self.go()
        self.assertEqual(go.value, Decimal(1300) * YI)
        self.assertEqual(go.last_year, Decimal(860) * YI)
        self.assertEqual(percent(go.growth), Decimal("23.3"))  # 1,060 / 860; as zero it would be 1,300 / 860
        self.assertNotEqual(percent(Decimal(1300) / Decimal(860) - 1), Decimal("23.3"))

    def test_the_month_is_the_per_enterprise_difference_and_never_negative_from_a_late_report(self):
        go = self.go()
        self.assertEqual(
            go.month_value, Decimal(200) * YI
        )  # E3's late May left out, not its whole cumulative
        self.assertEqual(go.month_last_year, Decimal(130) * YI)
        self.assertEqual(percent(go.month_growth), Decimal("23.1"))
        may = self.go("2024-05")
        self.assertEqual(may.month_value, may.value - Decimal(0) if False else may.month_value)
        # The zone totals' difference would be 1,300 − 1,000 = 300 (E3's whole cumulative in one month).
        self.assertNotEqual(go.month_value, go.value - may.value)

    def test_stocks_are_never_differenced_and_counts_of_events_are(self):
        from jushi.indicators.engine import _month_row
        from jushi.indicators.models import Indicator
        from jushi.indicators.sources import Figures

        signings = Indicator.objects.get(code="INV_SIGN_N")
        self.assertEqual(signings.aggregation, "events")
        month = _month_row(
            signings, Figures(Decimal(20), Decimal(15)), Figures(Decimal(16), Decimal(12)), False
        )
        self.assertEqual((month.value, month.last_year), (Decimal(4), Decimal(3)))  # not 20
        frame = Indicator.objects.get(code="IND_N")
        month = _month_row(frame, Figures(Decimal(28), Decimal(25)), Figures(Decimal(27), Decimal(25)), False)
        self.assertEqual(month.value, Decimal(28))  # a stock: its period-end value

    def test_growth_is_rounded_once_from_exact_sums(self):
        field = self.field
        sub = self.subs["2024-05"][self.ents["E3"].pk]
        _figures(sub, field, Decimal("1305.4998"), Decimal("1000"))  # E3 now alone: A, E1, E2 cleared
        Value.objects.filter(submission__period__code="2024-05").exclude(submission=sub).update(
            approved_current=None
        )
        engine.refresh(self.kashgar, "2024-05")
        go = self.go("2024-05")
        self.assertEqual(go.growth, Decimal("0.3054998"))
        self.assertEqual(percent(go.growth), Decimal("30.5"))  # stored at 6 places it printed 30.6

    # The current period and publishing ----------------------------------------------------------------

    def test_current_period_is_the_latest_past_its_deadline_never_a_future_one(self):
        self.assertEqual(publishing.current_period(self.kashgar), Period.parse("2024-06"))
        with override_settings(JUSHI_TODAY="2024-07-10"):  # June's deadline (07-16) not passed yet
            self.assertEqual(publishing.current_period(self.kashgar), Period.parse("2024-05"))
        # Ledger figures for a later month (a lead signed today) do not move it.
        Result.objects.create(
            zone=self.kashgar,
            indicator_id=self.go().indicator_id,
            period="2026-12",
            growth_method="NAT",
            price_basis="nominal",
        )
        self.assertEqual(publishing.current_period(self.kashgar), Period.parse("2024-06"))
        self.assertNotIn(Period.parse("2026-12"), publishing.selectable_periods(self.kashgar))

    def test_publishing_an_incomplete_period_is_refused_naming_its_coverage(self):
        with self.assertRaises(publishing.PublishError) as caught:
            publishing.publish(actor=self.reviewer, zone=self.kashgar, period="2024H1", source="cli")
        self.assertIn("应报 5 家 / 已审核 4 家", str(caught.exception))
        self.assertIn("尚有报表未审核", str(caught.exception))
        with self.assertRaises(publishing.PublishError) as caught:
            publishing.publish(
                actor=self.reviewer, zone=self.kashgar, period="2024H1", allow_incomplete=True, source="cli"
            )
        self.assertIn("须写明原因", str(caught.exception))
        self.assertFalse(Publication.objects.exists())

    def test_refusals_always_name_the_coverage(self):
        cases = [
            ("2024-07", "尚未结束", "应报"),  # a future period
            ("2024-03", "没有可发布的指标数据", "应报 0 家 / 已审核 0 家"),  # nothing there
        ]
        for period, why, coverage in cases:
            with self.subTest(period=period), self.assertRaises(publishing.PublishError) as caught:
                publishing.publish(actor=self.reviewer, zone=self.kashgar, period=period, source="cli")
            self.assertIn(why, str(caught.exception))
            self.assertIn(coverage, str(caught.exception))
        with self.assertRaises(PermissionDenied) as caught:  # a leader may read, not publish
            publishing.publish(actor=self.leader, zone=self.kashgar, period="2024-05", source="web")
        self.assertIn("应报 5 家 / 已审核 3 家", str(caught.exception))
        with self.assertRaises(PermissionDenied):  # another zone's admin is not told anything
            publishing.publish(actor=self.other_admin, zone=self.kashgar, period="2024-05", source="web")
        self.assertFalse(Publication.objects.exists())

    def test_publish_with_a_reason_freezes_figures_and_text_and_says_it_is_incomplete(self):
        publication = publishing.publish(
            actor=self.reviewer,
            zone=self.kashgar,
            period="2024H1",
            allow_incomplete=True,
            reason="E4 停产,经统计局同意先发",
            source="web",
        )
        self.assertEqual(
            (publication.revision, publication.incomplete, publication.named), (1, True, "2024H1")
        )
        self.assertTrue(
            publication.bulletin.startswith("(初步数据:按已审核的4家企业计算,应报5家)2024年上半年")
        )
        self.assertEqual(publication.published_by, self.reviewer)
        self.assertEqual(timezone.localtime(publication.published_at).date(), dt.date(2024, 7, 20))
        frozen = PublishedFigure.objects.get(publication=publication, indicator__code="IND_GO", scope="zone")
        self.assertEqual(
            (frozen.value, frozen.growth, frozen.frame_units), (self.go().value, self.go().growth, 5)
        )
        # A later change moves the live figures, never the published ones.
        E4 = self.subs["2024-06"][self.ents["E4"].pk]
        _figures(E4, self.field, Decimal(200), Decimal(100))
        engine.refresh(self.kashgar, "2024-06")
        self.assertEqual(bulletin(self.kashgar, "2024H1"), publication.bulletin)
        live = bulletin(self.kashgar, "2024H1", live=True)
        self.assertNotEqual(live, publication.bulletin)
        self.assertFalse(live.startswith("(初步"))  # every report approved now
        diff = publishing.revisions_against_live(self.kashgar, "2024H1")
        self.assertEqual(
            [row["indicator"].code for row in diff][:1],
            ["IND_N"] if diff[0]["indicator"].code == "IND_N" else ["IND_GO"],
        )
        go_row = next(row for row in diff if row["indicator"].code == "IND_GO")
        self.assertEqual((go_row["published"], go_row["live"]), ("0.01亿元 +23.3%", "0.02亿元 +31.3%"))
        # A revision needs a reason; with one it adds version 2 and keeps version 1.
        with self.assertRaises(publishing.PublishError) as caught:
            publishing.publish(actor=self.reviewer, zone=self.kashgar, period="2024H1", source="web")
        self.assertIn("修订须写明原因", str(caught.exception))
        revised = publishing.publish(
            actor=self.reviewer, zone=self.kashgar, period="2024H1", reason="E4 补报审核通过", source="web"
        )
        self.assertEqual((revised.revision, revised.incomplete), (2, False))
        self.assertEqual(Publication.objects.filter(zone=self.kashgar, period="2024-06").count(), 2)
        self.assertEqual(Publication.objects.get(revision=1).bulletin, publication.bulletin)  # still readable
        self.assertEqual(publishing.revisions_against_live(self.kashgar, "2024H1"), [])
        with self.assertRaises(publishing.PublishError) as caught:  # nothing changed: nothing to revise
            publishing.publish(
                actor=self.reviewer, zone=self.kashgar, period="2024H1", reason="再发一次", source="web"
            )
        self.assertIn("相同", str(caught.exception))
        self.assertEqual(publishing.current_period(self.kashgar), Period.parse("2024-06"))

    def test_open_plausibility_flags_block_publishing_until_reviewed(self):
        from jushi.reporting.models import PlausibilityFlag
        from jushi.reporting.services.plausibility import review_flag

        E4 = self.subs["2024-06"][self.ents["E4"].pk]
        _figures(E4, self.field, Decimal(200), Decimal(100))
        engine.refresh(self.kashgar, "2024-06")  # every report approved: coverage is complete
        flag = PlausibilityFlag.objects.create(
            period=E4.period,
            field=self.field,
            kind="concentrated",
            enterprises=4,
            current_total=Decimal(1500),
            base_total=Decimal(1060),
            detail="单一企业占变动80%以上(测试)",
            fingerprint="test",
        )
        with self.assertRaises(publishing.PublishError) as caught:
            publishing.publish(actor=self.reviewer, zone=self.kashgar, period="2024H1", source="web")
        message = str(caught.exception)
        self.assertIn("异常波动待复核:工业总产值(当年价格)(单一企业占变动80%以上)", message)
        self.assertIn("应报 5 家 / 已审核 5 家", message)
        self.assertNotIn("尚有报表未审核", message)
        review_flag(actor=self.reviewer, flag=flag, note="已与企业核对台账,属实", source="web")
        publication = publishing.publish(
            actor=self.reviewer, zone=self.kashgar, period="2024H1", source="web"
        )
        self.assertEqual((publication.revision, publication.incomplete), (1, False))
        self.assertFalse(publication.bulletin.startswith("(初步"))

    def test_the_two_year_average_where_the_catalog_asks_for_it(self):
        from jushi.indicators.models import Indicator
        from jushi.lib.indicator_math import two_year_average

        Indicator.objects.filter(code="IND_GO").update(two_year_average=True)
        then = self.go("2023-06")
        self.assertAlmostEqual(then.growth, Decimal(570) / Decimal(520) - 1, places=14)
        average = two_year_average((1 + self.go().growth) * (1 + then.growth) - 1)
        text = bulletin(self.kashgar, "2024-06", live=True)
        self.assertIn(f"两年平均增长{percent(average)}%", text)
        Indicator.objects.filter(code="IND_GO").update(two_year_average=False)
        self.assertNotIn("两年平均", bulletin(self.kashgar, "2024-06", live=True))

    def test_the_indicator_page_shows_published_figures_and_marks_revisions(self):
        publishing.publish(
            actor=self.reviewer,
            zone=self.kashgar,
            period="2024H1",
            allow_incomplete=True,
            reason="先发",
            source="web",
        )
        E4 = self.subs["2024-06"][self.ents["E4"].pk]
        _figures(E4, self.field, Decimal(200), Decimal(100))
        engine.refresh(self.kashgar, "2024-06")
        client = self.login(self.leader)
        url = reverse("indicators:indicator", args=["IND_GO"])
        rows = {r["period"].code: r for r in client.get(url, {"zone": "kashgar"}).context["rows"]}
        june = rows["2024-06"]
        self.assertEqual(
            (june["published"], june["revised"], percent(june["r"].growth)), (1, True, Decimal("23.3"))
        )
        live = {
            r["period"].code: r for r in client.get(url, {"zone": "kashgar", "live": "1"}).context["rows"]
        }
        self.assertEqual(
            (live["2024-06"]["published"], percent(live["2024-06"]["r"].growth)), (None, Decimal("31.3"))
        )

    def test_the_ranking_shows_a_published_zone_beside_a_live_one(self):
        publishing.publish(
            actor=self.reviewer,
            zone=self.kashgar,
            period="2024H1",
            allow_incomplete=True,
            reason="先发",
            source="web",
        )
        client = self.login(self.regional)
        response = client.get(reverse("indicators:ranking"), {"indicator": "IND_GO"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["period"], Period.parse("2024-06"))  # the latest current period
        (row,) = response.context["rows"]
        self.assertEqual((row["r"].zone, row["pct"]), (self.kashgar, Decimal("23.3")))
        self.assertContains(response, "已发布第1版")
        self.assertEqual([z.code for z in response.context["missing"]], ["other"])

    def test_a_reporter_learns_no_coverage_from_publish(self):
        for user in (self.reporter_a, self.other_admin):
            with self.subTest(user=user.username), self.assertRaises(CommandError) as caught:
                call_command(
                    "publish", zone="kashgar", period="2024H1", user=user.username, stdout=StringIO()
                )
            self.assertNotIn("应报", str(caught.exception))
            with self.assertRaises(PermissionDenied) as denied:
                publishing.publish(actor=user, zone=self.kashgar, period="2024H1", source="web")
            self.assertNotIn("应报", str(denied.exception))
        self.assertFalse(Publication.objects.exists())

    def test_a_month_whose_reports_were_never_opened_is_not_publishable_without_a_reason(self):
        Result.objects.create(  # ledger figures for a past month nobody opened reports for
            zone=self.kashgar,
            indicator_id=self.go().indicator_id,
            period="2024-03",
            growth_method="NAT",
            price_basis="nominal",
        )
        with self.assertRaises(publishing.PublishError) as caught:
            publishing.publish(actor=self.reviewer, zone=self.kashgar, period="2024-03", source="web")
        self.assertIn("本期企业报表尚未开放", str(caught.exception))
        self.assertIn("应报 0 家 / 已审核 0 家", str(caught.exception))

    def test_an_optional_field_left_blank_is_no_report_missing(self):
        exports = self.form.fields.get(code="export_value")
        for name in ("A", "E1"):
            sub = self.subs["2024-06"][self.ents[name].pk]
            Value.objects.create(
                submission=sub, field=exports, current=Decimal(50), last_year=Decimal(40),
                approved_current=Decimal(50), approved_last_year=Decimal(40),
            )  # fmt: skip
        engine.refresh(self.kashgar, "2024-06")
        exp = Result.objects.get(zone=self.kashgar, indicator__code="IND_EXP", period="2024-06", scope="zone")
        self.assertEqual((exp.units, exp.frame_units, exp.coverage_text), (4, 5, "4/5 家已审核"))  # not 2/5

    def test_two_publishing_at_once_one_wins_and_the_other_is_told(self):
        publishing.publish(
            actor=self.reviewer,
            zone=self.kashgar,
            period="2024-05",
            allow_incomplete=True,
            reason="先发",
            source="web",
        )
        E3 = self.subs["2024-05"][self.ents["E3"].pk]
        _figures(E3, self.field, Decimal(40), Decimal(30))
        engine.refresh(self.kashgar, "2024-05")
        # The second publisher read "no publication yet" before the first one's row was written.
        real = publishing.latest_publication
        calls = []

        def stale_first(zone, period):  # what the loser saw before the winner's row was written
            calls.append(period)
            return None if len(calls) == 1 else real(zone, period)

        with mock.patch.object(publishing, "latest_publication", side_effect=stale_first):
            with self.assertRaises(publishing.PublishConflict) as caught:
                publishing.publish(
                    actor=self.admin,
                    zone=self.kashgar,
                    period="2024-05",
                    allow_incomplete=True,
                    reason="E3 补报",
                    source="web",
                )
        self.assertIn("刚被他人发布", str(caught.exception))
        self.assertIn("reviewer", str(caught.exception))
        self.assertEqual(Publication.objects.count(), 1)

    # The doors: pages, API, CLI, export ---------------------------------------------------------------

    def test_dashboard_opens_on_the_current_period_shows_coverage_and_publishes(self):
        client = self.login(self.reviewer)
        page = client.get(reverse("indicators:dashboard"))
        self.assertEqual(page.context["period"], Period.parse("2024-06"))
        self.assertContains(page, "4/5 家已审核")
        self.assertContains(page, "初步")
        response = client.post(
            reverse("indicators:publish"),
            {
                "zone": "kashgar",
                "period": "2024-05",
                "allow_incomplete": "1",
                "reason": "先发",
                "confirmed": "1",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Publication.objects.get().named, "2024-05")
        page = client.get(reverse("indicators:dashboard"))  # the latest published period now
        self.assertEqual(page.context["period"], Period.parse("2024-05"))
        self.assertContains(page, "已发布 第1版")
        leader = self.login(self.leader)
        self.assertEqual(
            leader.post(reverse("indicators:publish"), {"zone": "kashgar", "period": "2024-05"}).status_code,
            403,
        )
        self.assertEqual(
            leader.post(
                reverse("indicators:publish"), {"zone": "kashgar", "period": "2024-05", "confirmed": "1"}
            ).status_code,
            403,
        )
        self.assertEqual(Publication.objects.count(), 1)

    def test_publishing_first_shows_what_will_be_published_and_publishes_only_when_confirmed(self):
        client = self.login(self.reviewer)
        fields = {"zone": "kashgar", "period": "2024-05", "allow_incomplete": "1", "reason": "先发"}
        ask = client.post(reverse("indicators:publish"), fields)
        self.assertEqual(ask.status_code, 200)
        self.assertEqual(Publication.objects.count(), 0)  # the unconfirmed POST publishes nothing
        frozen = Result.objects.filter(zone=self.kashgar, period="2024-05").count()
        self.assertGreater(frozen, 0)
        self.assertContains(ask, "2024年1-5月,第1版(首次发布)")
        self.assertContains(ask, "应报 5 家 / 已审核 3 家")
        self.assertContains(ask, f"冻结 {frozen} 个指标数值")
        self.assertContains(ask, 'name="confirmed" value="1"')
        self.assertContains(ask, 'name="reason" value="先发"')  # the same fields are posted again
        self.assertEqual(
            client.post(reverse("indicators:publish"), {**fields, "confirmed": "1"}).status_code, 302
        )
        self.assertEqual(Publication.objects.get().revision, 1)
        # A revision says what changed against the previous one.
        E3 = self.subs["2024-05"][self.ents["E3"].pk]
        _figures(E3, self.field, Decimal(40), Decimal(30))
        engine.refresh(self.kashgar, "2024-05")
        ask = client.post(reverse("indicators:publish"), {**fields, "reason": "E3 补报"})
        self.assertContains(ask, "第2版(修订第1版)")
        self.assertContains(ask, "与第1版相比有")
        self.assertContains(ask, "原因:E3 补报")
        self.assertEqual(Publication.objects.count(), 1)
        # What publishing would refuse is said before asking: a revision without a reason, an open month.
        refused = client.post(reverse("indicators:publish"), {**fields, "reason": ""}, follow=True)
        self.assertContains(refused, "修订须写明原因")
        self.assertNotContains(refused, 'name="confirmed"')
        refused = client.post(reverse("indicators:publish"), {**fields, "period": "2024-07"}, follow=True)
        self.assertContains(refused, "尚未结束,不能发布")
        self.assertEqual(Publication.objects.count(), 1)

    def test_api_returns_coverage_month_values_and_published_figures_by_default(self):
        publishing.publish(
            actor=self.reviewer,
            zone=self.kashgar,
            period="2024-05",
            allow_incomplete=True,
            reason="先发",
            source="web",
        )
        E3 = self.subs["2024-05"][self.ents["E3"].pk]
        _figures(E3, self.field, Decimal(40), Decimal(30))
        engine.refresh(self.kashgar, "2024-05")
        client = self.login(self.reviewer)
        url = "/api/indicators/values/?zone=kashgar&indicator=IND_GO&scope=zone"
        row = client.get(url + "&period=2024-05").json()["results"][0]
        self.assertEqual(
            (row["source"], row["published"], row["frame_units"], row["units"]), ("published", 1, 5, 3)
        )
        self.assertEqual(row["value"], "0.01")
        live = client.get(url + "&period=2024-05&live=1").json()["results"][0]
        self.assertEqual((live["source"], live["published"], live["value"]), ("live", 1, "0.0104"))
        june = client.get(url).json()["results"]  # no period: the current one (the latest published, May)
        self.assertEqual([r["period"] for r in june], ["2024-05"])
        june = client.get(url + "&period=2024-06").json()["results"][0]
        self.assertEqual(
            (june["provisional"], june["frame_units"], june["units"], june["blank_base_units"]),
            (True, 5, 4, 1),
        )
        self.assertEqual(
            (june["month_value"], june["month_growth_pct"]), ("0.0026", "22.2")
        )  # E3 approved in May now: in both months

    def test_cli_publish_table_and_bulletin(self):
        with self.assertRaises(CommandError) as caught:
            call_command("publish", zone="kashgar", period="2024H1", stdout=StringIO())
        self.assertIn("应报 5 家 / 已审核 4 家", str(caught.exception))
        out = StringIO()
        call_command("indicators", "table", zone="kashgar", period="2024-06", stdout=out)
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[1].split("\t")[:4], ["指标", "单位", "6月", "同比(%)"])
        go = next(line.split("\t") for line in lines if line.startswith("规上工业总产值\t"))
        self.assertEqual(go[2:6], ["0.00", "23.1", "0.01", "23.3"])
        self.assertEqual(go[7], "初步 4/5 家已审核")
        out = StringIO()
        call_command("bulletin", zone="kashgar", period="2024H1", live=True, stdout=out)
        self.assertTrue(out.getvalue().startswith("(初步数据:按已审核的4家企业计算,应报5家)"))

    def test_the_bulletin_compares_with_the_previous_cumulative_period(self):
        text = bulletin(self.kashgar, "2024-06", live=True)
        may = percent(self.go("2024-05").growth)
        june = percent(self.go().growth)
        verb = "加快" if june > may else "回落"
        self.assertIn(f"增速比1-5月{verb}{abs(june - may)}个百分点", text)
