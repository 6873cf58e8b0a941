"""The API's token users meet the same account rules as pages (expired password, 三员 boundary)."""

import datetime as dt

from django.utils import timezone
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from jushi.accounts.choices import Role
from jushi.accounts.permissions import AccountGate

from .helpers import AccountsTestCase, make_user


class Probe(APIView):
    permission_classes = [AccountGate]

    def get(self, request):
        from rest_framework.response import Response

        return Response({"ok": True})


class AccountGateTests(AccountsTestCase):
    def call(self, user):
        request = APIRequestFactory().get("/api/probe/")
        force_authenticate(request, user=user)
        return Probe.as_view()(request)

    def test_fresh_staff_passes(self):
        self.assertEqual(self.call(make_user("staff")).status_code, 200)

    def test_expired_password_is_refused_with_the_reason(self):
        user = make_user("staff")
        user.password_changed_at = timezone.now() - dt.timedelta(days=181)
        response = self.call(user)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(str(response.data["detail"]), "密码已超过 180 天未修改,请先在网页登录修改密码")

    def test_duty_roles_are_refused(self):
        response = self.call(make_user("xitong", Role.SYSADMIN))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            str(response.data["detail"]), "系统管理员不处理业务数据(三员分立),请在系统管理后台工作"
        )
