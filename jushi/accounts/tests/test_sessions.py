"""Session idle timeout (JUSHI_SESSION_IDLE_MINUTES) and absolute lifetime (JUSHI_SESSION_MAX_HOURS)."""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jushi.accounts.middleware import LAST_SEEN, LOGIN_AT

from .helpers import AccountsTestCase, make_user


class SessionLimitTests(AccountsTestCase):
    def setUp(self):
        super().setUp()
        self.user = make_user("alice")
        self.client.force_login(self.user)

    def backdate(self, *, login=None, seen=None):
        session = self.client.session
        now = timezone.now()
        if login is not None:
            session[LOGIN_AT] = (now - login).timestamp()
        if seen is not None:
            session[LAST_SEEN] = (now - seen).timestamp()
        session.save()

    def test_idle_session_is_logged_out_with_a_message(self):
        self.backdate(seen=dt.timedelta(minutes=31))
        response = self.client.get(reverse("registry:overview"))
        self.assertRedirects(response, f"{reverse('login')}?next=/registry/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        page = self.client.get(response["Location"])
        self.assertContains(page, "长时间未操作,已自动退出")

    def test_active_session_stays(self):
        self.backdate(seen=dt.timedelta(minutes=29))
        self.assertEqual(self.client.get(reverse("registry:overview")).status_code, 200)
        # ... and the visit counts as activity.
        self.assertGreater(
            self.client.session[LAST_SEEN], (timezone.now() - dt.timedelta(minutes=1)).timestamp()
        )

    def test_idle_limit_is_a_setting(self):
        self.backdate(seen=dt.timedelta(minutes=6))
        with self.settings(JUSHI_SESSION_IDLE_MINUTES=5):
            self.assertEqual(self.client.get(reverse("registry:overview")).status_code, 302)

    def test_session_ends_after_the_absolute_lifetime_even_when_active(self):
        self.assertEqual(settings.SESSION_COOKIE_AGE, 12 * 3600)
        self.backdate(login=dt.timedelta(hours=12, minutes=1), seen=dt.timedelta(minutes=1))
        response = self.client.get(reverse("registry:overview"))
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.client.get(response["Location"]), "登录已超过 12 小时,请重新登录")

    def test_idle_api_session_is_anonymous(self):
        self.backdate(seen=dt.timedelta(minutes=31))
        self.assertEqual(self.client.get("/api/enterprises/").status_code, 403)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_login_starts_both_clocks(self):
        session = self.client.session
        now = timezone.now().timestamp()
        self.assertAlmostEqual(session[LOGIN_AT], now, delta=60)
        self.assertAlmostEqual(session[LAST_SEEN], now, delta=60)
