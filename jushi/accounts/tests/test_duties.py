"""Separation of duties (三员分立): system, security and audit administrators see no business data and
work in the Django admin with rights by role; the deploy check warns about a superuser holding them all."""

from axes.models import AccessAttempt, AccessLog
from django.urls import reverse

from jushi.accounts.checks import check_separation_of_duties, duty_problems
from jushi.accounts.choices import ROLE_ACTIONS, Role
from jushi.accounts.models import User
from jushi.core.testing import PersonaTestCase
from jushi.registry.models import Enterprise, UserScope

from .helpers import AccountsTestCase, SecuritySettingsMixin, make_user

BUSINESS_ACTIONS = ("view", "add", "change", "delete", "import", "export", "review", "publish", "report")


class DutyBoundaryTests(SecuritySettingsMixin, PersonaTestCase):
    def setUp(self):
        super().setUp()
        self.duties = {}
        for username, role in (
            ("xitong", Role.SYSADMIN),
            ("anquan", Role.SECADMIN),
            ("shenji", Role.AUDITADMIN),
        ):
            user = make_user(username, role)
            UserScope.objects.create(user=user, all_zones=True)  # even a careless scope must not open data
            self.duties[role] = user

    def test_roles_hold_no_business_action(self):
        for role in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN):
            user = self.duties[role]
            self.assertEqual([a for a in BUSINESS_ACTIONS if user.can(a)], [], role)
        self.assertEqual(ROLE_ACTIONS[Role.AUDITADMIN], frozenset({"audit"}))
        self.assertFalse(self.duties[Role.SYSADMIN].can("audit"))
        self.assertFalse(self.duties[Role.SECADMIN].can("audit"))

    def test_restrict_is_empty_for_them(self):
        for user in self.duties.values():
            self.assertEqual(Enterprise.objects.restrict(user, "view").count(), 0)

    def test_business_pages_and_api_refuse_them(self):
        for user in self.duties.values():
            self.client.force_login(user)
            for url in ("/registry/", "/registry/enterprises/", "/projects/", "/reporting/board/"):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 403, (user.username, url))
                self.assertNotIn(self.ent_a.name, response.content.decode())
            api = self.client.get("/api/enterprises/")
            self.assertEqual(api.status_code, 403)
            self.assertIn("不处理业务数据(三员分立)", api.json()["detail"])

    def test_home_sends_each_to_their_workplace(self):
        self.client.force_login(self.duties[Role.SYSADMIN])
        self.assertRedirects(self.client.get("/"), "/django-admin/", fetch_redirect_response=False)
        self.client.force_login(self.duties[Role.AUDITADMIN])
        self.assertRedirects(self.client.get("/"), "/audit/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/audit/").status_code, 200)
        self.client.force_login(self.duties[Role.SECADMIN])
        self.assertEqual(self.client.get("/audit/").status_code, 403)

    def test_business_roles_are_not_affected(self):
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get("/registry/").status_code, 200)


def change_form_data(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "full_name": user.full_name,
        "role": user.role,
        "department": user.department,
        "phone": user.phone,
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k in ("first_name", "last_name", "email", "phone")}


