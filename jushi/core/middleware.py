"""Headers every response carries, and the page for a database busy with another writer."""

from django.conf import settings
from django.shortcuts import render

from .errors import BUSY_MESSAGE, NUL_MESSAGE, is_busy, is_nul


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "JUSHI_PERMISSIONS_POLICY", "")
        if policy:
            response.setdefault("Permissions-Policy", policy)
        return response

    def process_exception(self, request, exception):
        # The loser of a race between two writers waits for the busy timeout; past it, a page says so
        # with 409 instead of a 500. Nothing was saved: the transaction rolled back.
        if is_busy(exception):
            return render(request, "409.html", {"message": BUSY_MESSAGE}, status=409)
        if is_nul(exception):
            return render(request, "409.html", {"message": NUL_MESSAGE, "title": "400 请求有误"}, status=400)
        return None
