"""Planned messages (ScheduledMessage) in the database: adding a one-off resend, and the rows the
planner and the clock read and change. Planning an invitation's messages is
`scheduling.service`; sending them is `scheduling.dispatch`. Nothing here commits: the clock
job, the staff page or the webhook does.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update

from voice_service.extensions import db
from voice_service.models import Invitation, ScheduledMessage
from voice_service.scheduling.planner import Kind
from voice_service.vocab import OPEN_INVITATION_STATUSES


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


# The dispatcher's claims ----------------------------------------------------------------------

def mark_due_claimed(now: datetime, limit: int, claimant: str) -> None:
    """Switch up to ``limit`` due pending rows, oldest first, to ``sending`` for ``claimant``.
    Rows another clock holds are skipped, never waited for. The dispatcher commits the claim."""
    due = (
        select(ScheduledMessage.id)
        .where(ScheduledMessage.state == "pending", ScheduledMessage.due_at <= now)
        .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite ignores it and locks the file
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Locked once, in a materialised CTE: as a plain IN (subquery) PostgreSQL may run the
        # subquery again and claim more than ``limit`` rows.
        cte = due.cte("due").prefix_with("MATERIALIZED")
        ids = select(cte.c.id).scalar_subquery()
    else:
        ids = due.scalar_subquery()
    db.session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id.in_(ids), ScheduledMessage.state == "pending")
        .values(state="sending", claimed_by=claimant, claimed_at=now, attempts=ScheduledMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )


def claimed_by(claimant: str) -> list[ScheduledMessage]:
    """The rows ``claimant`` holds in ``sending``, oldest due first, read afresh."""
    return list(db.session.scalars(
        select(ScheduledMessage)
        .where(ScheduledMessage.state == "sending", ScheduledMessage.claimed_by == claimant)
        .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
        .execution_options(populate_existing=True)
    ))


def stuck_in_sending(claimed_before: datetime) -> list[ScheduledMessage]:
    """Rows claimed before ``claimed_before`` and still ``sending`` (their clock died), locked
    (rows another clock is settling are skipped)."""
    return list(db.session.scalars(
        select(ScheduledMessage)
        .where(ScheduledMessage.state == "sending", ScheduledMessage.claimed_at < claimed_before)
        .order_by(ScheduledMessage.id)
        .with_for_update(skip_locked=True)
    ))


def close_times(invitation_ids) -> dict[int, datetime]:
    """invitation id -> when its link closes (its CLOSE row still planned or done)."""
    return dict(db.session.execute(
        select(ScheduledMessage.invitation_id, ScheduledMessage.due_at).where(
            ScheduledMessage.invitation_id.in_(invitation_ids),
            ScheduledMessage.kind == Kind.CLOSE.value,
            ScheduledMessage.state.in_(("pending", "sending", "sent")),
        )
    ).all())


def invitation_ids_to_replan() -> list[int]:
    """Open invitations and any invitation with a text still pending, in id order."""
    pending = select(ScheduledMessage.id).where(
        ScheduledMessage.invitation_id == Invitation.id, ScheduledMessage.state == "pending"
    ).exists()
    return list(db.session.scalars(
        select(Invitation.id).where(or_(Invitation.status.in_(OPEN_INVITATION_STATUSES), pending)).order_by(Invitation.id)
    ))


def pending_count(invitation_ids: list[int], kind: str) -> int:
    """How many messages of this kind are still to go for these invitations."""
    if not invitation_ids:
        return 0
    return db.session.scalar(
        select(func.count(ScheduledMessage.id)).where(
            ScheduledMessage.invitation_id.in_(invitation_ids), ScheduledMessage.kind == kind,
            ScheduledMessage.state == "pending",
        )
    ) or 0


def state_of(invitation_id: int, kind: str) -> str | None:
    """The state of the invitation's message of this kind (None: none planned)."""
    return db.session.scalar(select(ScheduledMessage.state).where(
        ScheduledMessage.invitation_id == invitation_id, ScheduledMessage.kind == kind))
