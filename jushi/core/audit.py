"""The tamper-evident audit trail: one hash chain over the change log and the security events.

Every row (a `ChangeLog` or an `AuditEvent`) takes the next number of one sequence (`seq`) and stores
`prev_hash`, the hash of link seq - 1, and `hash`, SHA-256 over a canonical JSON of its own content and
`prev_hash`. `append` is the only writer: it locks the chain head (`AuditChain`, one row) for the rest
of the caller's transaction, so concurrent writers queue behind it and the chain cannot fork; if the
caller's transaction rolls back, the head and the row roll back together.

`verify` walks the chain in order and names the first row whose content was changed, the rows missing
between two links, or the missing tail (the head remembers the last link). `prune` deletes rows older
than the retention period (at least 180 days) and appends an anchor event recording the pruned range and
the last pruned hash, where verification then starts.

Security events are recorded here too: logins, logouts, failed logins (signals from django.contrib.auth),
changes to a user's role, flags, groups and permissions, and to the registry's user scopes (model
signals by label: core does not import the registry), and downloads (`record_export`, called by the
exporter base, and `AuditMiddleware` for any other attachment response). Logins and rights are
national rows (no zone: the audit administrator reviews them); an export carries the zone whose data
it holds, or the exporting user's zone when they work in exactly one.
"""

import contextvars
import datetime as dt
import hashlib
import heapq
import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router, transaction
from django.utils import timezone

from . import scopes
from .choices import AuditKind, ChangeSource
from .models import AuditChain, AuditEvent, ChangeLog, retention_cutoff, retention_days

HEAD_PK = 1
_request: contextvars.ContextVar = contextvars.ContextVar("jushi_audit_request", default=None)


class AuditError(Exception):
    """A refused audit operation (pruning inside the retention period, pruning a broken chain)."""


# --- hashing -------------------------------------------------------------------------------------


