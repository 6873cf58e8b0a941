import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Every login from outside comes through a view that passes the request (the login page, the Django
    admin's login). Only in-process callers authenticate without one (Django's test client `login()`):
    those have no IP to count and are let through to the password check, instead of crashing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The address a login attempt came from, for the per-IP lockout (AXES_CLIENT_IP_CALLABLE).

    Behind the reverse proxy of the deployment guide every request arrives from the proxy, so counting
    REMOTE_ADDR would lock everyone out together. With JUSHI_PROXY_COUNT trusted proxies, each appending
    the address it saw to X-Forwarded-For, the client is that many entries from the right; anything to
    the left of it was written by the client and is not trusted.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.JUSHI_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
