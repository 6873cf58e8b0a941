"""Session limits and the security gate every signed-in request passes (等保2.0 level 3).

Timers use the real clock (django.utils.timezone), never the app clock the demo pins.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .choices import Role

LOGIN_AT = "_jushi_login_at"
LAST_SEEN = "_jushi_last_seen"
HAS_DEVICE = "_jushi_has_otp_device"
TOUCH_SECONDS = 60  # write the last-seen time at most once a minute: no session write per request

IDLE_MESSAGE = "长时间未操作,已自动退出"


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class SessionTimeoutMiddleware:
    """Logs out a session idle longer than JUSHI_SESSION_IDLE_MINUTES, or older than SESSION_COOKIE_AGE.

    Django's own expiry slides with every save of the session; this one counts from the login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = timezone.now().timestamp()
        login_at = session.setdefault(LOGIN_AT, now)  # sessions from before this middleware start now
        last_seen = session.get(LAST_SEEN, now)
        idle = settings.JUSHI_SESSION_IDLE_MINUTES * 60
        if idle and now - last_seen > idle:
            message = IDLE_MESSAGE
        elif now - login_at > settings.SESSION_COOKIE_AGE:
            message = f"登录已超过 {settings.SESSION_COOKIE_AGE // 3600} 小时,请重新登录"
        else:
            if now - session.get(LAST_SEEN, 0) > TOUCH_SECONDS:
                session[LAST_SEEN] = now
            return None
        logout(request)
        if _is_api(request):
            return None  # carries on as anonymous: DRF answers, and a token still authenticates
        messages.info(request, message)
        return redirect_to_login(request.get_full_path())


# Views a signed-in user may always reach, whatever the gate says.
ALWAYS_OPEN = {"healthz", "login", "logout", "admin:login", "admin:logout", "accounts:two_factor_verify"}


class SecurityGateMiddleware:
    """In this order: two-factor login, password expiry, and the boundary of the three administrators.

    - JUSHI_2FA_REQUIRED on: zone admins, the three administrators and superusers must enrol a TOTP device
      and enter a code after the password. Anyone who enrolled is asked for the code whatever the setting.
    - A password older than JUSHI_PASSWORD_MAX_AGE_DAYS (staff-type roles) sends every page to the
      password change page.
    - 三员分立: the system, security and audit administrators see no business page or API; they work in
      the Django admin (and the auditor on the audit page).
    A page gets a redirect; the API a 403 with the reason.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in ALWAYS_OPEN:
            return None
        return (
            self._two_factor(request, user, name)
            or self._password_age(request, user, name)
            or self._duties(request, user, name)
        )

    def _refuse(self, request, target: str, message: str):
        if _is_api(request):
            return JsonResponse({"detail": message}, status=403, json_dumps_params={"ensure_ascii": False})
        return redirect_to_login(request.get_full_path(), login_url=reverse(target))

    def _two_factor(self, request, user, name):
        if not hasattr(user, "is_verified") or user.is_verified():
            return None
        if name == "accounts:two_factor_setup":
            return None
        if request.session.get(HAS_DEVICE) is None:
            from django_otp import user_has_device

            request.session[HAS_DEVICE] = user_has_device(user)
        if request.session[HAS_DEVICE]:
            return self._refuse(request, "accounts:two_factor_verify", "请先在网页登录并输入双因素验证码")
        if settings.JUSHI_2FA_REQUIRED and user.requires_two_factor():
            return self._refuse(
                request, "accounts:two_factor_setup", "您的账号须启用双因素认证:请先在网页登录完成绑定"
            )
        return None

    def _password_age(self, request, user, name):
        # The two-factor pages stay open: a required user enrols first, then changes the password.
        if name in ("accounts:password_change", "accounts:two_factor_setup") or not user.password_expired():
            return None
        return self._refuse(
            request,
            "accounts:password_change",
            f"密码已超过 {settings.JUSHI_PASSWORD_MAX_AGE_DAYS} 天未修改,请先在网页登录修改密码",
        )

    def _duties(self, request, user, name):
        duty = user.duty
        if duty is None:
            return None
        namespace = name.split(":", 1)[0] if ":" in name else ""
        if namespace in ("admin", "accounts"):
            return None
        if duty == Role.AUDITADMIN and name == "core:audit":
            return None
        if name == "core:home":
            return redirect("core:audit" if duty == Role.AUDITADMIN else "admin:index")
        message = f"{user.get_role_display()}不处理业务数据(三员分立),请在系统管理后台工作"
        if _is_api(request):
            return JsonResponse({"detail": message}, status=403, json_dumps_params={"ensure_ascii": False})
        raise PermissionDenied(message)