def _plain(value):
    """JSON as the database gives it back: tuples become lists, integral floats ints (PostgreSQL's
    jsonb keeps 1e20 as a number that reads back as an int)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _stamp(time) -> str:
    return time.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _ct_label(content_type_id) -> str:
    ct = ContentType.objects.get_for_id(content_type_id)
    return f"{ct.app_label}.{ct.model}"


def content_of(row) -> dict:
    """What a row's hash covers. Works on historical models too (the migration hashing old rows).
    The user is covered by name: the foreign key is a link that a deleted user sets to null."""
    if hasattr(row, "content_type_id"):
        return {
            "table": "change",
            "seq": row.seq,
            "time": _stamp(row.time),
            "user": row.user_name,
            "action": row.action,
            "source": row.source,
            "object": f"{_ct_label(row.content_type_id)}:{row.object_id}",
            "repr": row.object_repr,
            "zone": row.zone_id,
            "before": _plain(row.before),
            "after": _plain(row.after),
            "reason": row.reason,
            "batch": row.batch,
        }
    return {
        "table": "event",
        "seq": row.seq,
        "time": _stamp(row.time),
        "user": row.user_name,
        "kind": row.kind,
        "source": row.source,
        "ip": row.ip,
        "repr": row.object_repr,
        "zone": row.zone_id,
        "before": _plain(row.before),
        "after": _plain(row.after),
        "detail": _plain(row.detail),
    }


def digest(content: dict, prev_hash: str) -> str:
    text = json.dumps(
        {**content, "prev": prev_hash}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


# --- appending -----------------------------------------------------------------------------------


def _last_link() -> tuple[int, str]:
    last = [
        m._base_manager.order_by("-seq").values_list("seq", "hash").first() for m in (ChangeLog, AuditEvent)
    ]
    return max((x for x in last if x), default=(0, ""))


def _head_sql(connection) -> tuple[str, str]:
    table = connection.ops.quote_name(AuditChain._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"SELECT seq, hash FROM {table} WHERE id = %s{lock}",  # noqa: S608 - our table name, quoted
        f"UPDATE {table} SET seq = %s, hash = %s WHERE id = %s",  # noqa: S608
    )


def _locked_head(connection) -> tuple[int, str]:
    """The last link, with the head row locked until the caller's transaction ends. Plain SQL: the ORM's
    query building cost more than the query itself, thousands of times per import."""
    select, _ = _head_sql(connection)
    with connection.cursor() as cursor:
        cursor.execute(select, [HEAD_PK])
        found = cursor.fetchone()
        if found is None:
            # Only after a flush (tests) or on a database created without the migration's head row.
            seq, last = _last_link()
            AuditChain.objects.get_or_create(pk=HEAD_PK, defaults={"seq": seq, "hash": last})
            cursor.execute(select, [HEAD_PK])
            found = cursor.fetchone()
    return int(found[0]), found[1]


def append(row):
    """Write `row` (an unsaved ChangeLog or AuditEvent) as the next link of the chain."""
    connection = connections[router.db_for_write(type(row))]
    # No savepoint of its own: a failure here fails the caller's transaction anyway, and an import
    # writing thousands of rows would pay two more statements a row.
    with transaction.atomic(using=connection.alias, savepoint=False):
        seq, prev = _locked_head(connection)
        row.seq = seq + 1
        row.prev_hash = prev
        if row.time is None:
            row.time = timezone.now()
        for name in ("before", "after", "detail"):
            if hasattr(row, name):
                # Hash what the database will give back, not the Python objects handed in.
                setattr(row, name, _plain(getattr(row, name)))
        row.hash = digest(content_of(row), row.prev_hash)
        row.save(force_insert=True, using=connection.alias)
        with connection.cursor() as cursor:
            cursor.execute(_head_sql(connection)[1], [row.seq, row.hash, HEAD_PK])
    return row


# --- security events -----------------------------------------------------------------------------


def current_request():
    return _request.get()


def client_ip(request) -> str:
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def _source(request) -> str:
    if request is None:
        return ChangeSource.CLI
    return ChangeSource.API if request.path.startswith("/api/") else ChangeSource.WEB


def sole_zone(user) -> int | None:
    """The zone a user works in when it is exactly one (their exports belong to it), else None."""
    if user is None or not getattr(user, "pk", None) or user.is_superuser:
        return None
    provider = scopes._provider
    scope = provider(user) if provider else scopes.NOBODY  # fresh: a scope change must not see a cache
    if scope.all_zones or len(scope.zone_ids) != 1:
        return None
    return next(iter(scope.zone_ids))


def _actor(actor=None):
    if actor is not None and getattr(actor, "pk", None):
        return actor
    request = current_request()
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


def record_event(
    *,
    kind: str,
    actor=None,
    request=None,
    object_repr: str = "",
    zone_id: int | None = None,
    before=None,
    after=None,
    detail=None,
    user_name: str | None = None,
) -> AuditEvent:
    request = request or current_request()
    return append(
        AuditEvent(
            user=actor if getattr(actor, "pk", None) else None,
            user_name=(user_name if user_name is not None else getattr(actor, "username", "") or "")[:150],
            kind=kind,
            source=_source(request),
            ip=client_ip(request),
            object_repr=str(object_repr)[:200],
            zone_id=zone_id,
            before=before,
            after=after,
            detail=detail,
        )
    )


def record_export(
    *, actor=None, name: str, fmt: str = "", size: int | None = None, zone_id=None
) -> AuditEvent:
    """A download of data: who, what file, which zone's data (None: several zones or national)."""
    actor = _actor(actor)
    if zone_id is None:
        zone_id = sole_zone(actor)
    detail = {"file": name, "format": fmt, "bytes": size}
    return record_event(kind=AuditKind.EXPORT, actor=actor, object_repr=name, zone_id=zone_id, detail=detail)


def _on_login(sender, request, user, **kwargs):
    record_event(
        kind=AuditKind.LOGIN,
        actor=user,
        request=request,
        object_repr=user.get_username(),
    )


def _on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    record_event(
        kind=AuditKind.LOGOUT,
        actor=user,
        request=request,
        object_repr=user.get_username(),
    )


def _on_login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    # Only the name tried: Django has already masked the password, and we keep nothing else of it.
    tried = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    record_event(
        kind=AuditKind.LOGIN_FAILED,
        request=request,
        user_name=tried,
        object_repr=tried,
    )


# Rights that make a permission change; a save touching none of them (last_login, a name) is not one.
USER_RIGHTS = ("role", "is_superuser", "is_staff", "is_active")


def _rights(user) -> dict:
    return {name: getattr(user, name) for name in USER_RIGHTS if hasattr(user, name)}


def _user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    watched = [f for f in USER_RIGHTS if hasattr(instance, f)]
    if update_fields is not None and not set(watched) & set(update_fields):
        instance._audit_rights = None
        return
    old = sender._base_manager.filter(pk=instance.pk).values(*watched).first() if instance.pk else None
    instance._audit_rights = old if old is not None else {}


