"""The report form's live checks (no saving), explanations in place, and 审核下一份 after a decision.

The July report follows an approved June: 本月 is July's cumulative minus June's, 同比 the cumulative
against the same period last year."""

from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

from django.urls import reverse

from jushi.lib.periods import Period
from jushi.registry.models import SizeMembership
from jushi.reporting.choices import Status
from jushi.reporting.models import CheckResult, Submission, Value
from jushi.reporting.services.periods import open_period
from jushi.reporting.services.submissions import approve_submission, submit_report

from .base import WEB, ReportingTestCase, good_figures

D = Decimal


def july_figures() -> dict[str, tuple[Decimal, Decimal]]:
    """June's consistent report carried on by one more month at the same pace: no check fires."""
    figures = {}
    for code, (now, ly) in good_figures().items():
        if code == "employees":
            figures[code] = (now, ly)
        else:
            figures[code] = ((now * 7 / 6).quantize(D("0.1")), (ly * 7 / 6).quantize(D("0.1")))
    figures["total_profit"] = (
        figures["operating_profit"][0] + figures["non_op_income"][0] - figures["non_op_expense"][0],
        figures["total_profit"][1],
    )
    return figures


def build_july(staff, reporter, enterprise, june_submission):
    """June submitted by `reporter` and approved by `staff`, then July opened: July's submission."""
    outcome = submit_report(
        actor=reporter, submission=june_submission, figures=good_figures(), explanations={}, source=WEB
    )
    assert outcome.submitted, [f.message for f in outcome.findings]
    approve_submission(actor=staff, submission=june_submission, source=WEB)
    open_period(
        actor=staff, form=june_submission.period.form, zone=enterprise.zone, period=Period.parse("2024-07")
    )
    return Submission.objects.get(period__code="2024-07", enterprise=enterprise)


def post_figures(figures, **extra):
    data = {}
    for code, (now, ly) in figures.items():
        data[code], data[f"{code}__ly"] = str(now), str(ly)
    data.update(extra)
    return data


