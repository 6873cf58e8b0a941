"""Writing the change log. Services call `record`; nothing else writes ChangeLog rows. Each row is a
link of the audit hash chain (`jushi.core.audit.append`)."""

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from . import audit
from .choices import ChangeAction
from .models import ChangeLog

SKIP_FIELDS = {"id", "created", "updated", "version", "normalized_name"}  # bookkeeping, not facts


def _json(value):
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def snapshot(obj: models.Model, extra: dict | None = None) -> dict:
    """A JSON-safe picture of a record: plain fields as values, foreign keys as their display text."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIP_FIELDS:
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            data[field.name] = str(related) if related is not None else None
        else:
            data[field.name] = _json(field.value_from_object(obj))
    if extra:
        data.update(extra)
    return data


def label_for(model: type[models.Model], key: str) -> str:
    """The human label of a snapshot key: the field's verbose name, or the model's CHANGE_LABELS entry."""
    extra = getattr(model, "CHANGE_LABELS", {})
    if key in extra:
        return str(extra[key])
    try:
        return str(model._meta.get_field(key).verbose_name)
    except Exception:
        return key


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict | None,
    after: dict | None,
    source: str,
    reason: str = "",
    zone_id: int | None = None,
    batch: str = "",
) -> ChangeLog | None:
    """Write one change; an update that changed nothing writes nothing and returns None."""
    if action == ChangeAction.UPDATE and before == after:
        return None
    return audit.append(
        ChangeLog(
            user=actor if getattr(actor, "pk", None) else None,
            user_name=getattr(actor, "username", "") or "",
            action=action,
            source=source,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            zone_id=zone_id,
            before=before,
            after=after,
            reason=reason[:500],
            batch=batch,
        )
    )
