"""The SQL the QA Executive's monthly pack adds to the trends' (``queries``): grouped rows only.

Views read before meetings, by service; people still waiting for their "you said, we did";
Learning Loop actions past due. Months are bounded as ``queries.bounds`` bounds them.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, literal, or_, select

from voice_service.analysis import queries
from voice_service.extensions import db
from voice_service.models import Answer, Child, Invitation, LearningAction, Meeting, Participant, YouSaidWeDid


def _gave_views():
    answered = exists().where(Answer.invitation_id == Invitation.id, Answer.is_current.is_(True),
                              Answer.skipped.is_(False))
    return or_(Invitation.status.in_(queries.RESPONDED_STATUSES), answered)


def coverage_by_month(first_month: str, last_month: str) -> list[dict]:
    """People asked before meetings held in the months, as ``queries.coverage_rows`` counts them
    (same people, same "gave views"), grouped only by what the pack uses: month, service, route
    and role. One query for this month and last, instead of two of the trends' nine-way grouping."""
    queries.for_aggregation()
    start, end = queries.bounds(first_month, last_month)
    responded = case((_gave_views(), literal(True)), else_=literal(False))
    month = queries.month_of(Meeting.starts_at)
    dims = (month, Child.service, Participant.route, Participant.role)
    query = (
        select(*dims, responded, func.count())
        .select_from(Invitation.__table__
                     .join(Participant.__table__, Participant.id == Invitation.participant_id)
                     .join(Meeting.__table__, Meeting.id == Participant.meeting_id)
                     .join(Child.__table__, Child.id == Meeting.child_id))
        .where(Meeting.starts_at >= start, Meeting.starts_at < end, Invitation.status != "scheduled",
               Meeting.status != "cancelled")
        .group_by(*dims, responded)
    )
    keys = ("month", "service", "route", "role", "responded", "n")
    return [{**dict(zip(keys, row)), "responded": bool(row[4])} for row in db.session.execute(query)]


def views_read_rows(month: str) -> list[dict]:
    """Meetings held in `month` where someone gave views, by service: how many, and how many had
    the views marked read before the meeting started."""
    queries.for_aggregation()
    start, end = queries.bounds(month, month)
    someone = exists().where(Participant.meeting_id == Meeting.id, Invitation.participant_id == Participant.id,
                             _gave_views())
    read = case((and_(Meeting.views_read_at.is_not(None), Meeting.views_read_at <= Meeting.starts_at), literal(1)),
                else_=literal(0))
    query = (
        select(Child.service, func.count(), func.coalesce(func.sum(read), 0))
        .select_from(Meeting.__table__.join(Child.__table__, Child.id == Meeting.child_id))
        .where(Meeting.starts_at >= start, Meeting.starts_at < end, Meeting.status != "cancelled", someone)
        .group_by(Child.service)
    )
    return [{"service": s, "meetings": int(n), "read": int(r)} for s, n, r in db.session.execute(query)]


def you_said_overdue_count(as_of: datetime, due_days: int) -> int:
    """People who gave views at a meeting whose outcome was recorded more than `due_days` before
    `as_of`, and whose "you said, we did" has not reached them (not opened, not handed over)."""
    cutoff = as_of - timedelta(days=due_days)
    arrived = exists().where(YouSaidWeDid.invitation_id == Invitation.id,
                             or_(YouSaidWeDid.first_viewed_at.is_not(None), YouSaidWeDid.handed_over_at.is_not(None)))
    query = (
        select(func.count())
        .select_from(Invitation.__table__
                     .join(Participant.__table__, Participant.id == Invitation.participant_id)
                     .join(Meeting.__table__, Meeting.id == Participant.meeting_id))
        .where(Meeting.outcome_recorded_at.is_not(None), Meeting.outcome_recorded_at <= cutoff,
               Meeting.outcome_recorded_at > cutoff - timedelta(days=92),  # a quarter back: old cases are not news
               _gave_views(), ~arrived)
    )
    return int(db.session.scalar(query) or 0)


def actions(as_of: date) -> list[dict]:
    """Every Learning Loop action that is open or was updated in the last quarter, soonest due first."""
    query = (select(LearningAction)
             .where(or_(LearningAction.status.in_(("open", "in_progress")),
                        LearningAction.updated_at >= datetime.combine(as_of - timedelta(days=92), datetime.min.time(), tzinfo=UTC)))
             .order_by(LearningAction.due_on, LearningAction.id))
    return [{"title": a.title, "owner": a.owner_name, "due_on": a.due_on, "status": a.status,
             "measure_id": a.measure_id, "service": a.service} for a in db.session.scalars(query)]
