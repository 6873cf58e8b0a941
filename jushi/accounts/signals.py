from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from .middleware import HAS_DEVICE, LAST_SEEN, LOGIN_AT


@receiver(user_logged_in, dispatch_uid="jushi.accounts.session_start")
def start_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    from django_otp import user_has_device

    now = timezone.now().timestamp()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now
    # Asked once here, so the gate costs no query per request.
    request.session[HAS_DEVICE] = user_has_device(user)
