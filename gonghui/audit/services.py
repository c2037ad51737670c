"""Writing the audit log. Services call these inside their transaction, so a change and its
audit row commit or roll back together."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from gonghui.core.fields import PersonalDataField, mask
from gonghui.core.middleware import client_ip, current_request

from .models import AuditAction, AuditEntry


def scope_path_of(obj: models.Model | None) -> str:
    """The organization path a record belongs to, following its model's ``scope_path``."""
    if obj is None:
        return ""
    lookup = getattr(type(obj), "scope_path", None)
    if not lookup:
        return ""
    if isinstance(lookup, tuple):  # several owners: the entry is filed under the first
        lookup = lookup[0]
    value: Any = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Concrete field values for before/after comparison; personal data only masked."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        # Password hashes and keyed hashes never go into the log; timestamps are the entry's own.
        if field.name in {
            "updated_at",
            "created_at",
            "password",
            "last_login",
        } or field.name.endswith("_hash"):
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, PersonalDataField):
            value = mask(field.kind, value)
        data[field.name] = _plain(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def audit_record(
    *,
    by,
    action: str,
    obj: models.Model | None = None,
    changes: dict | None = None,
    detail: str = "",
    object_type: str = "",
    object_repr: str = "",
    organization_path: str | None = None,
    request=None,
) -> AuditEntry:
    request = request or current_request()
    ip = user_agent = None
    if request is not None:
        ip = client_ip(request)
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:255]
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor_id=actor.pk if actor else None,
        actor_username=actor.get_username() if actor else "",
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        organization_path=organization_path
        if organization_path is not None
        else scope_path_of(obj),
        changes=changes or {},
        detail=str(detail)[:255],
        ip_address=ip,
        user_agent=user_agent or "",
    )


def audit_create(*, by, obj: models.Model, detail: str = "") -> AuditEntry:
    after = snapshot(obj)
    return audit_record(
        by=by,
        action=AuditAction.CREATE,
        obj=obj,
        changes={k: [None, v] for k, v in after.items()},
        detail=detail,
    )


def audit_update(
    *, by, obj: models.Model, before: dict[str, Any], detail: str = ""
) -> AuditEntry | None:
    changes = diff(before, snapshot(obj))
    if not changes:
        return None
    return audit_record(by=by, action=AuditAction.UPDATE, obj=obj, changes=changes, detail=detail)


def audit_delete(*, by, obj: models.Model, detail: str = "") -> AuditEntry:
    before = snapshot(obj)
    return audit_record(
        by=by,
        action=AuditAction.DELETE,
        obj=obj,
        changes={k: [v, None] for k, v in before.items()},
        detail=detail,
    )
