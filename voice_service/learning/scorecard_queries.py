"""The SQL side of the scorecard: answers to the mapped questions and follow-up answers,
grouped in the database by question, answer, month, service, team and meeting type."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from voice_service.analysis import queries
from voice_service.extensions import db
from voice_service.models import Answer, Child, Invitation, Meeting, Participant, YouSaidWeDid

KEYS = ("question_id", "value", "month", "service", "team", "meeting_type", "n")


def answer_rows(start: datetime, end: datetime, question_ids: list[str]) -> list[dict]:
    """Answers to the mapped questions received in [start, end), grouped."""
    if not question_ids:
        return []
    queries.for_aggregation()
    month = queries.month_of(Answer.received_at).label("month")
    dims = (Answer.question_id, Answer.value, month, Child.service, Child.team, Meeting.meeting_type)
    query = (
        select(*dims, func.count())
        .select_from(queries.answer_context())
        .where(Answer.received_at >= start, Answer.received_at < end, Answer.is_current.is_(True),
               Answer.skipped.is_(False), Answer.value.is_not(None), Answer.question_id.in_(question_ids),
               Meeting.status != "cancelled")
        .group_by(*dims)
    )
    return [dict(zip(KEYS, row)) for row in db.session.execute(query)]


def follow_up_rows(first_month: str, last_month: str) -> list[dict]:
    start, end = queries.bounds(first_month, last_month)
    month = queries.month_of(YouSaidWeDid.follow_up_at).label("month")
    dims = (YouSaidWeDid.follow_up_answer, month, Child.service, Child.team, Meeting.meeting_type)
    query = (
        select(*dims, func.count())
        .select_from(
            YouSaidWeDid.__table__
            .join(Invitation.__table__, Invitation.id == YouSaidWeDid.invitation_id)
            .join(Participant.__table__, Participant.id == Invitation.participant_id)
            .join(Meeting.__table__, Meeting.id == Participant.meeting_id)
            .join(Child.__table__, Child.id == Meeting.child_id)
        )
        .where(YouSaidWeDid.follow_up_at >= start, YouSaidWeDid.follow_up_at < end,
               YouSaidWeDid.follow_up_answer.is_not(None))
        .group_by(*dims)
    )
    keys = ("answer", "month", "service", "team", "meeting_type", "n")
    return [{"source": "follow_up", **dict(zip(keys, row))} for row in db.session.execute(query)]


def collect(first_month: str, last_month: str, threshold: int):
    """The scorecard for whole months first_month..last_month."""
    from voice_service.analysis import rollups
    from voice_service.analysis.trends import months_between
    from voice_service.learning import scorecard

    ms = scorecard.measures()
    rows = rollups.rows("scorecard", first_month, last_month) + follow_up_rows(first_month, last_month)
    return scorecard.build(scorecard.classify(rows, ms), ms, threshold, months=months_between(first_month, last_month))
