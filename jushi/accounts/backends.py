from axes.backends import AxesStandaloneBackend


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
