"""Planned messages (ScheduledMessage) in the database: adding a one-off resend, and the rows the
planner and the clock read and change. Planning an invitation's messages is
`scheduling.service`; sending them is `scheduling.dispatch`. Nothing here commits: the clock
job, the staff page or the webhook does.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from voice_service.extensions import db
from voice_service.models import ScheduledMessage


def add_resend(invitation_id: int, due_at: datetime) -> ScheduledMessage:
    """A one-off resend of the invitation, due at `due_at`, numbered after any earlier resend. Flushes
    (the caller audits it by id)."""
    sequence = (db.session.scalar(select(func.max(ScheduledMessage.sequence)).where(
        ScheduledMessage.invitation_id == invitation_id, ScheduledMessage.kind == "resend")) or 0) + 1
    row = ScheduledMessage(invitation_id=invitation_id, kind="resend", sequence=sequence, due_at=due_at, state="pending")
    db.session.add(row)
    db.session.flush()
    return row


def has_pending_resend(invitation_id: int) -> bool:
    return db.session.scalar(select(ScheduledMessage.id).where(
        ScheduledMessage.invitation_id == invitation_id, ScheduledMessage.kind == "resend",
        ScheduledMessage.state == "pending").limit(1)) is not None


def scheduled_messages_for(invitation_id: int) -> list[ScheduledMessage]:
    """Every planned message of the invitation, whatever its state."""
    return list(db.session.scalars(select(ScheduledMessage).where(ScheduledMessage.invitation_id == invitation_id)))


def change_if_still(row: ScheduledMessage, **values) -> None:
    """Change the row only while it is still in the state we read it in: a clock may have claimed
    it since (pending -> sending), and a text being sent is never cancelled or moved under it."""
    db.session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id == row.id, ScheduledMessage.state == row.state)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(row)
