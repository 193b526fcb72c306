"""Quotes in the database: the answers waiting for a person to approve their words for sharing,
and the names held for a meeting (redacted from every quote). The rules of a decision are
`voice_service.analysis.quote_approval`. Nothing here commits: the QA page does.
"""
from __future__ import annotations

from sqlalchemy import exists, func, select

from voice_service.analysis.trends import SHAREABLE_VISIBILITY
from voice_service.extensions import db
from voice_service.models import Answer, Invitation, Meeting, Participant, SharedQuote, ThemeTag

PER_PAGE = 20


def names_held(meeting_id: int) -> list[str | None]:
    """Every name held for a meeting: its people's, then its chair's and worker's."""
    people = db.session.scalars(select(Participant.display_name).where(Participant.meeting_id == meeting_id)).all()
    meeting = db.session.get(Meeting, meeting_id)
    staff = [u.name for u in (meeting.chair, meeting.worker) if u is not None] if meeting is not None else []
    return [*people, *staff]


def _quotable():
    """Conditions for an answer that could be quoted (before anyone decides)."""
    return (
        Answer.is_current.is_(True), Answer.safeguarding_flag.is_(False), Answer.redacted_text.is_not(None),
        Invitation.visibility.in_(sorted(SHAREABLE_VISIBILITY)),
        exists().where(ThemeTag.answer_id == Answer.id, ThemeTag.rejected.is_(False)),
        ~exists().where(SharedQuote.answer_id == Answer.id),
    )


def awaiting(page: int = 1, per_page: int = PER_PAGE) -> tuple[list[Answer], int]:
    """Answers that could be quoted and that nobody has decided about, newest first; and how many."""
    base = select(Answer).join(Invitation, Invitation.id == Answer.invitation_id).where(*_quotable())
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    if per_page == 0:
        return [], total
    rows = db.session.scalars(
        base.order_by(Answer.received_at.desc(), Answer.id.desc()).limit(per_page).offset(max(page - 1, 0) * per_page)
    ).all()
    return list(rows), total


#: The dashboard counts waiting quotes up to here and then says "or more": a service holds
#: hundreds of thousands nobody will ever decide about, and counting them all cost the page a
#: third of a second at a million answers.
WAITING_COUNTED_UP_TO = 1000


def waiting_count() -> int:
    """How many quotes wait for a decision, counted no further than WAITING_COUNTED_UP_TO."""
    some = select(Answer.id).join(Invitation, Invitation.id == Answer.invitation_id).where(*_quotable()).limit(WAITING_COUNTED_UP_TO)
    return db.session.scalar(select(func.count()).select_from(some.subquery())) or 0


def awaiting_answer(answer_id: int) -> Answer | None:
    """One answer waiting for a decision, or None (already decided, or never quotable)."""
    return db.session.scalar(
        select(Answer).join(Invitation, Invitation.id == Answer.invitation_id).where(Answer.id == answer_id, *_quotable())
    )
