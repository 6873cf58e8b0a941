"""API throttles whose rates are read from settings when a request comes, not when Django starts.

DRF's own classes copy DEFAULT_THROTTLE_RATES at import, so a deployment (or a test) could not change a
rate without a restart. JUSHI_API_RATE_ANON / JUSHI_API_RATE_USER: "N/minute" and the like; empty is off.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    scope = "anon"

    def get_rate(self):
        return getattr(settings, "JUSHI_API_RATE_ANON", "") or None


class UserThrottle(UserRateThrottle):
    scope = "user"

    def get_rate(self):
        return getattr(settings, "JUSHI_API_RATE_USER", "") or None
