"""Security events in the audit chain: logins, logouts, failed logins, permission changes, exports; who
sees them on the audit page, and the page's integrity check."""

import json

from django.contrib.auth.models import Group, Permission
from django.test import modify_settings, override_settings
from django.urls import reverse

from jushi.core import audit
from jushi.core.choices import AuditKind, ChangeAction, ChangeSource
from jushi.core.exporters import TableExporter
from jushi.core.models import AuditChain, AuditEvent, ChangeLog
from jushi.core.testing import PASSWORD, PersonaTestCase

WITH_AUDIT_MIDDLEWARE = modify_settings(MIDDLEWARE={"append": "jushi.core.audit.AuditMiddleware"})


def events(kind):
    return AuditEvent.objects.filter(kind=kind).order_by("seq")


@override_settings(JUSHI_2FA_REQUIRED=False)
class LoginEventTests(PersonaTestCase):
    def setUp(self):
        # The test hasher (conftest) is in force only during a test: the password is set here.
        self.leader.set_password(PASSWORD)
        self.leader.save(update_fields=["password"])

    def test_login_and_logout_are_recorded_with_the_address(self):
        response = self.client.post(
            reverse("login"), {"username": "leader", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
        )
        self.assertEqual(response.status_code, 302)
        login = events(AuditKind.LOGIN).get()
        self.assertEqual((login.user, login.user_name, login.ip), (self.leader, "leader", "10.1.2.3"))
        self.assertEqual((login.source, login.zone_id), (ChangeSource.WEB, None))
        self.client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
        logout = events(AuditKind.LOGOUT).get()
        self.assertEqual((logout.user_name, logout.prev_hash), ("leader", login.hash))
        self.assertTrue(audit.verify().ok)

    def test_failed_login_keeps_the_name_tried_never_the_password(self):
        secret = "Wrong-Guess-12345"
        self.client.post(reverse("login"), {"username": "leader", "password": secret}, REMOTE_ADDR="10.9.9.9")
        self.client.post(reverse("login"), {"username": "nobody", "password": secret}, REMOTE_ADDR="10.9.9.9")
        failed = [(e.user_name, e.ip, e.user) for e in events(AuditKind.LOGIN_FAILED)]
        self.assertEqual(failed, [("leader", "10.9.9.9", None), ("nobody", "10.9.9.9", None)])
        stored = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
        self.assertNotIn(secret, stored)
        self.assertNotIn("****", stored)  # not even Django's masked credentials
        self.assertFalse(events(AuditKind.LOGIN).exists())
        self.assertTrue(audit.verify().ok)


class PermissionEventTests(PersonaTestCase):
    def test_role_and_flags_changes_are_recorded_with_before_and_after(self):
        self.leader.role = "admin"
        self.leader.is_staff = True
        self.leader.save()
        event = events(AuditKind.PERMISSION).last()
        self.assertEqual(event.object_repr, "用户 leader")
        self.assertEqual(
            event.before, {"role": "leader", "is_superuser": False, "is_staff": False, "is_active": True}
        )
        self.assertEqual(
            event.after, {"role": "admin", "is_superuser": False, "is_staff": True, "is_active": True}
        )
        self.assertIsNone(event.zone_id)  # national: the audit administrator reviews rights

    def test_a_save_that_changes_no_right_records_nothing(self):
        count = AuditEvent.objects.count()
        self.leader.full_name = "王领导"
        self.leader.save()
        self.leader.is_active = True
        self.leader.save(update_fields=["is_active"])
        self.assertEqual(AuditEvent.objects.count(), count)

    def test_deactivation_superuser_groups_and_permissions_are_recorded(self):
        before = AuditEvent.objects.count()
        self.reviewer.is_active = False
        self.reviewer.save(update_fields=["is_active"])
        self.regional.is_superuser = True
        self.regional.save()
        group = Group.objects.create(name="统计组")
        self.reviewer.groups.add(group)
        permission = Permission.objects.get(codename="view_changelog")
        self.reviewer.user_permissions.add(permission)
        group.permissions.add(permission)
        self.reviewer.groups.clear()
        new = list(AuditEvent.objects.order_by("seq")[before:])
        self.assertEqual(
            [(e.kind, e.object_repr) for e in new],
            [
                (AuditKind.PERMISSION, "用户 reviewer"),
                (AuditKind.PERMISSION, "用户 regional"),
                (AuditKind.PERMISSION, "用户组 reviewer"),
                (AuditKind.PERMISSION, "用户权限 reviewer"),
                (AuditKind.PERMISSION, "用户组权限 统计组"),
                (AuditKind.PERMISSION, "用户组 reviewer"),
            ],
        )
        self.assertEqual((new[2].before, new[2].after), ({"groups": []}, {"groups": ["统计组"]}))
        self.assertEqual((new[5].before, new[5].after), ({"groups": ["统计组"]}, {"groups": []}))
        self.assertTrue(audit.verify().ok)

    def test_scope_changes_are_recorded(self):
        scope = self.leader.scope
        before = AuditEvent.objects.count()
        scope.zones.add(self.other)
        scope.all_zones = True
        scope.save()
        scope.zones.remove(self.kashgar)
        new = list(AuditEvent.objects.order_by("seq")[before:])
        self.assertEqual([e.object_repr for e in new], ["用户范围 leader"] * 3)
        self.assertEqual(new[0].before, {"zones": ["喀什经济开发区"]})
        self.assertEqual(new[0].after, {"zones": ["另一开发区", "喀什经济开发区"]})
        self.assertEqual((new[1].before["all_zones"], new[1].after["all_zones"]), (False, True))
        self.assertEqual(new[2].after, {"zones": ["另一开发区"]})


class _ZoneExporter(TableExporter):
    identifier = "zone-table"
    headers = ("a",)

    def __init__(self, fmt, *, actor, zone):
        super().__init__(fmt)
        self.actor, self.zone = actor, zone

    def rows(self):
        return [("1",)]


@override_settings(JUSHI_2FA_REQUIRED=False)
class ExportEventTests(PersonaTestCase):
    @WITH_AUDIT_MIDDLEWARE
    def test_a_page_export_is_recorded_once_with_the_user_and_zone(self):
        response = self.login(self.leader).get(reverse("registry:enterprise_export") + "?format=csv")
        self.assertEqual(response.status_code, 200)
        export = events(AuditKind.EXPORT).get()
        self.assertEqual((export.user, export.user_name), (self.leader, "leader"))
        self.assertEqual(export.zone_id, self.kashgar.pk)  # the leader works in one zone
        self.assertTrue(export.object_repr.startswith("enterprises-") and export.object_repr.endswith(".csv"))
        self.assertEqual(export.detail["format"], "csv")
        self.assertEqual(export.detail["bytes"], len(response.content))
        self.assertTrue(audit.verify().ok)

    @WITH_AUDIT_MIDDLEWARE
    def test_a_regional_users_export_is_national(self):
        self.login(self.regional).get(reverse("registry:enterprise_export") + "?format=csv")
        self.assertIsNone(events(AuditKind.EXPORT).get().zone_id)

    def test_an_exporter_with_an_actor_and_a_zone_records_them(self):
        _ZoneExporter("csv", actor=self.regional, zone=self.other).response()
        export = events(AuditKind.EXPORT).get()
        self.assertEqual(
            (export.user_name, export.zone_id, export.source), ("regional", self.other.pk, "cli")
        )


@override_settings(JUSHI_2FA_REQUIRED=False)
class AuditPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from jushi.accounts.models import User

        cls.national = User.objects.create_user("sheng", password=PASSWORD, role="admin", is_superuser=True)
        cls.auditor = User.objects.create_user("shenji", password=PASSWORD, role="auditadmin")

    def setUp(self):
        audit.record_event(kind=AuditKind.LOGIN, actor=self.leader, object_repr="leader")
        audit.record_export(actor=self.leader, name="kashgar.xlsx", zone_id=self.kashgar.pk)
        audit.record_export(actor=self.other_admin, name="other.xlsx", zone_id=self.other.pk)
        from jushi.core import changelog

        changelog.record(
            actor=self.admin,
            action=ChangeAction.UPDATE,
            obj=self.ent_a,
            before={"name": "甲"},
            after={"name": "甲纺织"},
            source=ChangeSource.WEB,
            zone_id=self.kashgar.pk,
        )

    def listed(self, user, query=""):
        self.client.force_login(user)
        response = self.client.get(reverse("core:audit") + query)
        self.assertEqual(response.status_code, 200)
        return response, [row.subject for row in response.context["rows"]]

    def test_zone_admin_sees_its_zones_rows_only(self):
        _, subjects = self.listed(self.admin)
        self.assertIn("kashgar.xlsx", subjects)
        self.assertIn("企业 甲纺织有限公司", subjects)
        self.assertNotIn("other.xlsx", subjects)
        self.assertNotIn("leader", subjects)  # logins are national
        self.assertFalse(any(s.startswith("用户范围") for s in subjects))

    def test_national_rows_for_superusers_and_the_audit_administrator(self):
        for user in (self.national, self.auditor):
            _, subjects = self.listed(user)
            self.assertIn("leader", subjects)
            self.assertIn("other.xlsx", subjects)
            self.assertIn("用户范围 admin", subjects)

    def test_filter_by_kind(self):
        response, subjects = self.listed(self.national, "?kind=export")
        self.assertEqual(subjects, ["other.xlsx", "kashgar.xlsx"])
        self.assertEqual(response.context["page"].paginator.count, 2)
        _, subjects = self.listed(self.national, "?kind=update")
        self.assertEqual(subjects, ["企业 甲纺织有限公司"])
        _, subjects = self.listed(self.national, "?kind=login&user=leader")
        self.assertEqual(subjects, ["leader"])
        body = self.listed(self.national, "?kind=export")[0].content.decode()
        self.assertIn("导出", body)
        self.assertIn("完整性校验", body)

    def test_the_page_runs_the_verification_for_national_auditors(self):
        self.client.force_login(self.auditor)
        response = self.client.post(reverse("core:audit"), follow=True)
        self.assertContains(response, "审计链完整:已校验")
        head = AuditChain.objects.get(pk=1)
        self.assertTrue(head.verified_ok)
        self.assertEqual(head.verified_count, head.seq)
        self.assertContains(self.client.get(reverse("core:audit")), "立即校验")

    def test_zone_admins_cannot_run_it(self):
        self.client.force_login(self.admin)
        self.assertNotContains(self.client.get(reverse("core:audit")), "立即校验")
        self.assertEqual(self.client.post(reverse("core:audit")).status_code, 403)
        self.assertIsNone(AuditChain.objects.get(pk=1).verified_at)

    def test_a_broken_chain_shows_on_the_page(self):
        ChangeLog.objects.update(reason="改过")  # an edit outside the services
        self.client.force_login(self.national)
        response = self.client.post(reverse("core:audit"), follow=True)
        self.assertContains(response, "审计链被破坏")
        self.assertContains(response, "内容被改动")


class MiddlewareTests(PersonaTestCase):
    def request(self, user, path="/projects/1/attachments/2/"):
        from django.test import RequestFactory

        request = RequestFactory().get(path, REMOTE_ADDR="10.4.4.4")
        request.user = user
        return request

    def test_an_attachment_download_no_exporter_recorded_is_recorded(self):
        import io as _io

        from django.http import FileResponse

        def view(request):
            return FileResponse(_io.BytesIO(b"data"), as_attachment=True, filename="合同.pdf")

        audit.AuditMiddleware(view)(self.request(self.leader))
        export = events(AuditKind.EXPORT).get()
        self.assertEqual(
            (export.user_name, export.ip, export.zone_id), ("leader", "10.4.4.4", self.kashgar.pk)
        )
        self.assertEqual(export.object_repr, "合同.pdf")

    def test_the_request_user_is_the_actor_of_a_permission_change(self):
        def view(request):
            self.leader.role = "staff"
            self.leader.save()
            from django.http import HttpResponse

            return HttpResponse("ok")

        superuser = type(self.admin).objects.create_user("root", password="x", is_superuser=True)
        audit.AuditMiddleware(view)(self.request(superuser, "/django-admin/accounts/user/3/change/"))
        event = events(AuditKind.PERMISSION).last()
        self.assertEqual((event.object_repr, event.user_name, event.ip), ("用户 leader", "root", "10.4.4.4"))
        self.assertEqual((event.before["role"], event.after["role"]), ("leader", "staff"))