def _record_rights_change(instance, attr: str, created: bool, raw: bool, values, describe, detail=None):
    """After a save: record a permission event when the rights `values(instance)` differ from those the
    pre-save receiver kept in `attr` (a new row always counts)."""
    before = getattr(instance, attr, None)
    if raw or before is None:
        return
    setattr(instance, attr, None)
    after = values(instance)
    if not created and before == after:
        return
    record_event(
        kind=AuditKind.PERMISSION,
        actor=_actor(),
        object_repr=describe(instance),
        before=before or None,
        after=after,
        detail=detail,
    )


def _user_post_save(sender, instance, created, raw=False, **kwargs):
    _record_rights_change(
        instance,
        "_audit_rights",
        created,
        raw,
        _rights,
        lambda u: f"用户 {u.get_username()}",
        detail={"user": instance.get_username(), "created": created},
    )


def _names(qs) -> list[str]:
    return sorted(str(x) for x in qs)


def _m2m_handler(label: str, what: str):
    """Before/after of a many-to-many set of rights (a user's groups or permissions, a group's
    permissions): the names are read before the change and compared after it."""

    def handler(sender, instance, action, reverse, model, pk_set, **kwargs):
        if reverse:
            # From the other side (group.user_set.add(user)): one event naming who was affected.
            if action.startswith("post_"):
                touched = _names(model._default_manager.filter(pk__in=pk_set)) if pk_set else ["(全部)"]
                record_event(
                    kind=AuditKind.PERMISSION,
                    actor=_actor(),
                    object_repr=f"{label} {instance}"[:200],
                    detail={"action": action.removeprefix("post_"), "affected": touched},
                )
            return
        if action.startswith("pre_"):
            instance._audit_m2m = _names(getattr(instance, what).all())
            return
        before = getattr(instance, "_audit_m2m", None)
        after = _names(getattr(instance, what).all())
        if before == after:
            return
        is_user = hasattr(instance, "get_username")
        record_event(
            kind=AuditKind.PERMISSION,
            actor=_actor(),
            object_repr=f"{label} {instance.get_username() if is_user else instance}"[:200],
            before={what: before},
            after={what: after},
        )

    return handler


def _scope_values(scope) -> dict:
    return {
        "all_zones": scope.all_zones,
        "enterprise": str(scope.enterprise) if scope.enterprise_id else None,
    }


def _scope_pre_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    old = sender._base_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_scope = _scope_values(old) if old is not None else {}


def _scope_post_save(sender, instance, created, raw=False, **kwargs):
    _record_rights_change(
        instance,
        "_audit_scope",
        created,
        raw,
        _scope_values,
        lambda scope: f"用户范围 {scope.user.get_username()}",
    )


def _scope_post_delete(sender, instance, **kwargs):
    record_event(
        kind=AuditKind.PERMISSION,
        actor=_actor(),
        object_repr=f"用户范围 {instance.user_id and instance.user.get_username()}",
        before=_scope_values(instance),
        after=None,
    )


def _scope_zones_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse:
        return  # zones have no accessor back to scopes (related_name="+")
    if action.startswith("pre_"):
        instance._audit_zones = set(instance.zones.values_list("pk", flat=True))
        return
    before = getattr(instance, "_audit_zones", set())
    after = set(instance.zones.values_list("pk", flat=True))
    if before == after:
        return
    names = dict(model._default_manager.filter(pk__in=before | after).values_list("pk", "name"))
    record_event(
        kind=AuditKind.PERMISSION,
        actor=_actor(),
        object_repr=f"用户范围 {instance.user.get_username()}",
        before={"zones": sorted(names[z] for z in before)},
        after={"zones": sorted(names[z] for z in after)},
    )


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth import signals as auth_signals
    from django.contrib.auth.models import Group
    from django.db.models import signals

    auth_signals.user_logged_in.connect(_on_login, dispatch_uid="jushi_audit_login")
    auth_signals.user_logged_out.connect(_on_logout, dispatch_uid="jushi_audit_logout")
    auth_signals.user_login_failed.connect(_on_login_failed, dispatch_uid="jushi_audit_login_failed")
    User = get_user_model()
    signals.pre_save.connect(_user_pre_save, sender=User, dispatch_uid="jushi_audit_user_pre")
    signals.post_save.connect(_user_post_save, sender=User, dispatch_uid="jushi_audit_user_post")
    signals.m2m_changed.connect(
        _m2m_handler("用户组", "groups"),
        sender=User.groups.through,
        dispatch_uid="jushi_audit_groups",
        weak=False,
    )
    signals.m2m_changed.connect(
        _m2m_handler("用户权限", "user_permissions"),
        sender=User.user_permissions.through,
        dispatch_uid="jushi_audit_user_perms",
        weak=False,
    )
    signals.m2m_changed.connect(
        _m2m_handler("用户组权限", "permissions"),
        sender=Group.permissions.through,
        dispatch_uid="jushi_audit_group_perms",
        weak=False,
    )
    # The registry's scopes, by label: the registry is above core and is not imported here.
    signals.pre_save.connect(
        _scope_pre_save, sender="registry.UserScope", dispatch_uid="jushi_audit_scope_pre"
    )
    signals.post_save.connect(
        _scope_post_save, sender="registry.UserScope", dispatch_uid="jushi_audit_scope_post"
    )
    signals.post_delete.connect(
        _scope_post_delete, sender="registry.UserScope", dispatch_uid="jushi_audit_scope_del"
    )
    signals.m2m_changed.connect(
        _scope_zones_changed, sender="registry.UserScope_zones", dispatch_uid="jushi_audit_scope_zones"
    )


