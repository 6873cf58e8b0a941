"""Idempotency keys: an action sent twice acts once.

A page renders a fresh key (a UUID) into its form as the hidden field `idempotency_key`; an API client
sends one in the `Idempotency-Key` header. The first request with a key claims it, acts and records what
it answered, all in one transaction; a later request with the same key (a retry after a lost answer, a
server restarted in the middle, a double click) gets that answer again and nothing is done twice:

    with idempotency.once(request, action="reporting.submit", target=submission.pk) as guard:
        if guard.replay:
            return redirect(guard.replay.location)   # the API: guard.replay.status, guard.replay.body
        ...act...                                     # raise to undo it all, the claim included
        guard.record(location=url)                    # or status=…, body=… for the API
        return redirect(url)

- The claim is the first write of the transaction: a crash before the commit leaves neither the key nor
  the action, a crash after it leaves both. An action that fails (an exception) releases the key with
  everything else; one that ends without `record` (a refused submit that only kept the draft, say)
  releases the key too, so a corrected retry with the same key acts.
- Two requests with one key at the same moment: the unique constraint (user, action, key) makes the
  second wait for the first (PostgreSQL blocks the second insert until the first commits; SQLite's
  IMMEDIATE transactions queue whole), then it replays the first one's answer.
- A key already used for another record or another action is refused (`Refused`, status 422); a
  malformed key is a 400. A request without a key acts as it always did: `once` does nothing then.
- `prune()` deletes keys older than `JUSHI_IDEMPOTENCY_DAYS` (7 by default): a retry comes within
  minutes, so a week is ample. Call it from a daily job; nothing depends on it but the table's size.
"""

import datetime as dt
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"  # the hidden form field of pages
MAX_LENGTH = 100
KEY_PATTERN = r"^[\x21-\x7e]{1,100}$"  # visible ASCII: a UUID, or any client's own scheme
DEFAULT_DAYS = 7

ACTION_WORDS = {
    "reporting.submit": "报送",
    "reporting.approve": "审核通过",
    "reporting.return": "退回",
}


class IdempotencyError(Exception):
    """A key that cannot be used; `status` is the HTTP answer (400 malformed, 422 reused, 409 busy)."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class Refused(IdempotencyError):
    status = 422


@dataclass(frozen=True)
class Replay:
    status: int
    location: str
    body: object


class Guard:
    def __init__(self, key: str | None, row: IdempotencyKey | None = None, replay: Replay | None = None):
        self.key = key
        self.row = row
        self.replay = replay
        self.recorded = False

    def record(self, *, status: int = 200, location: str = "", body=None) -> None:
        """Keep the answer to give a repeat of this request (no-op without a key)."""
        if self.row is None or self.replay is not None:
            return
        self.row.status = status
        self.row.location = location[:300]
        self.row.body = _plain(body)
        self.row.save(update_fields=["status", "location", "body"])
        self.recorded = True


def _plain(body):
    """The body as JSON would carry it (DRF's ReturnDict, Decimals, dates → plain JSON values)."""
    if body is None:
        return None
    from rest_framework.renderers import JSONRenderer

    return json.loads(JSONRenderer().render(body))


def key_of(request) -> str | None:
    """The request's key: the `Idempotency-Key` header, else the form field; None when it has none."""
    raw = request.headers.get(HEADER)
    if raw is None:
        post = getattr(request, "POST", None)
        raw = post.get(FIELD) if post is not None else None
    if raw is None:
        return None
    key = raw.strip()
    if not key:
        return None
    if len(key) > MAX_LENGTH:
        raise IdempotencyError(f"重复提交标识({HEADER}): 不能超过 {MAX_LENGTH} 个字符,现有 {len(key)} 个")
    if not re.match(KEY_PATTERN, key):
        raise IdempotencyError(f"重复提交标识({HEADER}): 只能由可见的英文字母、数字和符号组成,建议用 UUID")
    return key


def _words(action: str) -> str:
    return ACTION_WORDS.get(action, action)


def _claim(user, action: str, key: str, target: str) -> Guard:
    other = IdempotencyKey.objects.filter(user=user, key=key).exclude(action=action).first()
    if other is not None:
        raise Refused(
            f"重复提交标识 {key} 已用于{_words(other.action)},不能再用于{_words(action)};请换一个新的标识"
        )
    try:
        with transaction.atomic():  # a savepoint: a taken key leaves the outer transaction usable
            row = IdempotencyKey.objects.create(user=user, action=action, key=key, target=target)
    except IntegrityError:
        row = IdempotencyKey.objects.filter(user=user, action=action, key=key).first()
        if row is None or row.status is None:  # released or still being written: try again shortly
            raise IdempotencyError(
                f"使用同一重复提交标识的{_words(action)}请求正在处理,请稍后刷新页面查看结果", status=409
            ) from None
        if row.target != target:
            raise Refused(
                f"重复提交标识 {key} 已用于另一份记录(编号 {row.target})的{_words(action)},"
                f"不能用于编号 {target};请换一个新的标识"
            ) from None
        return Guard(key, replay=Replay(status=row.status, location=row.location, body=row.body))
    return Guard(key, row=row)


@contextmanager
def once(request, *, action: str, target):
    """Run the block at most once per key (see the module docstring). Raises `IdempotencyError`."""
    key = key_of(request)
    if key is None:
        yield Guard(None)
        return
    with transaction.atomic():
        guard = _claim(request.user, action, key, str(target))
        yield guard
        if guard.row is not None and not guard.recorded:
            guard.row.delete()  # nothing to replay: the same key may act again


def keep_days() -> int:
    return max(1, int(getattr(settings, "JUSHI_IDEMPOTENCY_DAYS", DEFAULT_DAYS)))


def prune(days: int | None = None) -> int:
    """Delete keys older than `days` (JUSHI_IDEMPOTENCY_DAYS, 7); returns how many went."""
    cutoff = timezone.now() - dt.timedelta(days=days or keep_days())
    deleted, _ = IdempotencyKey.objects.filter(created__lt=cutoff).delete()
    return deleted
