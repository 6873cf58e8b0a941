"""Password complexity (length >= 10, three of four classes) and expiry for staff-type roles."""

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from jushi.accounts.choices import Role
from jushi.core.management.commands.demo import DEMO_PASSWORD
from jushi.core.testing import PASSWORD

from .helpers import AccountsTestCase, make_user


class ComplexityTests(AccountsTestCase):
    def messages(self, password):
        with translation.override("zh-hans"):  # as the pages run (LocaleMiddleware); messages are lazy
            with self.assertRaises(ValidationError) as caught:
                validate_password(password)
            return [str(m) for m in caught.exception.messages]

    def test_two_classes_are_refused_in_chinese(self):
        (message,) = self.messages("qwertzuiopas")
        self.assertEqual(
            message,
            "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类(当前只有 1 类,可加入:大写字母、数字、符号)。",
        )
        self.assertIn(
            "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类", self.messages("qwertz-uiopas")[0]
        )

    def test_nine_characters_are_too_short(self):
        self.assertIn("密码太短:至少 10 个字符(当前 9 个)。", self.messages("Ab1-xyzvq"))

    def test_three_classes_and_ten_characters_pass(self):
        for password in ("Zhuanxiang9x", "zhuanxiang-9x", "ZHUAN_XIANG_2X", "园区Zhuan2024x"):
            validate_password(password)

    def test_the_persona_and_demo_passwords_comply(self):
        validate_password(PASSWORD)
        validate_password(DEMO_PASSWORD)


class ExpiryTests(AccountsTestCase):
    def setUp(self):
        super().setUp()
        self.staff = make_user("staff", Role.STAFF)
        self.reporter = make_user("reporter", Role.REPORTER)

    def age(self, user, days):
        user.password_changed_at = timezone.now() - dt.timedelta(days=days)
        user.save(update_fields=["password_changed_at"])

    def test_new_and_changed_passwords_are_dated(self):
        before = timezone.now()
        self.assertGreaterEqual(self.staff.password_changed_at, before - dt.timedelta(seconds=5))
        self.age(self.staff, 100)
        self.staff.set_password("New-password-2025")
        self.staff.save()
        self.staff.refresh_from_db()
        self.assertGreaterEqual(self.staff.password_changed_at, before)

    def test_checking_a_password_does_not_date_it(self):
        self.age(self.staff, 100)
        with self.settings(
            PASSWORD_HASHERS=[
                "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
                "django.contrib.auth.hashers.MD5PasswordHasher",
            ]
        ):  # a hasher upgrade on login re-encodes the same password
            self.assertTrue(self.staff.check_password(PASSWORD))
        self.staff.save()
        self.staff.refresh_from_db()
        self.assertEqual((timezone.now() - self.staff.password_changed_at).days, 100)

    def test_expired_password_sends_every_page_to_the_change_page(self):
        self.age(self.staff, 181)
        self.client.force_login(self.staff)
        response = self.client.get(reverse("registry:overview"))
        self.assertRedirects(
            response, f"{reverse('accounts:password_change')}?next=/registry/", fetch_redirect_response=False
        )
        page = self.client.get(reverse("accounts:password_change"))
        self.assertContains(page, "您的密码已超过 180 天未修改")

    def test_expired_password_gets_403_from_the_api(self):
        self.age(self.staff, 181)
        self.client.force_login(self.staff)
        response = self.client.get("/api/enterprises/")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json(), {"detail": "密码已超过 180 天未修改,请先在网页登录修改密码"})

    def test_changing_the_password_opens_the_platform_again(self):
        self.age(self.staff, 181)
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("accounts:password_change") + "?next=/registry/",
            {
                "old_password": PASSWORD,
                "new_password1": "Rotated-pass-2025",
                "new_password2": "Rotated-pass-2025",
                "next": "/registry/",
            },
        )
        self.assertRedirects(response, "/registry/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("registry:overview")).status_code, 200)
        self.staff.refresh_from_db()
        self.assertFalse(self.staff.password_expired())

    def test_same_password_is_not_a_change(self):
        self.age(self.staff, 181)
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
        )
        self.assertContains(response, "新密码不能与当前密码相同。")
        self.staff.refresh_from_db()
        self.assertTrue(self.staff.password_expired())

    def test_weak_new_password_is_refused_and_nothing_changes(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": "abcdefghijk", "new_password2": "abcdefghijk"},
        )
        self.assertContains(response, "当前只有 1 类")
        self.staff.refresh_from_db()
        self.assertTrue(self.staff.check_password(PASSWORD))

    def test_179_days_is_not_expired(self):
        self.age(self.staff, 179)
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(reverse("registry:overview")).status_code, 200)

    def test_reporters_passwords_do_not_expire(self):
        self.age(self.reporter, 400)
        self.assertIsNone(self.reporter.password_expires_at())
        self.assertFalse(self.reporter.password_expired())

    def test_leaders_regional_and_the_three_administrators_expire(self):
        for role in (Role.LEADER, Role.REGIONAL, Role.ADMIN, Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN):
            user = make_user(f"u_{role}", role)
            self.age(user, 181)
            self.assertTrue(user.password_expired(), role)

    def test_max_age_is_a_setting_and_zero_turns_it_off(self):
        self.age(self.staff, 31)
        with self.settings(JUSHI_PASSWORD_MAX_AGE_DAYS=30):
            self.assertTrue(self.staff.password_expired())
        with self.settings(JUSHI_PASSWORD_MAX_AGE_DAYS=0):
            self.age(self.staff, 4000)
            self.assertFalse(self.staff.password_expired())
