"""Planned messages (ScheduledMessage) in the database: adding a one-off resend, and the rows the
planner and the clock read and change. Planning an invitation's messages is
`scheduling.service`; sending them is `scheduling.dispatch`. Nothing here commits: the clock
job, the staff page or the webhook does.
"""
from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, insert, or_, select, update

from voice_service.extensions import db
from voice_service.models import Invitation, Message, ScheduledMessage
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


# The dispatcher's per-text write -------------------------------------------------------------

_MESSAGES, _ROWS, _INVITATIONS = Message.__table__, ScheduledMessage.__table__, Invitation.__table__
_NEW_MESSAGE_COLUMNS = ("channel", "invitation_id", "scheduled_message_id", "phone_hash", "to_address", "body")


def _bind(prefix: str, column) -> Any:
    return bindparam(f"{prefix}{column.name}", type_=column.type)


@functools.lru_cache(maxsize=64)
def text_result_statements(result_shape: tuple | None, inserting: bool, one_statement: bool) -> tuple:
    """The dispatcher's per-text write: the statements that record a result of this shape (which
    columns change) and insert the next Message, with named parameters: built once per shape, not
    once per text. Run by the dispatcher on its own connection, which commits them (nothing here does)."""
    parts = []
    if result_shape is not None:
        message_columns, row_columns, invitation_sent = result_shape
        values: dict[str, Any] = {name: _bind("m_", _MESSAGES.c[name]) for name in message_columns}
        if "provider_sid" in message_columns:
            # A sender may already have moved the status on (the outbox: delivered): never backwards.
            values["status"] = case((_MESSAGES.c.status == "accepted", "queued"), else_=_MESSAGES.c.status)
        values["updated_at"] = bindparam("now", type_=_MESSAGES.c.updated_at.type)
        parts.append(update(_MESSAGES).where(_MESSAGES.c.id == bindparam("m_id")).values(values))
        parts.append(update(_ROWS).where(_ROWS.c.id == bindparam("r_id"))
                     .values({name: _bind("r_", _ROWS.c[name]) for name in row_columns}))
        if invitation_sent:
            parts.append(update(_INVITATIONS)
                         .where(_INVITATIONS.c.id == bindparam("i_id"), _INVITATIONS.c.status == "scheduled")
                         .values(status="sent", updated_at=bindparam("now", type_=_INVITATIONS.c.updated_at.type)))
    if inserting:
        values = {name: _bind("n_", _MESSAGES.c[name]) for name in _NEW_MESSAGE_COLUMNS}
        now = bindparam("now", type_=_MESSAGES.c.created_at.type)
        values.update(direction="outbound", status="accepted", created_at=now, updated_at=now)
        parts.append(insert(_MESSAGES).values(values).returning(_MESSAGES.c.id))
    if not one_statement or len(parts) == 1:
        return tuple(parts)
    # PostgreSQL: the updates become data-modifying CTEs of the last statement; one statement
    # is atomic on its own, so it needs no transaction around it.
    main, ctes = parts[-1], parts[:-1]
    for index, part in enumerate(ctes):
        main = main.add_cte(part.returning(part.table.c.id).cte(f"done_{index}"))
    return (main,)
