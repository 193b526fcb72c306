"""Safeguarding alerts in the database: the inbox's rows (scoped to what the user may see), the
alerts the escalation job claims, and how long acknowledging took. Raising an alert is
`answers.save_answer`; telling the duty team and the inbox's changes are `voice_service.alerts`.
Nothing here commits: the staff page or the clock job does.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import Child, Meeting, Participant, SafeguardingAlert, SourceFeedback, User


# The escalation job's claims --------------------------------------------------------------------

def _locked(query):
    # SKIP LOCKED: two clock processes each take different alerts instead of both emailing
    if db.engine.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def unnotified_open_alerts() -> list[SafeguardingAlert]:
    """Open alerts whose duty-team notice never went, locked for this job."""
    return list(db.session.scalars(
        _locked(select(SafeguardingAlert).where(SafeguardingAlert.notified_at.is_(None), SafeguardingAlert.status == "open"))
    ))


def unescalated_open_alerts_raised_by(cutoff: datetime) -> list[SafeguardingAlert]:
    """Open alerts raised at or before `cutoff` and not yet escalated, oldest first, locked."""
    return list(db.session.scalars(_locked(
        select(SafeguardingAlert)
        .where(SafeguardingAlert.status == "open", SafeguardingAlert.escalated_at.is_(None),
               SafeguardingAlert.raised_at <= cutoff)
        .order_by(SafeguardingAlert.raised_at)
    )))


# The inbox --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertRow:
    id: int
    status: str
    raised_at: datetime
    notified_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    actioned_at: datetime | None
    actioned_by: str | None
    escalated_at: datetime | None
    meeting_ref: str | None  # None: a text from a number with no open questions
    meeting_starts_at: datetime | None
    role: str | None
    team: str | None
    answer_id: int | None
    case_ref: str | None
    outcome: str | None
    feedback_source: str | None = None  # other_voices.SOURCES: feedback staff recorded, no meeting

    @property
    def minutes_to_acknowledge(self) -> int | None:
        """From the alert being raised (the words arriving) to someone taking it on."""
        if self.acknowledged_at is None:
            return None
        return max(0, round((self.acknowledged_at - self.raised_at).total_seconds() / 60))


def _alert_query():
    acknowledger = User.__table__.alias("acknowledger")
    actioner = User.__table__.alias("actioner")
    return (
        select(SafeguardingAlert, Meeting.meeting_ref, Meeting.starts_at, Participant.role, Child.team,
               acknowledger.c.name, actioner.c.name, Child.case_ref, SourceFeedback.source)
        # outer joins: an alert on a text from a number with no questions open has no meeting
        .outerjoin(Participant, SafeguardingAlert.participant_id == Participant.id)
        .outerjoin(Meeting, Participant.meeting_id == Meeting.id)
        .outerjoin(Child, Meeting.child_id == Child.id)
        .outerjoin(acknowledger, SafeguardingAlert.acknowledged_by_id == acknowledger.c.id)
        .outerjoin(actioner, SafeguardingAlert.actioned_by_id == actioner.c.id)
        .outerjoin(SourceFeedback, SafeguardingAlert.source_feedback_id == SourceFeedback.id)
    )


def _row(found) -> AlertRow:
    alert, ref, starts, role, team, ack_name, act_name, case_ref, feedback_source = found
    return AlertRow(alert.id, alert.status, alert.raised_at, alert.notified_at, alert.acknowledged_at, ack_name,
                    alert.actioned_at, act_name, alert.escalated_at, ref, starts, role, team, alert.answer_id,
                    case_ref, alert.outcome, feedback_source)


def _scoped(query, user: User):
    if user.role == "worker":
        return query.where(Child.team == user.team) if user.team else query.where(False)
    return query


def list_alerts(user: User, status: str = "open", limit: int = 200) -> list[AlertRow]:
    """Open (or acknowledged, or actioned) alerts the user may see, oldest first."""
    query = _scoped(_alert_query(), user).where(SafeguardingAlert.status == status)
    query = query.order_by(SafeguardingAlert.raised_at, SafeguardingAlert.id).limit(limit)
    return [_row(r) for r in db.session.execute(query)]


def get_alert(user: User, alert_id: int) -> tuple[AlertRow, SafeguardingAlert] | None:
    """One alert the user may see, as its inbox row and the alert itself (None: not theirs or none)."""
    found = db.session.execute(_scoped(_alert_query(), user).where(SafeguardingAlert.id == alert_id)).first()
    return (_row(found), found[0]) if found else None


def acknowledgement_minutes(since: datetime) -> list[int]:
    """Minutes from raising to acknowledging, for every alert acknowledged since `since`."""
    rows = db.session.execute(
        select(SafeguardingAlert.raised_at, SafeguardingAlert.acknowledged_at)
        .where(SafeguardingAlert.acknowledged_at.is_not(None), SafeguardingAlert.raised_at >= since)
    ).all()
    return sorted(max(0, round((ack - raised).total_seconds() / 60)) for raised, ack in rows)


def open_alert_for(participant_id: int | None, phone_hash: str | None) -> SafeguardingAlert | None:
    """The person's alert still open or acknowledged (by participant, else by hashed number), the
    oldest first: a new concern from them joins it rather than opening another."""
    if participant_id is None and phone_hash is None:
        return None
    whose = (SafeguardingAlert.participant_id == participant_id if participant_id is not None
             else SafeguardingAlert.phone_hash == phone_hash)
    with db.session.no_autoflush:
        return db.session.scalars(
            select(SafeguardingAlert).where(whose, SafeguardingAlert.status.in_(("open", "acknowledged")))
            .order_by(SafeguardingAlert.id)
        ).first()
