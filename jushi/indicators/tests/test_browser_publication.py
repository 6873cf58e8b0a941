"""A published period in a browser, on the demo clock (2024-07-20): a lead signed today does not move the
leader's dashboard off the current period; an approved correction of a published figure raises the 修订
badge, and the 实时 switch shows the live figure. Screenshots are saved."""

from decimal import Decimal

import pytest

from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.indicators import publishing
from jushi.indicators.tests.test_browser import submitted  # noqa: F401  (a fixture)
from jushi.projects.services import advance_stage, create_project
from jushi.reporting.models import Submission
from jushi.reporting.services.submissions import approve_submission, start_correction, submit_report
from jushi.reporting.tests.test_browser import GOOD, june, log_in  # noqa: F401  (june is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_clock(settings):
    settings.JUSHI_TODAY = "2024-07-20"


def _stage_fixtures():
    import importlib

    from django.apps import apps

    from jushi.projects.models import Stage

    if not Stage.objects.exists():  # flushed by an earlier transactional test
        importlib.import_module("jushi.projects.migrations.0002_stages").install(apps, None)


def test_signing_today_keeps_the_current_period_and_a_correction_shows_the_revision_badge(
    page,
    demo_clock,
    submitted,  # noqa: F811
    screenshot,
):
    tongji = User.objects.get(username="tongji")
    approve_submission(actor=tongji, submission=submitted, source=ChangeSource.WEB)
    zone = submitted.period.zone
    publication = publishing.publish(actor=tongji, zone=zone, period="2024H1", source=ChangeSource.WEB)
    assert (publication.revision, publication.incomplete) == (1, False)

    _stage_fixtures()
    project = create_project(
        actor=tongji,
        zone=zone,
        data={
            "name": "智慧物流港二期",
            "investor_name": "新疆金正实业集团",
            "industry": "3841",
            "lead_on": "2024-07-20",
        },
        source=ChangeSource.WEB,
    )
    advance_stage(
        actor=tongji,
        project=project,
        to_stage="signed",
        data={
            "talks_on": "2024-07-20",
            "signed_on": "2024-07-20",  # today, by the demo clock
            "agreed_investment": "25000",
            "contract_no": "KSEDZ-2024-031",
        },
        source=ChangeSource.WEB,
    )
    assert publishing.current_period(zone).code == "2024-06"

    log_in(page, "tongji")
    page.goto("/indicators/")
    selected = page.locator("select[name=period] option:checked").inner_text()
    assert selected == "2024年1-6月", selected
    card = page.locator(".kpi[data-indicator='IND_GO']")
    assert "增长10.0%" in card.inner_text(), card.inner_text()
    assert "已发布 第1版" in page.locator("#publication").inner_text()
    assert page.locator("#revision-badge").count() == 0
    screenshot(page, "1-published-after-signing-today")

    # The enterprise corrects June and the correction is approved: the published figure stays, badged.
    reporter = User.objects.get(username="qiye")
    june_report = Submission.objects.get(pk=submitted.pk)
    start_correction(actor=reporter, submission=june_report, reason="漏报一条生产线", source=ChangeSource.WEB)
    figures = {code: (Decimal(now), Decimal(before)) for code, (now, before) in GOOD.items()}
    figures["gross_output"] = (Decimal("11000"), Decimal("9090.9"))
    figures["sales_output"] = (Decimal("10780"), Decimal("8909.1"))
    outcome = submit_report(
        actor=reporter,
        submission=Submission.objects.get(pk=submitted.pk),
        figures=figures,
        source=ChangeSource.WEB,
    )
    if not outcome.submitted:  # warnings to explain: explain each, as a reporter would
        explanations = {f.key: "漏报生产线已补" for f in outcome.missing}
        outcome = submit_report(
            actor=reporter,
            submission=Submission.objects.get(pk=submitted.pk),
            figures=figures,
            explanations=explanations,
            source=ChangeSource.WEB,
        )
    assert outcome.submitted, outcome
    approve_submission(
        actor=tongji, submission=Submission.objects.get(pk=submitted.pk), source=ChangeSource.WEB
    )

    page.goto("/indicators/")
    badge = page.locator("#revision-badge")
    badge.wait_for()
    text = badge.inner_text()
    assert "修订" in text and "规上工业总产值" in text, text
    assert "+10.0%" in text and "+21.0%" in text, text
    assert "增长10.0%" in page.locator(".kpi[data-indicator='IND_GO']").inner_text()  # still the published
    screenshot(page, "2-revision-badge")
    page.click("#live-switch")
    page.wait_for_url("**live=1**")
    assert "增长21.0%" in page.locator(".kpi[data-indicator='IND_GO']").inner_text()
    screenshot(page, "3-live")
