"""The audit log: who saw or changed what, and when. Ids only, never a phone number or an answer.

Recorded: every staff view of identifiable answers (meeting page, print view, an alert's words),
every export, every change of a flag, an alert or an advocacy request, sign-ins and lock-outs,
and every change made through the API. Admins read it at /staff/audit (`store.audit.read`).

`record` adds the event to the current session; the caller's commit stores it with the change it
describes, so a change and its audit entry are never separated.
"""
from __future__ import annotations

from datetime import datetime

from voice_service.extensions import db
from voice_service.models import ApiKey, AuditEvent, User, utcnow

# Detail values must be ids, counts, states or times: never free text or a phone number.
_ALLOWED_DETAIL_TYPES = (int, float, bool, type(None))
_MAX_DETAIL_STRING = 80


def _object_ref(obj) -> tuple[str | None, str | None]:
    if obj is None:
        return None, None
    if isinstance(obj, tuple):
        object_type, object_id = obj
        return object_type, None if object_id is None else str(object_id)
    table = getattr(obj, "__tablename__", type(obj).__name__.lower())
    return table, None if getattr(obj, "id", None) is None else str(obj.id)


def clean_detail(detail: dict | None) -> dict | None:
    """Keep ids, numbers, short codes and lists of them; refuse anything that could be words."""
    if not detail:
        return None
    cleaned: dict = {}
    for key, value in detail.items():
        if isinstance(value, (list, tuple)):
            cleaned[key] = [v for v in value if isinstance(v, (*_ALLOWED_DETAIL_TYPES, str)) and not _wordy(v)]
        elif isinstance(value, str):
            if _wordy(value):
                raise ValueError(f"audit detail {key!r} looks like free text: record ids and codes only")
            cleaned[key] = value
        elif isinstance(value, _ALLOWED_DETAIL_TYPES):
            cleaned[key] = value
        else:
            cleaned[key] = str(value)[:_MAX_DETAIL_STRING]
    return cleaned


def _wordy(value) -> bool:
    return isinstance(value, str) and (len(value) > _MAX_DETAIL_STRING or any(ch.isspace() for ch in value.strip()))


def record(who: User | ApiKey | None, action: str, obj=None, detail: dict | None = None,
           at: datetime | None = None) -> AuditEvent:
    """Add one audit event. `who` is a User, an ApiKey or None (the system: a job or a command);
    `obj` is a model instance or an (object_type, object_id) pair. The caller commits."""
    object_type, object_id = _object_ref(obj)
    event = AuditEvent(
        at=at or utcnow(),
        user_id=who.id if isinstance(who, User) else None,
        api_key_id=who.id if isinstance(who, ApiKey) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=clean_detail(detail),
    )
    db.session.add(event)
    return event
