"""Login, two-factor and password pages. The lockout page is django-axes' AXES_LOCKOUT_CALLABLE."""

from base64 import b32encode

import segno
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import PasswordChangeForm
from .middleware import HAS_DEVICE

RECOVERY_CODES = 10


class LoginView(auth_views.LoginView):
    """Django's login, plus the note 等保 asks for: when this account last logged in and how many
    failed attempts on it came since."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lockout_failures"] = settings.JUSHI_LOCKOUT_FAILURES
        context["lockout_minutes"] = settings.JUSHI_LOCKOUT_MINUTES
        return context

    def form_valid(self, form):
        user = form.get_user()
        previous = AccessLog.objects.filter(username=user.get_username()).order_by("-attempt_time").first()
        since = previous.attempt_time if previous else user.date_joined
        failures = AccessFailureLog.objects.filter(
            username=user.get_username(), attempt_time__gt=since
        ).count()
        response = super().form_valid(form)
        if previous:
            when = timezone.localtime(previous.attempt_time).strftime("%Y-%m-%d %H:%M")
            note = f"上次登录:{when}(IP {previous.ip_address or '未知'});此后失败登录 {failures} 次"
        else:
            note = f"这是您的首次登录;此前失败登录 {failures} 次"
        (messages.warning if failures else messages.info)(self.request, note)
        return response


def locked_out(request, original_response=None, credentials=None):
    """The page for a locked-out username or IP (django-axes), saying when to try again."""
    minutes = settings.JUSHI_LOCKOUT_MINUTES
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    ip = getattr(request, "axes_ip_address", None)
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.JUSHI_LOCKOUT_FAILURES)
    latest = (
        attempts.filter(username=username).order_by("-attempt_time").first()
        or attempts.filter(ip_address=ip).order_by("-attempt_time").first()
    )
    retry_at = (latest.attempt_time if latest else timezone.now()) + settings.AXES_COOLOFF_TIME
    context = {
        "failures": settings.JUSHI_LOCKOUT_FAILURES,
        "minutes": minutes,
        "retry_at": timezone.localtime(retry_at),
        "username": username,
    }
    return render(request, "registration/lockout.html", context, status=429)


def _next_url(request, default: str = "core:home"):
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().replace(" ", "")


@login_required
def two_factor_verify(request):
    """The second login step: a code from the authenticator app, or one recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(user):
        request.session[HAS_DEVICE] = False
        return redirect("accounts:two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(
                    request, f"已使用一个恢复码,还剩 {left} 个;用完前请在“双因素认证”页重新生成。"
                )
            return redirect(_next_url(request))
        form.add_error("code", "验证码不正确、已过期或已使用,请重试")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request, "")})


def _new_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="恢复码")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@login_required
def two_factor_setup(request):
    """Enrol a TOTP device: QR code and secret, confirm with a code, then the recovery codes, shown once."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed or (user_has_device(user) and not user.is_verified()):
        # Enrolled already: only a verified session may renew the recovery codes; replacing the device
        # needs the security administrator, so a stolen password alone cannot re-bind it.
        if not user.is_verified():
            return redirect("accounts:two_factor_verify")
        if request.method == "POST" and request.POST.get("action") == "recovery":
            with transaction.atomic():
                codes = _new_recovery_codes(user)
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
        return render(request, "accounts/two_factor_status.html", {"device": confirmed})

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_recovery_codes(user)
            otp_login(request, device)
            request.session[HAS_DEVICE] = True
            return render(
                request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next_url(request)}
            )
        form.add_error("code", "验证码不正确:请核对手机时间后,输入身份验证器当前显示的 6 位数字")
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": qr.svg_inline(scale=4, dark="#1f2937"),
        "secret": b32encode(device.bin_key).decode(),
        "next": _next_url(request, ""),
    }
    return render(request, "accounts/two_factor_setup.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("core:home")  # form_valid goes to ?next= or home; no "done" page

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.user.password_expired()
        context["max_age_days"] = settings.JUSHI_PASSWORD_MAX_AGE_DAYS
        context["next"] = self.request.GET.get("next", "")
        return context

    def form_valid(self, form):
        super().form_valid(form)
        messages.success(self.request, "密码已修改。")
        return redirect(_next_url(self.request))
