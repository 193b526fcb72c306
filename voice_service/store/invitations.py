"""Invitations in the database, the reads other modules share: the open invitations a number
can answer by text, each person's latest, a number's, the dispatcher's batch; and closing those
past their expiry. (Creating an invitation, its private link and its status moves:
voice_service/invitations.py.) Nothing here commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import contains_eager, joinedload

from voice_service.extensions import db
from voice_service.models import Invitation, Meeting, OptOut, Participant, utcnow
from voice_service.store.messages import is_opted_out
from voice_service.vocab import OPEN_INVITATION_STATUSES

TEXT_CHANNELS = ("sms", "whatsapp")


def open_invitations(hashed: str) -> tuple[list[Invitation], bool]:
    """The number's invitations that take answers by text, soonest meeting first, with their
    participant and meeting, locked until commit (FOR UPDATE on PostgreSQL; SQLite's write lock
    is already held); and whether the number has opted out (read with them: one round trip)."""
    rows = db.session.execute(
        select(Invitation, select(OptOut.id).where(OptOut.phone_hash == hashed).exists().label("opted_out"))
        .join(Invitation.participant)
        .join(Participant.meeting)
        .options(contains_eager(Invitation.participant).contains_eager(Participant.meeting))
        .where(
            Participant.phone_hash == hashed,
            Invitation.channel.in_(TEXT_CHANNELS),
            Invitation.status.in_(OPEN_INVITATION_STATUSES),
            Invitation.expires_at > utcnow(),
            Meeting.status != "cancelled",
        )
        .order_by(Meeting.starts_at, Invitation.id)
        .with_for_update(of=Invitation)
    ).all()
    if not rows:
        return [], is_opted_out(hashed)
    return [row[0] for row in rows], bool(rows[0][1])


def latest_invitations(participant_ids: list[int]) -> dict[int, Invitation]:
    """participant id -> their latest invitation (participants never invited are left out)."""
    invitations: dict[int, Invitation] = {}
    if participant_ids:
        for invitation in db.session.scalars(select(Invitation).where(Invitation.participant_id.in_(participant_ids))
                                             .order_by(Invitation.id)):
            invitations[invitation.participant_id] = invitation  # the latest wins
    return invitations


def invitations_for_phone(phone_hash: str) -> list[Invitation]:
    """Every invitation sent to one number, whatever its state."""
    return list(db.session.scalars(select(Invitation).join(Participant).where(Participant.phone_hash == phone_hash)))


def invitations_with_people(invitation_ids) -> dict[int, Invitation]:
    """id -> invitation, each with its participant and meeting loaded (the dispatcher's batch)."""
    return {invitation.id: invitation for invitation in db.session.scalars(
        select(Invitation).where(Invitation.id.in_(invitation_ids))
        .options(joinedload(Invitation.participant).joinedload(Participant.meeting))
    )}


def expire_past_due(now: datetime) -> int:
    """Open invitations past their expiry become expired; returns how many."""
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.status.in_(OPEN_INVITATION_STATUSES), Invitation.expires_at <= now)
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def invitation_by_id(invitation_id: int) -> Invitation | None:
    return db.session.get(Invitation, invitation_id)


# Built once, and with the participant and meeting every page needs in the same round trip.
_BY_TOKEN_HASH = (
    select(Invitation)
    .join(Invitation.participant)
    .join(Participant.meeting)
    .options(contains_eager(Invitation.participant).contains_eager(Participant.meeting))
    .where(Invitation.token_hash == bindparam("hashed_token"))
)


def invitation_with_token_hash(hashed_token: str) -> Invitation | None:
    """The invitation whose private link hashes to this, with its participant and meeting."""
    return db.session.scalar(_BY_TOKEN_HASH, {"hashed_token": hashed_token})
