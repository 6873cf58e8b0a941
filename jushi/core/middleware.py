"""Headers every response carries, the page for a database busy with another writer, the boundary
that keeps enterprise reporters off the staff's pages, and the two answers given before any view runs:
413 for a request body over JUSHI_REQUEST_MAX_BYTES, 503 when the database cannot be reached."""

import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from .errors import BUSY_MESSAGE, NUL_MESSAGE, is_busy, is_nul
from .scopes import scope_of
from .uploads import StorageError


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
        if isinstance(exception, StorageError):  # an upload the disk could not take: nothing was kept
            if _is_api(request):
                return JsonResponse(
                    {"detail": str(exception)}, status=507, json_dumps_params={"ensure_ascii": False}
                )
            return render(request, "409.html", {"message": str(exception), "title": "上传未保存"}, status=507)
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


# --- the database unreachable: 503 -------------------------------------------------------------------

UNAVAILABLE_MESSAGE = "数据库暂时无法连接,请稍后再试"
RETRY_AFTER_SECONDS = 30
# What the drivers say when the server cannot be reached or the connection broke (psycopg, sqlite3); a
# database "locked" by another writer is not among them (409, jushi.core.errors.is_busy).
UNREACHABLE_SIGNS = (
    "connection refused",
    "could not connect",
    "connection failed",
    "connection timed out",
    "timeout expired",
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "connection already closed",
    "the connection is lost",
    "no route to host",
    "could not translate host name",
    "name or service not known",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "too many clients",
    "remaining connection slots are reserved",
    "unable to open database file",
    "disk i/o error",
)


def is_unreachable(exc: BaseException | None) -> bool:
    """The database could not be reached (or the connection broke), as opposed to a query it refused."""
    if exc is None or is_busy(exc):
        return False
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    text = " ".join(str(e).lower() for e in (exc, exc.__cause__) if e is not None)
    return any(sign in text for sign in UNREACHABLE_SIGNS)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def unavailable_response(request):
    if _is_api(request):
        response = JsonResponse(
            {"detail": UNAVAILABLE_MESSAGE}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        # Standalone: base.html's shell asks the database (menus, notifications), which is down.
        response = HttpResponse(render_to_string("503.html", {"message": UNAVAILABLE_MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _mark_unreachable(sender, request=None, **kwargs):
    # Django turns an exception raised inside a middleware (the session or the user loaded from the
    # database) into a 500 response at that layer, and says so through this signal while the exception is
    # still being handled: DatabaseUnavailableMiddleware then answers 503 in its place.
    if request is not None and is_unreachable(sys.exc_info()[1]):
        request._jushi_database_unreachable = True


got_request_exception.connect(_mark_unreachable, dispatch_uid="jushi-database-unreachable")


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached answers 503 with a Chinese page (JSON under /api/) and a
    Retry-After header, never a 500 with its traceback. Placed before the session and authentication
    middlewares, which are the first to ask the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_jushi_database_unreachable", False):
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if is_unreachable(exception):
            return unavailable_response(request)
        return None


# --- a request body over the limit: 413 --------------------------------------------------------------

MB = 1024 * 1024


def too_large_message(size: int | None, limit: int | None = None) -> str:
    limit = settings.JUSHI_REQUEST_MAX_BYTES if limit is None else limit
    if size is None:
        return f"上传内容超过上限 {limit / MB:.1f} MB"
    if f"{size / MB:.1f}" == f"{limit / MB:.1f}":  # just over: the megabytes alone would read the same
        return f"上传内容 {size:,} 字节超过上限 {limit:,} 字节({limit / MB:.1f} MB)"
    return f"上传内容 {size / MB:.1f} MB 超过上限 {limit / MB:.1f} MB"


def too_large_response(request, size: int | None, limit: int | None = None):
    message = too_large_message(size, limit)
    if _is_api(request):
        response = JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(render_to_string("413.html", {"message": message}), status=413)
    return response


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body (Content-Length) is over JUSHI_REQUEST_MAX_BYTES before
    anything reads it: 413 naming the size and the limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > settings.JUSHI_REQUEST_MAX_BYTES:
            return too_large_response(request, size)
        return self.get_response(request)
