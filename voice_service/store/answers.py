"""Answers in the database: each question's current answer, retired and restored in one
statement each. Saving an answer (with its analysis) is `voice_service.answers.save_answer`,
which calls these; nothing here commits.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, select, update

from voice_service.extensions import db
from voice_service.models import Answer, Invitation
from voice_service.store.rollups import make_stale


def encode_value(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def decode_value(raw: str | None) -> Any:
    return None if raw is None else json.loads(raw)


# Built once with bind parameters: every page and every channel reads and saves answers
# through here, so SQLAlchemy should not build and hash these statements again each time.
_CURRENT_ANSWERS = select(Answer).where(Answer.invitation_id == bindparam("for_invitation"), Answer.is_current.is_(True))
_RETIRE_CURRENT = (
    update(Answer)
    .where(Answer.invitation_id == bindparam("for_invitation"), Answer.question_id == bindparam("for_question"),
           Answer.is_current.is_(True))
    .values(is_current=False)
    .returning(Answer.id, Answer.value, Answer.free_text, Answer.skipped, Answer.received_at)
    .execution_options(synchronize_session=False)
)
_RESTORE_CURRENT = (
    update(Answer).where(Answer.id == bindparam("for_answer")).values(is_current=True)
    .execution_options(synchronize_session=False)
)


def current_answers(invitation: Invitation) -> dict[str, Answer]:
    return {a.question_id: a for a in db.session.scalars(_CURRENT_ANSWERS, {"for_invitation": invitation.id})}


def retire_current_answer(invitation_id: int, question_id: str):
    """The question's current answer becomes an earlier one; returns its id, value, free text,
    skipped flag and time (None when there was none). An answer retired from a month that has
    closed makes that month's kept counts stale (the flush does not see this statement)."""
    retired = db.session.execute(_RETIRE_CURRENT, {"for_invitation": invitation_id, "for_question": question_id}).first()
    if retired is not None:
        make_stale(db.session, [retired.received_at])
    return retired


def restore_current_answer(answer_id: int) -> Answer:
    """The answer just retired is the current one again (a double submission); returns it."""
    db.session.execute(_RESTORE_CURRENT, {"for_answer": answer_id})
    return db.session.get(Answer, answer_id)


def has_current_answer(invitation_id: int) -> bool:
    """Whether the invitation has a current answer that was not skipped (views given)."""
    return db.session.scalar(select(Answer.id).where(
        Answer.invitation_id == invitation_id, Answer.is_current.is_(True), Answer.skipped.is_(False)).limit(1)) is not None
