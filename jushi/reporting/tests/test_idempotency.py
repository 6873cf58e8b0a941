"""A submission or a review decision sent twice acts once (issue 15: the server restarted mid-request).

The pages carry a fresh `idempotency_key` in each form, the API takes an `Idempotency-Key` header: the
first request acts and records its answer in the same transaction, a repeat gets that answer back (a
page: the same redirect and "重复提交已忽略"; the API: the same status and body). A failure inside the
action leaves neither the key nor the change, so the retry acts; a key reused for another report or
another action is refused; two requests with one key at the same moment make one action, no 500.
"""

import re
import threading
import time
import uuid
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core import idempotency
from jushi.core.choices import ChangeSource
from jushi.core.models import IdempotencyKey, Notification
from jushi.core.testing import make_code
from jushi.lib.periods import Period
from jushi.registry.models import Enterprise, SizeMembership, UserScope
from jushi.reporting.choices import EventKind, Status
from jushi.reporting.models import Submission, SubmissionEvent, Value, ValueChange
from jushi.reporting.services.periods import open_period
from jushi.reporting.services.submissions import submit_report

from .base import WEB, ReportingTestCase, good_figures
from .test_browser import kashgar_park, standard_form
from .test_pages import post_figures

SERVICES = "jushi.reporting.services.submissions"
FORMS = ("report-form", "approve-form", "return-form")


def form_keys(page) -> dict[str, str]:
    """The idempotency key each form of a rendered page carries, by the form's id."""
    html, keys = page.content.decode(), {}
    for form in FORMS:
        start = html.find(f'id="{form}"')
        if start >= 0:
            found = re.search(
                r'name="idempotency_key" value="([^"]+)"', html[start : html.find("</form>", start)]
            )
            if found:
                keys[form] = found[1]
    return keys


def events(submission, kind) -> int:
    return SubmissionEvent.objects.filter(submission=submission, kind=kind).count()


