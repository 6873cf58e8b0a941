"""TOTP two-factor login (django-otp): required for zone admins, the three administrators and superusers,
optional for others, with ten one-time recovery codes."""

import re

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jushi.accounts import services
from jushi.accounts.checks import check_two_factor
from jushi.accounts.choices import Role
from jushi.core.testing import PASSWORD

from .helpers import AccountsTestCase, make_user


def code_for(device, shift=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += shift * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


class TwoFactorTests(AccountsTestCase):
    two_factor_required = True

    def setUp(self):
        super().setUp()
        self.admin = make_user("admin", Role.ADMIN)
        self.staff = make_user("staff", Role.STAFF)

    def password_login(self, user):
        response = self.client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    def test_required_user_without_device_is_sent_to_enrolment_first(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("registry:overview"))
        self.assertRedirects(
            response, f"{reverse('accounts:two_factor_setup')}?next=/registry/", fetch_redirect_response=False
        )

    def test_enrolment_shows_qr_and_secret_then_ten_recovery_codes_once(self):
        self.client.force_login(self.admin)
        page = self.client.get(reverse("accounts:two_factor_setup"))
        self.assertContains(page, "<svg")
        device = TOTPDevice.objects.get(user=self.admin, confirmed=False)
        secret = re.search(r"<code>([A-Z2-7]+)</code>", page.content.decode()).group(1)
        self.assertEqual(len(secret), 32)
        wrong = self.client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
        self.assertContains(wrong, "验证码不正确")
        self.assertFalse(StaticToken.objects.exists())
        device.refresh_from_db()
        device.throttle_reset()  # django-otp makes a retry right after a wrong code wait (1 s, doubling)
        done = self.client.post(
            reverse("accounts:two_factor_setup"), {"code": code_for(device), "next": "/registry/"}
        )
        codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
        self.assertEqual(len(codes), 10)
        self.assertEqual(sorted(codes), sorted(StaticToken.objects.values_list("token", flat=True)))
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertEqual(self.client.get(reverse("registry:overview")).status_code, 200)
        # Enrolled: the page now offers only new recovery codes, never the secret again.
        status = self.client.get(reverse("accounts:two_factor_setup"))
        self.assertContains(status, "双因素认证已启用")
        self.assertNotContains(status, "<svg")

    def test_login_asks_for_the_code_after_the_password(self):
        device = enrol(self.admin)
        self.password_login(self.admin)
        response = self.client.get(reverse("registry:overview"))
        self.assertRedirects(
            response,
            f"{reverse('accounts:two_factor_verify')}?next=/registry/",
            fetch_redirect_response=False,
        )
        bad = self.client.post(
            reverse("accounts:two_factor_verify"), {"code": "123456", "next": "/registry/"}
        )
        self.assertContains(bad, "验证码不正确、已过期或已使用")
        device.refresh_from_db()
        device.throttle_reset()
        ok = self.client.post(
            reverse("accounts:two_factor_verify"), {"code": code_for(device), "next": "/registry/"}
        )
        self.assertRedirects(ok, "/registry/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("registry:overview")).status_code, 200)

    def test_a_recovery_code_works_once(self):
        enrol(self.admin)
        static = StaticDevice.objects.create(user=self.admin, name="恢复码")
        static.token_set.create(token="abcd1234")
        self.password_login(self.admin)
        response = self.client.post(reverse("accounts:two_factor_verify"), {"code": "abcd1234"})
        self.assertEqual(response.status_code, 302)
        self.client.post(reverse("logout"))
        self.password_login(self.admin)
        again = self.client.post(reverse("accounts:two_factor_verify"), {"code": "abcd1234"})
        self.assertContains(again, "验证码不正确、已过期或已使用")

    def test_password_alone_cannot_rebind_an_enrolled_account(self):
        enrol(self.admin)
        self.password_login(self.admin)
        response = self.client.get(reverse("accounts:two_factor_setup"))
        self.assertRedirects(response, reverse("accounts:two_factor_verify"), fetch_redirect_response=False)
        self.assertEqual(TOTPDevice.objects.filter(user=self.admin).count(), 1)

    def test_api_refuses_an_unverified_admin(self):
        enrol(self.admin)
        self.client.force_login(self.admin)
        response = self.client.get("/api/enterprises/")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json(), {"detail": "请先在网页登录并输入双因素验证码"})

    def test_superusers_and_the_three_administrators_are_required(self):
        for user in (
            make_user("root", is_superuser=True),
            make_user("xitong", Role.SYSADMIN),
            make_user("anquan", Role.SECADMIN),
            make_user("shenji", Role.AUDITADMIN),
        ):
            self.assertTrue(user.requires_two_factor(), user.username)
            self.client.force_login(user)
            response = self.client.get("/django-admin/")
            self.assertTrue(
                response["Location"].startswith(reverse("accounts:two_factor_setup")), user.username
            )

    def test_optional_for_staff_until_they_enrol(self):
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(reverse("registry:overview")).status_code, 200)
        enrol(self.staff)
        self.client.post(reverse("logout"))
        self.password_login(self.staff)
        response = self.client.get(reverse("registry:overview"))
        self.assertTrue(response["Location"].startswith(reverse("accounts:two_factor_verify")))

    def test_setting_off_lets_admins_in_with_a_password(self):
        with self.settings(JUSHI_2FA_REQUIRED=False):
            self.client.force_login(self.admin)
            self.assertEqual(self.client.get(reverse("registry:overview")).status_code, 200)

    def test_security_administrator_resets_a_device(self):
        enrol(self.admin)
        StaticDevice.objects.create(user=self.admin, name="恢复码")
        anquan = make_user("anquan", Role.SECADMIN)
        with self.assertRaises(PermissionDenied):
            services.reset_two_factor(self.admin, actor=self.staff)
        self.assertEqual(services.reset_two_factor(self.admin, actor=anquan), 2)
        self.assertFalse(TOTPDevice.objects.filter(user=self.admin).exists())
        # At the next login the admin enrols again.
        self.password_login(self.admin)
        response = self.client.get(reverse("registry:overview"))
        self.assertTrue(response["Location"].startswith(reverse("accounts:two_factor_setup")))

    def test_expired_password_and_no_device_lead_to_enrolment_then_the_password_page(self):
        self.admin.password_changed_at = self.admin.password_changed_at.replace(year=2020)
        self.admin.save(update_fields=["password_changed_at"])
        self.client.force_login(self.admin)
        first = self.client.get(reverse("registry:overview"))
        self.assertTrue(first["Location"].startswith(reverse("accounts:two_factor_setup")))
        self.assertEqual(self.client.get(first["Location"]).status_code, 200)
        device = TOTPDevice.objects.get(user=self.admin)
        self.client.post(reverse("accounts:two_factor_setup"), {"code": code_for(device)})
        second = self.client.get(reverse("registry:overview"))
        self.assertTrue(second["Location"].startswith(reverse("accounts:password_change")))
        self.assertEqual(self.client.get(second["Location"]).status_code, 200)

    def test_deploy_check_warns_when_two_factor_is_off(self):
        self.assertEqual(check_two_factor(None), [])
        with self.settings(JUSHI_2FA_REQUIRED=False):
            (warning,) = check_two_factor(None)
        self.assertEqual(warning.id, "accounts.W001")
