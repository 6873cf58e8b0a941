"""Issue 13: "40 wrong passwords in 14 s, then the right one logs in". Now 5 failures lock the username and
the IP for 15 minutes (django-axes), with a Chinese page saying when to retry."""

import datetime as dt
import re

from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jushi.core.testing import PASSWORD

from .helpers import AccountsTestCase, make_user


class LockoutTests(AccountsTestCase):
    def setUp(self):
        super().setUp()
        # Made here, not in setUpTestData: the test hasher (conftest) is only in force during the test.
        self.alice = make_user("alice")
        self.bob = make_user("bob")

    def login(self, username, password=PASSWORD, ip="10.0.0.1"):
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def fail_logins(self, username, times=5, ip="10.0.0.1"):
        for n in range(1, times + 1):
            response = self.login(username, "wrong-Password-1", ip=ip)
            # The failure that reaches the limit already answers with the lockout page.
            self.assertEqual(response.status_code, 429 if n >= 5 else 200)

    def assertLockedOut(self, response):
        self.assertEqual(response.status_code, 429)
        body = response.content.decode()
        self.assertIn("登录已暂时锁定", body)
        self.assertIn("已锁定 15 分钟", body)
        self.assertRegex(body, r"请于 <b>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</b> 之后再试")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_right_password_after_five_failures_is_refused(self):
        self.fail_logins("alice")
        self.assertLockedOut(self.login("alice"))

    def test_four_failures_do_not_lock(self):
        self.fail_logins("alice", times=4)
        self.assertRedirects(self.login("alice"), reverse("core:home"), fetch_redirect_response=False)

    def test_retry_time_is_fifteen_minutes_after_the_last_failure(self):
        self.fail_logins("alice")
        body = self.login("alice").content.decode()
        shown = re.search(r"<b>(\d{4}-\d{2}-\d{2} \d{2}:\d{2})</b>", body).group(1)
        last = AccessAttempt.objects.get(username="alice").attempt_time
        expected = timezone.localtime(last + dt.timedelta(minutes=15)).strftime("%Y-%m-%d %H:%M")
        self.assertEqual(shown, expected)

    def test_user_lock_holds_from_another_ip(self):
        self.fail_logins("alice", ip="10.0.0.1")
        self.assertLockedOut(self.login("alice", ip="10.0.0.2"))

    def test_ip_lock_holds_for_other_usernames(self):
        for name in ("carol", "dave", "erin", "frank", "grace"):  # spraying: one guess per name
            self.login(name, "wrong-Password-1", ip="10.0.0.9")
        self.assertLockedOut(self.login("bob", ip="10.0.0.9"))
        # Bob himself is not locked: from his own address he gets in.
        self.assertEqual(self.login("bob", ip="10.0.0.3").status_code, 302)

    def test_lock_lifts_after_the_window(self):
        self.fail_logins("alice")
        AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
        self.assertEqual(self.login("alice").status_code, 302)

    def test_failures_during_lockout_restart_the_window(self):
        self.fail_logins("alice")
        AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
        self.login("alice", "wrong-Password-1")
        AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
        self.assertLockedOut(self.login("alice"))

    def test_window_and_limit_come_from_settings(self):
        with self.settings(AXES_FAILURE_LIMIT=2, JUSHI_LOCKOUT_FAILURES=2):
            self.fail_logins("alice", times=1)
            self.assertEqual(self.login("alice", "wrong-Password-1").status_code, 429)
            self.assertEqual(self.login("alice").status_code, 429)

    def test_unlock_command_lifts_the_lock(self):
        self.fail_logins("alice")
        call_command("unlock", "alice", stdout=open("/dev/null", "w"))
        self.assertEqual(self.login("alice").status_code, 302)

    def test_unlock_command_names_an_unknown_user(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "没有名为“nobody”的用户"):
            call_command("unlock", "nobody")

    def test_django_admin_login_is_locked_too(self):
        self.fail_logins("alice")
        response = self.client.post(
            reverse("admin:login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
        )
        self.assertEqual(response.status_code, 429)

    def test_test_client_logins_keep_working(self):
        self.assertTrue(self.client.login(username="alice", password=PASSWORD))
        self.assertFalse(self.client.login(username="alice", password="wrong-Password-1"))
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(reverse("registry:overview")).status_code, 200)


class LastLoginNoticeTests(AccountsTestCase):
    def setUp(self):
        super().setUp()
        self.alice = make_user("alice")

    def login(self, password=PASSWORD, ip="10.0.0.1"):
        return self.client.post(
            reverse("login"), {"username": "alice", "password": password}, REMOTE_ADDR=ip, follow=True
        )

    def messages(self, response):
        return [str(m) for m in response.context["messages"]]

    def test_first_login_says_so(self):
        self.assertIn("这是您的首次登录;此前失败登录 0 次", self.messages(self.login()))

    def test_shows_last_login_and_failures_since(self):
        self.login(ip="10.1.2.3")
        self.client.post(reverse("logout"))
        before = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        self.login("wrong-Password-1", ip="10.9.9.9")
        self.login("wrong-Password-1", ip="10.9.9.9")
        notes = self.messages(self.login(ip="10.1.2.4"))
        self.assertEqual(len(notes), 1)
        self.assertRegex(
            notes[0], r"^上次登录:\d{4}-\d{2}-\d{2} \d{2}:\d{2}\(IP 10\.1\.2\.3\);此后失败登录 2 次$"
        )
        self.assertLessEqual(before[:13], notes[0][5:18])

    def test_failures_before_the_last_login_are_not_counted_again(self):
        self.login("wrong-Password-1")
        self.login()
        self.client.post(reverse("logout"))
        notes = self.messages(self.login())
        self.assertTrue(notes[0].endswith("此后失败登录 0 次"), notes)


class ClientAddressTests(AccountsTestCase):
    """Behind the guide's nginx every request comes from 127.0.0.1: the per-IP lockout must count the
    client's address from X-Forwarded-For, or five failures anywhere would lock out everyone."""

    def setUp(self):
        super().setUp()
        self.enterContext(self.settings(JUSHI_PROXY_COUNT=1))
        self.alice = make_user("alice")

    def login(self, password, forwarded):
        return self.client.post(
            reverse("login"),
            {"username": "alice" if password == PASSWORD else "nobody", "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    def test_failures_from_one_client_do_not_lock_another_behind_the_same_proxy(self):
        for n in range(5):
            self.login("wrong-Password-1", f"10.0.0.{n}, 203.0.113.7")  # a spoofed left part changes nothing
        self.assertEqual(self.login(PASSWORD, "198.51.100.2").status_code, 302)
        self.client.post(reverse("logout"))
        self.assertEqual(self.login(PASSWORD, "203.0.113.7").status_code, 429)

    def test_client_ip_reads_the_trusted_hop(self):
        from django.test import RequestFactory

        from jushi.accounts.backends import client_ip

        request = RequestFactory().get(
            "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7"
        )
        self.assertEqual(client_ip(request), "203.0.113.7")
        request.META["HTTP_X_FORWARDED_FOR"] = "not-an-ip"
        self.assertEqual(client_ip(request), "127.0.0.1")
        with self.settings(JUSHI_PROXY_COUNT=0):
            self.assertEqual(client_ip(request), "127.0.0.1")