def _filename(disposition: str) -> str:
    """The file name of a Content-Disposition header: RFC 5987 `filename*=utf-8''…` (what Django
    writes for non-ASCII names) before the plain `filename="…"`."""
    from urllib.parse import unquote

    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename*" and "''" in value:
            return unquote(value.split("''", 1)[1])
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename":
            return value.strip('"')
    return ""


class AuditMiddleware:
    """Makes the request known to the audit writers (who changed a right, who downloaded), and records
    any attachment download that no exporter recorded (e.g. a project's attachment file)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            response = self.get_response(request)
            disposition = response.get("Content-Disposition", "") if hasattr(response, "get") else ""
            if disposition.startswith("attachment") and not getattr(response, "audit_recorded", False):
                name = _filename(disposition) or request.path
                record_export(name=name[:200], fmt=response.get("Content-Type", "").split(";")[0])
                response.audit_recorded = True
        finally:
            _request.reset(token)
        return response


# --- verifying -----------------------------------------------------------------------------------


@dataclass
class Verification:
    ok: bool
    count: int
    message: str
    last_hash: str = ""


def describe(row) -> str:
    """第 1234 条记录(变更记录 id=…, 2024-07-20 10:12, 修改 企业 XX)"""
    when = timezone.localtime(row.time).strftime("%Y-%m-%d %H:%M") if row.time else "?"
    if isinstance(row, ChangeLog):
        ct = ContentType.objects.get_for_id(row.content_type_id)
        what = f"变更记录 id={row.pk}, {when}, {row.get_action_display()} {ct.name} {row.object_repr}"
    else:
        who = f" {row.user_name}" if row.user_name and row.user_name != row.object_repr else ""
        what = f"安全事件 id={row.pk}, {when}, {row.get_kind_display()}{who} {row.object_repr}".rstrip()
    return f"第 {row.seq} 条记录({what})"


def _chain_rows():
    iters = [m._base_manager.order_by("seq").iterator(chunk_size=2000) for m in (ChangeLog, AuditEvent)]
    return heapq.merge(*iters, key=lambda r: r.seq)


def _start() -> tuple[int, str, AuditEvent | None]:
    """Where the chain starts: link 1, or after the range the latest pruning removed."""
    anchor = AuditEvent._base_manager.filter(kind=AuditKind.PRUNE).order_by("-seq").first()
    if anchor is None or not isinstance(anchor.detail, dict):
        return 1, "", None
    return int(anchor.detail.get("through_seq", 0)) + 1, str(anchor.detail.get("through_hash", "")), anchor


def verify(*, save: bool = True) -> Verification:
    expected, prev_hash, anchor = _start()
    prev_row, count, result = None, 0, None
    for row in _chain_rows():
        if row.seq != expected:
            if row.seq < expected:
                result = f"{describe(row)}序号重复或次序错乱(应为第 {expected} 条)"
            elif prev_row is not None:
                missing = row.seq - expected
                result = (
                    f"{describe(prev_row)}与{describe(row)}之间缺少 {missing} 条记录(被删除)"
                    f":第 {expected} 至 {row.seq - 1} 条"
                )
            else:
                since = (
                    "链首"
                    if anchor is None
                    else f"清理锚点(第 {anchor.seq} 条)所记的第 {expected - 1} 条之后"
                )
                result = f"{since}与{describe(row)}之间缺少 {row.seq - expected} 条记录(被删除)"
            break
        if digest(content_of(row), row.prev_hash) != row.hash:
            result = f"{describe(row)}内容被改动"
            break
        if row.prev_hash != prev_hash:
            result = f"{describe(row)}与前一条记录的链接不符(前一条被改动或替换)"
            break
        prev_row, prev_hash, expected, count = row, row.hash, row.seq + 1, count + 1
    if result is None:
        head = AuditChain.objects.filter(pk=HEAD_PK).first()
        last_seq = expected - 1
        if head is not None and head.seq > last_seq:
            after = describe(prev_row) if prev_row is not None else "链首"
            result = (
                f"{after}之后缺少 {head.seq - last_seq} 条记录(被删除):第 {last_seq + 1} 至 {head.seq} 条"
            )
        elif head is not None and head.seq == last_seq and head.hash != prev_hash:
            result = f"链头记录的最后哈希与{describe(prev_row) if prev_row else '链首'}不符(最后的记录被替换)"
    ok = result is None
    if ok:
        # The last hash, written down elsewhere (a ticket, the operator's log), later proves that not
        # even someone able to rewrite the whole table has replaced the chain up to here.
        last = f",最后一条为第 {expected - 1} 条,哈希 {prev_hash[:16]}" if prev_hash else ""
        message = f"审计链完整:已校验 {count} 条记录{last}"
    else:
        message = f"审计链被破坏:{result}"
    verification = Verification(ok=ok, count=count, message=message, last_hash=prev_hash if ok else "")
    if save:
        AuditChain.objects.filter(pk=HEAD_PK).update(
            verified_at=timezone.now(), verified_ok=ok, verified_count=count, verified_message=message[:500]
        )
    return verification


# --- pruning -------------------------------------------------------------------------------------


@dataclass
class Pruning:
    deleted: int
    through_seq: int
    anchor: AuditEvent | None


def prune(*, before, actor=None) -> Pruning:
    """Delete the rows written before local midnight of `before` (a date), if that is older than the
    retention period, and append an anchor recording what went. A broken chain is not pruned: that
    would delete the evidence."""
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    limit = retention_cutoff()
    if cutoff > limit:
        newest = timezone.localtime(limit).date()
        raise AuditError(
            f"--before: 审计记录至少保留 {retention_days()} 天,只能清理 {newest} 及以前的记录(给出的是 {before})"
        )
    connection = connections[router.db_for_write(ChangeLog)]
    with transaction.atomic(using=connection.alias):
        head_seq, _ = _locked_head(connection)
        check = verify(save=False)
        if not check.ok:
            raise AuditError(f"审计链未通过校验,不清理:{check.message}")
        young = [
            m._base_manager.filter(time__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
            for m in (ChangeLog, AuditEvent)
        ]
        young = [s for s in young if s is not None]
        through = (min(young) - 1) if young else head_seq
        old = [m._base_manager.filter(seq__lte=through) for m in (ChangeLog, AuditEvent)]
        count = sum(qs.count() for qs in old)
        if not count:
            return Pruning(deleted=0, through_seq=through, anchor=None)
        last = next(
            row
            for row in (m._base_manager.filter(seq=through).first() for m in (ChangeLog, AuditEvent))
            if row
        )
        first = min((qs.order_by("seq").first() for qs in old if qs.exists()), key=lambda r: r.seq)
        for qs in old:
            qs.delete()  # the querysets refuse young rows themselves; none are in this range
        anchor = record_event(
            kind=AuditKind.PRUNE,
            actor=actor,
            object_repr=f"第 {first.seq} 至 {through} 条记录",
            detail={
                "before": before.isoformat(),
                "from_seq": first.seq,
                "through_seq": through,
                "through_hash": last.hash,
                "deleted": count,
                "first_time": _stamp(first.time),
                "last_time": _stamp(last.time),
                "retention_days": retention_days(),
            },
        )
    return Pruning(deleted=count, through_seq=through, anchor=anchor)


def national_auditor(user) -> bool:
    """May run the verification from the audit page: whoever sees the whole trail."""
    if not scopes.can(user, "audit"):
        return False
    return scopes.scope_of(user).all_zones or getattr(user, "role", "") == "auditadmin"


__all__ = [
    "AuditError",
    "AuditMiddleware",
    "append",
    "content_of",
    "describe",
    "digest",
    "prune",
    "record_event",
    "record_export",
    "verify",
]
