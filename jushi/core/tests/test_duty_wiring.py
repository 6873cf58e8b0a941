"""The three administrators (三员分立) at every door: token API, scope, navigation (issue 13 point 6)."""

from rest_framework.authtoken.models import Token

from jushi.accounts.choices import Role
from jushi.accounts.models import User
from jushi.core import scopes
from jushi.core.testing import PASSWORD, PersonaTestCase


class DutyWiringTests(PersonaTestCase):
    def setUp(self):
        from jushi.registry.models import UserScope

        self.sysadmin = User.objects.create_user("xitong-t", password=PASSWORD, role=Role.SYSADMIN)
        # An admin gave the system administrator a scope by mistake: it still opens no business data.
        UserScope.objects.create(user=self.sysadmin, all_zones=True)

    def test_a_duty_account_has_no_business_scope(self):
        assert scopes.scope_of(self.sysadmin) == scopes.NOBODY

    def test_a_duty_account_token_is_refused_by_the_api(self):
        token = Token.objects.create(user=self.sysadmin)
        response = self.client.get("/api/zones/", HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 403 and "三员分立" in response.json()["detail"]
        response = self.client.get("/api/projects/projects/", HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 403

    def test_a_duty_account_sees_no_business_navigation(self):
        auditor = User.objects.create_user("shenji-t", password=PASSWORD, role=Role.AUDITADMIN)
        self.client.force_login(auditor)
        body = self.client.get("/audit/").content.decode()
        assert "审计记录" in body and "修改密码" in body
        assert "经济运行监测" not in body and "项目台账" not in body and "企业名录" not in body

    def test_business_users_keep_their_navigation_and_get_the_account_links(self):
        self.client.force_login(self.reviewer)
        body = self.client.get("/indicators/").content.decode()
        assert "经济运行监测" in body and "修改密码" in body and "双因素认证" in body
