"""The security gate for the API's token users (DRF permission), who never pass the page middleware.

Session requests are already answered by jushi.accounts.middleware.SecurityGateMiddleware; a token
request authenticates inside DRF, after every middleware, so the same rules are checked here: an
expired password and the three administrators (no business data) get 403 with the reason. Tokens do not
go through the login lockout or the two-factor step: they are issued to integrations by administrators.
"""

from django.conf import settings
from rest_framework.permissions import BasePermission


class AccountGate(BasePermission):
    message = ""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return True  # IsAuthenticated (or the view) answers anonymous requests
        if getattr(user, "duty", None):
            self.message = f"{user.get_role_display()}不处理业务数据(三员分立),请在系统管理后台工作"
            return False
        if user.password_expired():
            self.message = (
                f"密码已超过 {settings.JUSHI_PASSWORD_MAX_AGE_DAYS} 天未修改,请先在网页登录修改密码"
            )
            return False
        return True
