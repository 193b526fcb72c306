"""The audit log in the database, read back: newest first, filtered, and the actions it holds
(for the admin's audit page). Recording an event is `voice_service.audit.record`. Nothing here
commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import ApiKey, AuditEvent, User


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    who: str
    action: str
    object_type: str | None
    object_id: str | None
    detail: dict | None


def read(limit: int = 100, before_id: int | None = None, action: str | None = None,
         object_type: str | None = None, object_id: str | None = None, user_id: int | None = None) -> list[AuditRow]:
    """The newest events first, `limit` at a time (page on with `before_id`), optionally filtered."""
    query = (
        select(AuditEvent, User.email, ApiKey.name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .outerjoin(ApiKey, AuditEvent.api_key_id == ApiKey.id)
        .order_by(AuditEvent.id.desc())
        .limit(max(1, min(limit, 500)))
    )
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == str(object_id))
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    rows = []
    for event, email, key_name in db.session.execute(query):
        who = email or (f"API key {key_name}" if key_name else "system")
        rows.append(AuditRow(event.id, event.at, who, event.action, event.object_type, event.object_id, event.detail))
    return rows


def recorded_actions() -> list[str]:
    """Every action the log holds, in order (the audit page's filter)."""
    return sorted(set(db.session.scalars(select(AuditEvent.action).distinct())))
