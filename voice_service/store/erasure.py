"""What data protection reads and clears in the database: encrypted values batch by batch (key
rotation), the people past retention, one person's records, and clearing what identifies them.
The commands, the retention job and their audit entries are `voice_service.data_protection`.
Nothing here commits: the command or the job does, batch by batch or once.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Column, Integer, MetaData, Table, Text, func, select, update

from voice_service.extensions import db
from voice_service.models import (
    Action, AdvocacyRequest, Answer, Invitation, LabelledExample, Meeting, Message, Participant,
    SafeguardingAlert, SafeguardingAlertItem, SharedQuote,
)

ERASED = "[erased]"
_CLEARED_TEXT = dict(body=None, reply_body=None, to_address=None, from_address=None, phone_hash=None)


# Key rotation -----------------------------------------------------------------------------------

def _raw_column(table_name: str, column_name: str):
    # The stored token as text, without the model's decryption: rotation rewrites the token.
    raw = Table(table_name, MetaData(), Column("id", Integer, primary_key=True), Column(column_name, Text))
    return raw, raw.c[column_name]


def encrypted_values_after(table_name: str, column_name: str, last_id: int, limit: int) -> list[tuple[int, str]]:
    """(id, stored token) of the next `limit` rows after `last_id` with a value, in id order."""
    raw, column = _raw_column(table_name, column_name)
    return [tuple(row) for row in db.session.execute(
        select(raw.c.id, column).where(raw.c.id > last_id, column.is_not(None)).order_by(raw.c.id).limit(limit)
    )]


def store_encrypted_value(table_name: str, column_name: str, row_id: int, token: str) -> None:
    raw, _column = _raw_column(table_name, column_name)
    db.session.execute(update(raw).where(raw.c.id == row_id).values({column_name: token}))


# Finding people ---------------------------------------------------------------------------------

def participant_ids_met_before(cutoff: datetime) -> list[int]:
    """People on meetings that started before `cutoff` and not yet anonymised."""
    return list(db.session.scalars(
        select(Participant.id).join(Meeting).where(Meeting.starts_at < cutoff, Participant.display_name != ERASED)
    ))


def participant_by_id(participant_id: int) -> Participant | None:
    return db.session.get(Participant, participant_id)


def participants_with_phone_hash(number_hash: str) -> list[Participant]:
    return list(db.session.scalars(select(Participant).where(Participant.phone_hash == number_hash)))


def texts_count_with_phone_hash(number_hash: str) -> int:
    return db.session.scalar(select(func.count(Message.id)).where(Message.phone_hash == number_hash))


def answers_of(invitation_id: int) -> list[Answer]:
    """Every answer given on the invitation, earlier ones too, in the order given."""
    return list(db.session.scalars(select(Answer).where(Answer.invitation_id == invitation_id).order_by(Answer.id)))


def messages_of(invitation_id: int) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.invitation_id == invitation_id).order_by(Message.id)))


# Clearing what identifies people --------------------------------------------------------------

def clear_stray_texts_before(cutoff: datetime) -> int:
    """Texts that reached no invitation (unknown numbers, after STOP) older than `cutoff`, and the
    words on alerts raised on them; returns how many texts were cleared."""
    stray = select(Message.id).where(Message.invitation_id.is_(None), Message.created_at < cutoff,
                                     Message.body.is_not(None))
    db.session.execute(update(SafeguardingAlert).where(SafeguardingAlert.message_id.in_(stray))
                       .values(evidence=None, action_notes=None, outcome_reason=None))
    db.session.execute(update(SafeguardingAlertItem).where(SafeguardingAlertItem.message_id.in_(stray)).values(evidence=None))
    return db.session.execute(
        update(Message).where(Message.id.in_(stray)).values(**_CLEARED_TEXT).execution_options(synchronize_session=False)
    ).rowcount


def anonymise_participants(participant_ids: Iterable[int]) -> dict[str, int]:
    """Names, contact details, free text, message bodies, decisions' words and quotes of these
    people cleared; question ids, scale values, themes and months kept. Returns counts."""
    counts = {"participants": 0, "answers": 0, "messages": 0}
    for pid in participant_ids:
        participant = db.session.get(Participant, pid)
        if participant is None:
            continue
        participant.display_name = ERASED
        participant.phone = None
        participant.phone_hash = None
        participant.email = None
        participant.postal_address = None
        invitation_ids = [i.id for i in participant.invitations]
        if invitation_ids:
            counts["answers"] += db.session.execute(
                update(Answer).where(Answer.invitation_id.in_(invitation_ids))
                .values(free_text=None, redacted_text=None, analysis_evidence=None)
            ).rowcount
            counts["messages"] += db.session.execute(
                update(Message).where(Message.invitation_id.in_(invitation_ids)).values(**_CLEARED_TEXT)
            ).rowcount
            db.session.execute(
                update(Action).where(Action.invitation_id.in_(invitation_ids)).values(point=ERASED, decision=ERASED)
            )
            db.session.execute(
                update(AdvocacyRequest).where(AdvocacyRequest.invitation_id.in_(invitation_ids)).values(notes=None)
            )
            answer_ids = select(Answer.id).where(Answer.invitation_id.in_(invitation_ids))
            db.session.execute(
                update(SafeguardingAlert).where(SafeguardingAlert.participant_id == pid)
                .values(evidence=None, action_notes=None, outcome_reason=None)
            )
            db.session.execute(
                update(SafeguardingAlertItem).where(SafeguardingAlertItem.answer_id.in_(answer_ids)).values(evidence=None)
            )
            db.session.execute(
                update(LabelledExample).where(LabelledExample.answer_id.in_(answer_ids)).values(answer_id=None)
            )
            db.session.execute(  # an approved quote is withdrawn with the words it came from
                update(SharedQuote).where(SharedQuote.answer_id.in_(answer_ids)).values(text=None, decision="withheld")
            )
            db.session.execute(
                update(Invitation).where(Invitation.id.in_(invitation_ids)).values(conversation_state=None)
            )
        counts["participants"] += 1
    return counts


def erase_texts_by_hash(number_hash: str) -> int:
    """Every message from or to this number's keyed hash, whichever invitation (or none) it
    reached, and the alerts raised on them. Returns how many messages were cleared. The opt-out
    row (the hash alone) stays: it is how we keep not texting someone who said STOP."""
    ids = select(Message.id).where(Message.phone_hash == number_hash)
    db.session.execute(update(SafeguardingAlert).where(SafeguardingAlert.message_id.in_(ids))
                       .values(evidence=None, action_notes=None))
    return db.session.execute(
        update(Message).where(Message.phone_hash == number_hash).values(**_CLEARED_TEXT)
        .execution_options(synchronize_session=False)
    ).rowcount
