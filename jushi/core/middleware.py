"""Headers every response carries, the page for a database busy with another writer, and the boundary
that keeps enterprise reporters off the staff's pages."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .errors import BUSY_MESSAGE, NUL_MESSAGE, is_busy, is_nul
from .scopes import scope_of


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


REPORTER_MESSAGE = "企业填报账号只能查看和填报本企业的报表"

# The floors and pages that are the zone staff's work: figures of the whole zone, the investment pipeline,
# the chains, a zone's page, the board and the review queue. An enterprise reporter who opens one (an old
# bookmark, a link in a forwarded mail) gets the 403 page saying why, with the way to 我的报表, instead of a
# page emptied by its querysets. Everything a reporter does use — 我的报表 and the report pages, the forms
# and their rules, their own enterprise (the zone overview in the menu sends them there), notifications,
# their password, the API — lives elsewhere and scopes itself (visible_to); a new page on these floors is
# closed to reporters without another line.
STAFF_NAMESPACES = frozenset({"indicators", "projects", "chains"})
STAFF_PAGES = frozenset(
    {
        "registry:zone_detail",
        "reporting:board",
        "reporting:review_queue",
        "reporting:submission_next",
        "reporting:period_import",
        "reporting:period_export",
    }
)


class ReporterBoundaryMiddleware:
    """Enterprise reporters get the Chinese 403 page on staff pages, decided here once for every view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None  # the API scopes every list itself and answers in JSON
        match = request.resolver_match
        name = match.view_name if match else ""
        if match is None or not (match.namespace in STAFF_NAMESPACES or name in STAFF_PAGES):
            return None
        if scope_of(getattr(request, "user", None)).enterprise_id is not None:
            raise PermissionDenied(REPORTER_MESSAGE)
        return None