class DutyAdminTests(AccountsTestCase):
    def setUp(self):
        super().setUp()
        self.xitong = make_user("xitong", Role.SYSADMIN)
        self.anquan = make_user("anquan", Role.SECADMIN)
        self.shenji = make_user("shenji", Role.AUDITADMIN)
        self.staff = make_user("staff", Role.STAFF, full_name="张三")

    def change_url(self, user):
        return reverse("admin:accounts_user_change", args=[user.pk])

    def test_duty_roles_are_staff_for_the_admin(self):
        self.assertTrue(all(u.is_staff for u in (self.xitong, self.anquan, self.shenji)))
        self.assertFalse(self.staff.is_staff)

    def test_sysadmin_edits_accounts_but_not_roles(self):
        self.client.force_login(self.xitong)
        self.assertEqual(self.client.get("/django-admin/").status_code, 200)
        response = self.client.post(
            self.change_url(self.staff), change_form_data(self.staff, full_name="张三丰", role=Role.ADMIN)
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.staff.refresh_from_db()
        self.assertEqual((self.staff.full_name, self.staff.role), ("张三丰", Role.STAFF))
        self.assertEqual(
            self.client.get(reverse("admin:auth_user_password_change", args=[self.staff.pk])).status_code, 200
        )

    def test_sysadmin_cannot_touch_the_other_duties_or_business_admin(self):
        self.client.force_login(self.xitong)
        before = self.anquan.full_name
        response = self.client.post(
            self.change_url(self.anquan), change_form_data(self.anquan, full_name="x")
        )
        self.assertEqual(response.status_code, 403)
        self.anquan.refresh_from_db()
        self.assertEqual(self.anquan.full_name, before)
        self.assertEqual(self.client.get("/django-admin/registry/zone/").status_code, 403)
        self.assertEqual(self.client.get("/django-admin/axes/accessattempt/").status_code, 403)

    def test_secadmin_gives_roles_and_nothing_else(self):
        self.client.force_login(self.anquan)
        response = self.client.post(
            self.change_url(self.staff), change_form_data(self.staff, full_name="改名", role=Role.LEADER)
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.staff.refresh_from_db()
        self.assertEqual((self.staff.full_name, self.staff.role), ("张三", Role.LEADER))
        self.assertEqual(
            self.client.get(reverse("admin:auth_user_password_change", args=[self.staff.pk])).status_code, 403
        )

    def test_secadmin_cannot_raise_their_own_rights(self):
        self.client.force_login(self.anquan)
        response = self.client.post(
            self.change_url(self.anquan), change_form_data(self.anquan, role=Role.ADMIN)
        )
        self.assertEqual(response.status_code, 403)
        self.anquan.refresh_from_db()
        self.assertEqual(self.anquan.role, Role.SECADMIN)

    def test_leaving_a_duty_role_leaves_the_admin(self):
        self.client.force_login(self.anquan)
        self.client.post(self.change_url(self.xitong), change_form_data(self.xitong, role=Role.LEADER))
        self.xitong.refresh_from_db()
        self.assertEqual((self.xitong.role, self.xitong.is_staff), (Role.LEADER, False))

    def test_secadmin_unlocks_from_the_admin(self):
        AccessAttempt.objects.create(
            username="staff", ip_address="10.0.0.1", failures_since_start=5, get_data="", post_data=""
        )
        self.client.force_login(self.anquan)
        response = self.client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "unlock_login", "_selected_action": [self.staff.pk]},
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(AccessAttempt.objects.filter(username="staff").exists())

    def test_secadmin_resets_two_factor_from_the_admin(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=self.staff, name="phone", confirmed=True)
        self.client.force_login(self.anquan)
        response = self.client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [self.staff.pk]},
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(TOTPDevice.objects.filter(user=self.staff).exists())

    def test_sysadmin_creates_accounts_with_a_complex_password(self):
        self.client.force_login(self.xitong)
        url = reverse("admin:accounts_user_add")
        weak = self.client.post(
            url,
            {
                "username": "newbie",
                "usable_password": "true",
                "password1": "abcdefghijk",
                "password2": "abcdefghijk",
            },
        )
        self.assertContains(weak, "当前只有 1 类")
        self.assertFalse(User.objects.filter(username="newbie").exists())
        ok = self.client.post(
            url,
            {
                "username": "newbie",
                "usable_password": "true",
                "password1": "Newbie-2025x",
                "password2": "Newbie-2025x",
            },
        )
        self.assertEqual(ok.status_code, 302)
        self.assertEqual(User.objects.get(username="newbie").role, Role.LEADER)

    def test_only_security_administrators_get_the_security_actions(self):
        self.client.force_login(self.xitong)
        page = self.client.get(reverse("admin:accounts_user_changelist")).content.decode()
        self.assertNotIn("unlock_login", page)
        self.client.force_login(self.anquan)
        page = self.client.get(reverse("admin:accounts_user_changelist")).content.decode()
        self.assertIn("unlock_login", page)
        self.assertIn("reset_two_factor", page)

    def test_auditadmin_reads_and_changes_nothing(self):
        AccessLog.objects.create(username="staff", ip_address="10.0.0.1")
        attempt = AccessAttempt.objects.create(
            username="staff", ip_address="10.0.0.1", failures_since_start=5, get_data="", post_data=""
        )
        self.client.force_login(self.shenji)
        self.assertEqual(self.client.get(reverse("admin:accounts_user_changelist")).status_code, 200)
        self.assertEqual(self.client.get("/django-admin/axes/accesslog/").status_code, 200)
        response = self.client.post(
            self.change_url(self.staff), change_form_data(self.staff, role=Role.ADMIN)
        )
        self.assertEqual(response.status_code, 403)
        delete = self.client.post(
            reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
        )
        self.assertEqual(delete.status_code, 403)
        self.assertTrue(AccessAttempt.objects.filter(pk=attempt.pk).exists())


class SeparationCheckTests(AccountsTestCase):
    def ids(self, users):
        return [w.id for w in duty_problems(users)]

    def test_a_lone_superuser_holds_all_three_duties(self):
        root = make_user("root", is_superuser=True)
        self.assertEqual(self.ids([root]), ["accounts.W002"])
        (warning,) = duty_problems([root])
        self.assertIn("没有系统管理员、安全管理员、审计管理员账号", warning.msg)

    def test_three_holders_beside_a_superuser_are_fine(self):
        users = [
            make_user("root", is_superuser=True, email="root@a.cn"),
            make_user("x", Role.SYSADMIN, email="x@a.cn"),
            make_user("s", Role.SECADMIN, email="s@a.cn"),
            make_user("a", Role.AUDITADMIN, email="a@a.cn"),
        ]
        self.assertEqual(self.ids(users), [])

    def test_a_superuser_with_a_duty_role_holds_two(self):
        users = [
            make_user("root", Role.SECADMIN, is_superuser=True),
            make_user("x", Role.SYSADMIN),
            make_user("s", Role.SECADMIN),
            make_user("a", Role.AUDITADMIN),
        ]
        self.assertEqual(self.ids(users), ["accounts.W003"])

    def test_one_person_behind_two_duty_accounts(self):
        users = [
            make_user("x", Role.SYSADMIN, email="wang@zone.cn"),
            make_user("s", Role.SECADMIN, email="li@zone.cn"),
            make_user("a", Role.AUDITADMIN, email="Wang@zone.cn"),
        ]
        (warning,) = duty_problems(users)
        self.assertEqual(warning.id, "accounts.W003")
        self.assertIn("系统管理员、审计管理员", warning.msg)
        self.assertIn("a、x", warning.msg)

    def test_the_check_skips_accounts_that_cannot_log_in(self):
        system = User.objects.create(username="system", is_superuser=True)
        system.set_unusable_password()
        system.save()
        self.assertEqual(check_separation_of_duties(None), [])
        make_user("root", is_superuser=True)
        self.assertEqual([w.id for w in check_separation_of_duties(None)], ["accounts.W002"])
