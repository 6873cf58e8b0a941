"""Errors as users and API clients should see them: Chinese pages, documented JSON bodies, 409 not 500.

- `api_exception_handler`: DRF's handler, plus a conflict (409) for a record still referenced by others
  (ProtectedError, RestrictedError) and for a database busy with another writer, and a 400 for Django
  ValidationErrors raised by services.
- `document_error_responses`: a drf-spectacular hook giving every operation its error responses with one
  `Error` schema, so clients (and schemathesis) know every status the API may answer.
- `csrf_failure`: the CSRF failure page, in Chinese, inside the site's shell.
"""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

BUSY_MESSAGE = "数据库正忙(另一项保存正在进行),本次操作未保存,请稍后重试。"
NUL_MESSAGE = "请求中含有空字符(\\x00),文本中不能有空字符。"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "与现有数据冲突。"
    default_code = "conflict"


def is_busy(exc: BaseException) -> bool:
    """SQLite's answer when another writer held the lock past the busy timeout."""
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def is_nul(exc: BaseException) -> bool:
    """PostgreSQL's answer to a NUL character in a lookup the field validators never saw (a related
    field's code, say); SQLite stores it. Forms and DRF's CharField refuse NUL already."""
    return isinstance(exc, DataError) and "NUL" in str(exc)


def protected_message(exc: ProtectedError | RestrictedError) -> str:
    objects = list(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)
    kinds = sorted({str(o._meta.verbose_name) for o in objects})
    return f"仍有 {len(objects)} 条{'、'.join(kinds)}记录引用它,不能删除;可改为停用。"


def api_exception_handler(exc, context):
    if isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(protected_message(exc))
    elif is_busy(exc):
        exc = Conflict(BUSY_MESSAGE, code="busy")
    elif is_nul(exc):
        exc = exceptions.ParseError(NUL_MESSAGE)
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return exception_handler(exc, context)


ERROR_SCHEMA = {
    "type": "object",
    "description": "错误说明:`detail` 为一句话原因;校验错误时以字段名为键、错误信息列表为值。",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
# The statuses any operation may answer besides its documented successes.
ERROR_STATUSES = {
    "400": "请求参数或内容有误(字段名为键)",
    "401": "未登录或凭据无效",
    "403": "无权执行此操作",
    "404": "对象不存在或不在您的范围内",
    "405": "不支持此请求方法",
    "406": "无法按请求的格式返回",
    "409": "与现有数据冲突或数据库正忙",
    "415": "不支持的请求内容类型",
    "429": "请求过于频繁,请稍后再试",
}
METHODS = {"get", "post", "put", "patch", "delete"}


def document_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                if code not in responses:
                    responses[code] = {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    }
                    continue
                # An operation's own error body (field errors, a confirmation list…) is one answer; a
                # malformed request (unparsable JSON, a missing file) still gets the common Error body.
                for media in responses[code].setdefault("content", {}).values():
                    own = media.get("schema")
                    if own and own != ref and "anyOf" not in own:
                        media["schema"] = {"anyOf": [own, ref]}
    return result


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


# Django's own error views, answering JSON under /api/ (a path the router does not match, such as a
# non-numeric id, would otherwise get an HTML page where the schema documents the Error body).
def bad_request(request, exception):
    if isinstance(exception, RequestDataTooBig):  # Django's cap on a form's text fields: 413, the limit named
        from django.conf import settings

        from .middleware import too_large_response

        return too_large_response(request, None, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if _is_api(request):
        return JsonResponse({"detail": "请求有误。"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": str(exception) or "您没有执行该操作的权限。"}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": "未找到:地址不存在,或对象不在您的范围内。"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "服务器内部错误,本次操作未完成;错误已记录。"}, status=500)
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    return render(
        request,
        "403_csrf.html",
        {"reason": reason},
        status=403,
    )