def second_report(case) -> Submission:
    """乙's June report too (乙 is made 规上 and the period opened again)."""
    SizeMembership.objects.create(enterprise=case.ent_b, year=2024)
    open_period(actor=case.admin, form=case.form, zone=case.kashgar, period=Period.parse("2024-06"))
    return Submission.objects.get(period=case.period, enterprise=case.ent_b)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class PageTests(ReportingTestCase):
    def test_a_submit_sent_twice_with_the_forms_key_submits_once_and_says_so(self):
        client = self.login(self.reporter_a)
        key = form_keys(client.get(self.sub_a.get_absolute_url()))["report-form"]
        self.assertEqual(str(uuid.UUID(key)), key)  # a fresh UUID rendered with the form
        data = post_figures(good_figures(), action="submit", idempotency_key=key)
        first = client.post(self.sub_a.get_absolute_url(), data)
        self.assertRedirects(first, self.sub_a.get_absolute_url(), fetch_redirect_response=False)
        after_first = self.fresh()
        self.assertEqual(after_first.status, Status.SUBMITTED)

        again = client.post(self.sub_a.get_absolute_url(), data)  # the browser resends the same form
        self.assertRedirects(again, self.sub_a.get_absolute_url(), fetch_redirect_response=False)
        self.assertIn("该报表已报送(重复提交已忽略)", message_texts(again))
        self.assertEqual(self.fresh().version, after_first.version)
        self.assertEqual(events(self.sub_a, EventKind.SUBMITTED), 1)
        self.assertEqual(ValueChange.objects.filter(submission=self.sub_a).count(), 1)
        self.assertEqual(Notification.objects.filter(user=self.reviewer).count(), 1)
        kept = IdempotencyKey.objects.get()
        self.assertEqual(
            (kept.user, kept.action, kept.key, kept.target, kept.status, kept.location),
            (
                self.reporter_a,
                "reporting.submit",
                key,
                str(self.sub_a.pk),
                302,
                self.sub_a.get_absolute_url(),
            ),
        )

    def test_each_rendering_carries_new_keys_one_per_form(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        client = self.login(self.reviewer)
        first = form_keys(client.get(self.sub_a.get_absolute_url()))
        second = form_keys(client.get(self.sub_a.get_absolute_url()))
        self.assertEqual(set(first), {"approve-form", "return-form"})
        self.assertNotEqual(first["approve-form"], first["return-form"])
        self.assertNotEqual(first["approve-form"], second["approve-form"])

    def test_approve_and_next_sent_twice_approves_once_and_goes_to_the_same_place(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        client = self.login(self.reviewer)
        key = form_keys(client.get(self.sub_a.get_absolute_url()))["approve-form"]
        url = reverse("reporting:submission_approve", args=[self.sub_a.pk])
        data = {"version": self.fresh().version, "note": "核对无误", "then": "next", "idempotency_key": key}
        first = client.post(url, data)
        self.assertRedirects(first, reverse("reporting:submission_next"), fetch_redirect_response=False)
        approved = self.fresh()
        self.assertEqual(approved.status, Status.APPROVED)

        again = client.post(url, data)  # stale version: without the key this would be "刚被其他人处理"
        self.assertRedirects(again, reverse("reporting:submission_next"), fetch_redirect_response=False)
        texts = message_texts(again)
        self.assertIn("该报表已审核通过(重复提交已忽略)", texts)
        self.assertFalse([t for t in texts if "刚被其他人处理" in t])
        self.assertEqual(self.fresh().version, approved.version)
        self.assertEqual(events(self.sub_a, EventKind.APPROVED), 1)

    def test_without_a_key_the_version_check_answers_as_before_and_no_key_is_kept(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        client = self.login(self.reviewer)
        url = reverse("reporting:submission_approve", args=[self.sub_a.pk])
        data = {"version": self.fresh().version}
        client.post(url, data)
        again = client.post(url, data)
        self.assertTrue([t for t in message_texts(again) if "报表刚被其他人处理,本次操作未生效" in t])
        self.assertEqual(events(self.sub_a, EventKind.APPROVED), 1)
        self.assertFalse(IdempotencyKey.objects.exists())

    def test_a_crash_inside_the_submit_leaves_no_key_and_no_submission_and_the_retry_submits(self):
        client = self.login(self.reporter_a)
        data = post_figures(good_figures(), action="submit", idempotency_key=str(uuid.uuid4()))
        # The last step of the submit (telling the reviewers) fails: the transition is already written.
        with mock.patch(f"{SERVICES}._tell_reviewers", side_effect=RuntimeError("服务器重启")):
            with self.assertRaises(RuntimeError):
                client.post(self.sub_a.get_absolute_url(), data)
        self.assertFalse(IdempotencyKey.objects.exists())
        self.assertEqual(self.fresh().status, Status.PENDING)
        self.assertFalse(Value.objects.filter(submission=self.sub_a).exists())
        self.assertEqual(events(self.sub_a, EventKind.SUBMITTED), 0)

        retry = client.post(self.sub_a.get_absolute_url(), data)
        self.assertRedirects(retry, self.sub_a.get_absolute_url(), fetch_redirect_response=False)
        self.assertIn("已报送,等待开发区统计人员审核", message_texts(retry))
        self.assertEqual(self.fresh().status, Status.SUBMITTED)
        self.assertEqual(events(self.sub_a, EventKind.SUBMITTED), 1)
        self.assertEqual(IdempotencyKey.objects.count(), 1)

    def test_a_crash_while_keeping_the_answer_undoes_the_approval_too(self):
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        client = self.login(self.reviewer)
        url = reverse("reporting:submission_approve", args=[self.sub_a.pk])
        data = {"version": self.fresh().version, "idempotency_key": "retry-me-1"}
        with mock.patch.object(idempotency.Guard, "record", side_effect=OperationalError("连接中断")):
            with self.assertRaises(OperationalError):
                client.post(url, data)
        self.assertEqual(self.fresh().status, Status.SUBMITTED)
        self.assertEqual(events(self.sub_a, EventKind.APPROVED), 0)
        self.assertFalse(IdempotencyKey.objects.exists())
        client.post(url, data)
        self.assertEqual(self.fresh().status, Status.APPROVED)

    def test_a_refused_submit_keeps_the_draft_but_not_the_key(self):
        figures = good_figures()
        figures["export_value"] = (figures["sales_output"][0] * 2, figures["export_value"][1])  # blocking
        client = self.login(self.reporter_a)
        key = str(uuid.uuid4())
        client.post(
            self.sub_a.get_absolute_url(), post_figures(figures, action="submit", idempotency_key=key)
        )
        self.assertEqual(self.fresh().status, Status.DRAFT)
        self.assertFalse(IdempotencyKey.objects.exists())
        fixed = client.post(
            self.sub_a.get_absolute_url(), post_figures(good_figures(), action="submit", idempotency_key=key)
        )
        self.assertEqual(fixed.status_code, 302)
        self.assertEqual(self.fresh().status, Status.SUBMITTED)

    def test_a_key_reused_for_another_report_is_refused_and_nothing_is_done(self):
        sub_b = second_report(self)
        submit_report(actor=self.reporter_a, submission=self.sub_a, figures=good_figures(), source=WEB)
        submit_report(actor=self.reporter_b, submission=sub_b, figures=good_figures(), source=WEB)
        client = self.login(self.reviewer)
        key = str(uuid.uuid4())
        client.post(reverse("reporting:submission_approve", args=[self.sub_a.pk]), {"idempotency_key": key})
        self.assertEqual(self.fresh().status, Status.APPROVED)
        response = client.post(
            reverse("reporting:submission_approve", args=[sub_b.pk]), {"idempotency_key": key}
        )
        self.assertContains(response, "已用于另一份记录", status_code=422)
        self.assertContains(response, sub_b.get_absolute_url(), status_code=422)
        self.assertEqual(self.fresh(sub_b).status, Status.SUBMITTED)
        # …and for another action on the same report.
        response = client.post(
            reverse("reporting:submission_return", args=[self.sub_a.pk]),
            {"idempotency_key": key, "reason": "请核对"},
        )
        self.assertContains(response, "已用于审核通过,不能再用于退回", status_code=422)
        self.assertEqual(self.fresh().status, Status.APPROVED)

    def test_a_malformed_key_is_refused_with_the_limit_named(self):
        client = self.login(self.reporter_a)
        data = post_figures(good_figures(), action="submit", idempotency_key="x" * 101)
        response = client.post(self.sub_a.get_absolute_url(), data)
        self.assertContains(response, "不能超过 100 个字符,现有 101 个", status_code=400)
        self.assertEqual(self.fresh().status, Status.PENDING)


class ApiTests(ReportingTestCase):
    def api(self, user, action, body, submission=None, key=None):
        self.client.force_login(user)
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
        url = f"/api/reporting/submissions/{(submission or self.sub_a).pk}/{action}/"
        return self.client.post(url, body, content_type="application/json", **headers)

    def submitted(self, submission=None, reporter=None):
        submission = submission or self.sub_a
        outcome = submit_report(
            actor=reporter or self.reporter_a, submission=submission, figures=good_figures(), source=WEB
        )
        self.assertTrue(outcome.submitted, outcome.findings)
        return self.fresh(submission)

    def test_approve_twice_with_one_key_gives_the_same_answer_and_approves_once(self):
        version = self.submitted().version
        first = self.api(self.reviewer, "approve", {"version": version, "note": "ok"}, key="k-approve-1")
        self.assertEqual(first.status_code, 200, first.content)
        self.assertNotIn("Idempotent-Replayed", first.headers)
        again = self.api(self.reviewer, "approve", {"version": version, "note": "ok"}, key="k-approve-1")
        self.assertEqual(again.status_code, 200, again.content)
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(first.json()["status"], "approved")
        self.assertEqual(events(self.sub_a, EventKind.APPROVED), 1)
        # Without the key the same request is the stale-version conflict it always was.
        stale = self.api(self.reviewer, "approve", {"version": version, "note": "ok"})
        self.assertEqual(stale.status_code, 409)

    def test_submit_twice_with_one_key_replays_the_first_answer(self):
        body = {
            "values": {c: {"current": str(a), "last_year": str(b)} for c, (a, b) in good_figures().items()}
        }
        first = self.api(self.reporter_a, "submit", body, key="submit-0001")
        self.assertEqual(first.status_code, 200, first.content)
        self.assertTrue(first.json()["submitted"])
        again = self.api(self.reporter_a, "submit", body, key="submit-0001")
        self.assertEqual((again.status_code, again.json()), (200, first.json()))
        self.assertEqual(events(self.sub_a, EventKind.SUBMITTED), 1)
        self.assertEqual(Notification.objects.filter(user=self.reviewer).count(), 1)

    def test_a_crash_inside_the_approval_leaves_no_key_and_the_retry_approves(self):
        version = self.submitted().version
        with mock.patch(f"{SERVICES}.announce_approved", side_effect=RuntimeError("服务器重启")):
            with self.assertRaises(RuntimeError):
                self.api(self.reviewer, "approve", {"version": version}, key="k-crash")
        self.assertEqual(self.fresh().status, Status.SUBMITTED)
        self.assertFalse(Value.objects.filter(submission=self.sub_a, approved_current__isnull=False).exists())
        self.assertFalse(IdempotencyKey.objects.exists())
        retry = self.api(self.reviewer, "approve", {"version": version}, key="k-crash")
        self.assertEqual(retry.status_code, 200, retry.content)
        self.assertEqual(self.fresh().status, Status.APPROVED)
        self.assertEqual(events(self.sub_a, EventKind.APPROVED), 1)

    def test_an_error_answer_keeps_no_key(self):
        version = self.submitted().version
        refused = self.api(self.reviewer, "return", {"version": version, "reason": ""}, key="k-ret")
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(IdempotencyKey.objects.exists())
        done = self.api(self.reviewer, "return", {"version": version, "reason": "请核对用电量"}, key="k-ret")
        self.assertEqual(done.status_code, 200, done.content)
        self.assertEqual(self.fresh().status, Status.RETURNED)

    def test_a_key_reused_for_another_report_or_action_is_a_422(self):
        sub_b = second_report(self)
        self.submitted()
        self.submitted(sub_b, self.reporter_b)
        self.assertEqual(self.api(self.reviewer, "approve", {}, key="shared").status_code, 200)
        other = self.api(self.reviewer, "approve", {}, submission=sub_b, key="shared")
        self.assertEqual(other.status_code, 422)
        self.assertIn("已用于另一份记录", other.json()["detail"])
        self.assertEqual(self.fresh(sub_b).status, Status.SUBMITTED)
        action = self.api(self.reviewer, "return", {"reason": "请核对"}, submission=sub_b, key="shared")
        self.assertEqual(action.status_code, 422)
        self.assertIn("不能再用于退回", action.json()["detail"])
        self.assertEqual(self.fresh(sub_b).status, Status.SUBMITTED)
        # Keys are each user's own: another reviewer's "shared" is a different key.
        self.assertEqual(self.api(self.admin, "approve", {}, submission=sub_b, key="shared").status_code, 200)

    def test_a_malformed_key_is_a_400(self):
        self.submitted()
        for key in ("k" * 101, "带中文的标识"):
            response = self.api(self.reviewer, "approve", {}, key=key.encode().decode("latin-1"))
            self.assertEqual(response.status_code, 400, key)
            self.assertIn("重复提交标识", response.json()["detail"])
        self.assertEqual(self.fresh().status, Status.SUBMITTED)

    def test_the_schema_documents_the_header_in_chinese(self):
        self.client.force_login(self.reviewer)
        schema = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        base = "/api/reporting/submissions/{id}/"
        for action in ("submit", "approve", "return"):
            operation = schema["paths"][f"{base}{action}/"]["post"]
            header = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
            self.assertEqual(len(header), 1, action)
            self.assertEqual(header[0]["in"], "header")
            self.assertIn("只执行一次", header[0]["description"])
            self.assertIn("422", operation["responses"])
        self.assertNotIn(
            "Idempotency-Key",
            [p["name"] for p in schema["paths"][f"{base}save/"]["post"].get("parameters", [])],
        )


class PruneTests(ReportingTestCase):
    def test_keys_older_than_the_kept_days_are_pruned(self):
        import datetime as dt

        from django.utils import timezone

        old = IdempotencyKey.objects.create(
            user=self.reviewer, key="old", action="reporting.approve", target="1"
        )
        IdempotencyKey.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=8))
        IdempotencyKey.objects.create(user=self.reviewer, key="new", action="reporting.approve", target="1")
        self.assertEqual(idempotency.prune(), 1)
        self.assertEqual(list(IdempotencyKey.objects.values_list("key", flat=True)), ["new"])


# Two requests with one key at the same moment, on a real database ------------------------------------


@pytest.fixture
def submitted_report():
    form = standard_form()
    zone, park, industry = kashgar_park()
    reviewer = User.objects.create_user("tongji", role=Role.STAFF, department=Department.ECONOMY)
    UserScope.objects.create(user=reviewer).zones.set([zone])
    enterprise = Enterprise.objects.create(
        zone=zone, park=park, industry=industry, name="甲纺织有限公司", credit_code=make_code(1)
    )
    SizeMembership.objects.create(enterprise=enterprise, year=2024)
    reporter = User.objects.create_user("qiye", role=Role.REPORTER)
    UserScope.objects.create(user=reporter, enterprise=enterprise)
    period, _ = open_period(actor=reviewer, form=form, zone=zone, period=Period.parse("2024-06"))
    submission = Submission.objects.get(period=period, enterprise=enterprise)
    outcome = submit_report(
        actor=reporter, submission=submission, figures=good_figures(), source=ChangeSource.WEB
    )
    assert outcome.submitted, outcome.findings
    submission.refresh_from_db()
    return submission, Token.objects.create(user=reviewer).key


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite's in-memory test database has no real lock waits"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_with_one_key_at_the_same_moment_approve_once(submitted_report):
    submission, token = submitted_report
    url = f"/api/reporting/submissions/{submission.pk}/approve/"
    start, answers = threading.Barrier(2), []
    real_announce = __import__(SERVICES, fromlist=["announce_approved"]).announce_approved

    def slow_announce(**kwargs):  # hold the winner's transaction open while the other request arrives
        time.sleep(0.5)
        return real_announce(**kwargs)

    def approve():
        try:
            client = Client(raise_request_exception=False)
            start.wait()
            response = client.post(
                url,
                {"version": submission.version},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {token}",
                HTTP_IDEMPOTENCY_KEY="same-moment",
            )
            answers.append(response)
        finally:
            connections.close_all()

    with mock.patch(f"{SERVICES}.announce_approved", side_effect=slow_announce):
        threads = [threading.Thread(target=approve) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(r.status_code for r in answers) == [200, 200], [r.content[:200] for r in answers]
    assert answers[0].json() == answers[1].json()
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in answers) == ["", "true"]
    assert SubmissionEvent.objects.filter(submission=submission, kind=EventKind.APPROVED).count() == 1
    assert IdempotencyKey.objects.count() == 1