class _Element(HTMLParser):
    """The inner HTML of the element with one id (enough for our own fragments)."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self, wanted):
        super().__init__(convert_charrefs=True)
        self.wanted, self.depth, self.parts, self.done = wanted, 0, [], False

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if self.depth:
            self.parts.append(self.get_starttag_text())
            if tag not in self.VOID:
                self.depth += 1
        elif dict(attrs).get("id") == self.wanted:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and not self.done:
            self.depth -= 1
            if self.depth == 0:
                self.done = True
            else:
                self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        if self.depth and not self.done:
            self.parts.append(data)


def element(html: str, wanted: str) -> str:
    parser = _Element(wanted)
    parser.feed(html)
    assert parser.done, f"no element #{wanted}"
    return "".join(parser.parts)


def pct(value: Decimal) -> str:
    return f"{value.quantize(D('0.1'), rounding=ROUND_HALF_UP):+f}%"


class LiveCheckTests(ReportingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        SizeMembership.objects.create(enterprise=cls.ent_b, year=2024)
        cls.july = build_july(cls.reviewer, cls.reporter_a, cls.ent_a, cls.sub_a)

    def check(self, figures, **extra):
        url = reverse("reporting:submission_check", args=[self.july.pk])
        return self.login(self.reporter_a).post(url, post_figures(figures, **extra), HTTP_HX_REQUEST="true")

    def test_consistent_july_raises_nothing(self):
        response = self.check(july_figures())
        self.assertContains(response, "审核通过:没有错误或提示")

    def test_a_warning_lands_under_its_field_with_month_and_growth_recomputed(self):
        figures = july_figures()
        now, last_year = D("62000.5"), figures["gross_output"][1]
        figures["gross_output"] = (now, last_year)
        response = self.check(figures)
        html = response.content.decode()

        messages = element(html, "msgs-gross_output")
        for key in ("yoy_30:gross_output", "sales_ratio"):
            self.assertIn(f'data-key="{key}"', messages)
            self.assertIn(f'name="explain:{key}"', messages)  # the explanation box under the warning
        self.assertIn("同一原因适用于本指标全部 2 条提示", messages)
        self.assertIn('data-key="sales_ratio"', element(html, "msgs-sales_output"))  # named there too
        self.assertNotIn('name="explain:sales_ratio"', element(html, "msgs-sales_output"))
        self.assertNotIn("data-key", element(html, "msgs-revenue"))

        june_gross = good_figures()["gross_output"][0]
        month = f"{now - june_gross:,f}"  # 62000.5 − 10000 = 52,000.5
        self.assertEqual(month, "52,000.5")
        self.assertIn(f'<span class="v">{month}</span>', element(html, "month-gross_output"))
        growth = pct((now / last_year - 1) * 100)
        self.assertIn(f'<span class="v">{growth}</span>', element(html, "yoy-gross_output"))
        # an untouched field is recomputed too, from what the form holds
        revenue_now = figures["revenue"][0]
        self.assertIn(f"{revenue_now - D(10100):,f}", element(html, "month-revenue"))

        summary = element(html, "checks")
        self.assertIn('href="#field-gross_output"', summary)
        self.assertIn("提示 2 条", summary)
        self.assertFalse(Value.objects.filter(submission=self.july).exists())
        self.assertFalse(CheckResult.objects.filter(submission=self.july).exists())
        fresh = Submission.objects.get(pk=self.july.pk)
        self.assertEqual((fresh.status, fresh.version), (Status.PENDING, self.july.version))

    def test_typed_explanations_come_back_in_the_fragment(self):
        figures = july_figures()
        figures["gross_output"] = (D("62000.5"), figures["gross_output"][1])
        response = self.check(figures, **{"explain:yoy_30:gross_output": "新生产线投产"})
        box = element(response.content.decode(), "x-yoy_30--gross_output")
        self.assertEqual(box, "新生产线投产")

    def test_one_explanation_for_all_warnings_of_a_field_is_stored_on_each(self):
        figures = july_figures()
        figures["gross_output"] = (D("62000.5"), figures["gross_output"][1])
        data = post_figures(
            figures,
            action="submit",
            **{"explain:sales_ratio": "7 月新生产线投产,库存增加", "explain_all:gross_output": "1"},
        )
        response = self.login(self.reporter_a).post(self.july.get_absolute_url(), data)
        self.assertRedirects(response, self.july.get_absolute_url())
        stored = dict(CheckResult.objects.filter(submission=self.july).values_list("key", "explanation"))
        self.assertEqual(
            stored,
            {
                "sales_ratio": "7 月新生产线投产,库存增加",
                "yoy_30:gross_output": "7 月新生产线投产,库存增加",
            },
        )
        self.assertEqual(Submission.objects.get(pk=self.july.pk).status, Status.SUBMITTED)

    def test_same_as_above_copies_the_previous_explanation_across_fields(self):
        figures = july_figures()
        figures["gross_output"] = (D("62000.5"), figures["gross_output"][1])
        figures["taxes"] = (D("900"), figures["taxes"][1])
        figures["electricity"] = (D("60"), figures["electricity"][1])
        data = post_figures(
            figures,
            action="submit",
            **{
                "explain:sales_ratio": "新生产线投产",
                "explain_all:gross_output": "1",
                "same:yoy_30:taxes": "1",
                "explain:yoy_30:electricity": "新生产线试车用电",
            },
        )
        response = self.login(self.reporter_a).post(self.july.get_absolute_url(), data)
        self.assertRedirects(response, self.july.get_absolute_url())
        stored = dict(CheckResult.objects.filter(submission=self.july).values_list("key", "explanation"))
        self.assertEqual(
            stored,
            {
                "sales_ratio": "新生产线投产",
                "yoy_30:gross_output": "新生产线投产",
                "yoy_30:electricity": "新生产线试车用电",
                "yoy_30:taxes": "新生产线投产",  # 同上: 税金 comes after 总产值 and before 用电量 on the page
            },
        )

    def test_without_the_shortcut_each_warning_still_needs_its_own(self):
        figures = july_figures()
        figures["gross_output"] = (D("62000.5"), figures["gross_output"][1])
        data = post_figures(figures, action="submit", **{"explain:sales_ratio": "新生产线投产"})
        response = self.login(self.reporter_a).post(self.july.get_absolute_url(), data)
        self.assertContains(response, "有 1 条提示需要填写说明")
        self.assertNotEqual(Submission.objects.get(pk=self.july.pk).status, Status.SUBMITTED)
        page = response.content.decode()
        self.assertEqual(element(page, "x-sales_ratio"), "新生产线投产")  # kept for the next try


class NextReviewTests(ReportingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        SizeMembership.objects.create(enterprise=cls.ent_b, year=2024)
        cls.july = build_july(cls.reviewer, cls.reporter_a, cls.ent_a, cls.sub_a)
        cls.july_b = Submission.objects.get(period=cls.july.period, enterprise=cls.ent_b)
        for reporter, submission in ((cls.reporter_a, cls.july), (cls.reporter_b, cls.july_b)):
            outcome = submit_report(
                actor=reporter, submission=submission, figures=july_figures(), explanations={}, source=WEB
            )
            assert outcome.submitted, [f.message for f in outcome.findings]

    def approve(self, submission, **extra):
        submission = Submission.objects.get(pk=submission.pk)
        url = reverse("reporting:submission_approve", args=[submission.pk])
        return self.login(self.reviewer).post(url, {"version": submission.version, **extra}, follow=True)

    def test_after_approving_the_page_offers_the_next_report(self):
        response = self.approve(self.july)
        self.assertContains(
            response, f'href="{reverse("reporting:submission_next")}" id="next-review-link">审核下一份'
        )
        self.assertContains(response, "还有 1 份报表等待审核")
        nxt = self.client.get(reverse("reporting:submission_next"))
        self.assertRedirects(nxt, self.july_b.get_absolute_url())

    def test_after_the_last_one_the_queue_is_said_to_be_empty(self):
        self.approve(self.july)
        response = self.approve(Submission.objects.get(pk=self.july_b.pk))
        self.assertContains(response, "审核队列已空")
        self.assertNotContains(response, "审核下一份")

    def test_approve_and_review_next_goes_to_the_next_report(self):
        response = self.approve(self.july, then="next")
        self.assertEqual(Submission.objects.get(pk=self.july.pk).status, Status.APPROVED)
        self.assertEqual(response.redirect_chain[-1][0], self.july_b.get_absolute_url())
        self.assertContains(response, 'id="approve-form"')

    def test_an_undecided_report_shows_no_next_button(self):
        response = self.login(self.reviewer).get(self.july.get_absolute_url())
        self.assertNotContains(response, "next-review-link")
        self.assertContains(response, "通过并审核下一份")


def test_explanation_shortcuts_resolve_in_page_order():
    from django.http import QueryDict

    from jushi.reporting.checks import Finding
    from jushi.reporting.views.common import resolve_explanations

    def warning(key, *fields):
        return Finding(
            key, key.split(":")[0], None, "", fields[0] if ":" in key else "", "warning", "", fields
        )

    findings = [  # the checker's order; the page's is by field: a, then b
        warning("yoy:b", "b"),
        warning("pair", "b", "a"),  # a form rule: explained under a, its first field on the page
        warning("yoy:a", "a"),
        warning("swing:b", "b"),
    ]
    post = QueryDict(mutable=True)
    post.update(
        {"explain:pair": "订单增加", "explain_all:a": "1", "same:yoy:b": "1", "explain:swing:b": "停产检修"}
    )
    post.update({"same:pair": "1"})  # nothing before it on the page: its own text stands
    assert resolve_explanations(post, findings, ["a", "b"]) == {
        "pair": "订单增加",
        "yoy:a": "订单增加",
        "yoy:b": "订单增加",
        "swing:b": "停产检修",
    }
    post.pop("explain_all:a")
    assert "yoy:a" not in resolve_explanations(post, findings, ["a", "b"])
