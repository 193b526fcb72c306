"""Meetings for staff, the state changes: the chair has read the views; an outcome is recorded (and
"you said, we did" planned). They flush; the caller commits.
"""
from __future__ import annotations

from datetime import datetime


from voice_service.extensions import db
from voice_service.models import Action, Meeting, User, utcnow
from voice_service.store.meetings import meeting_id_of_invitation
from voice_service.store.scheduled import pending_count


def mark_views_read(meeting: Meeting, user: User, now: datetime | None = None) -> None:
    """The chair has read the views (caller commits; audited)."""
    from voice_service import audit

    meeting.views_read_at = now or utcnow()
    meeting.views_read_by_id = user.id
    audit.record(user, "views_marked_read", meeting)


class OutcomeRefused(ValueError):
    pass


def record_outcome(meeting: Meeting, user: User, point: str, decision: str, invitation_id: int | None = None,
                   now: datetime | None = None) -> Action:
    """Record what was discussed and decided on one point, and plan "you said, we did".

    The first outcome sets Meeting.outcome_recorded_at; the schedule planner then adds a
    `you_said_we_did` message, due at the next decent time, for every invitation whose
    respondent gave their views. Re-planning is idempotent, so further points add no duplicates.
    """
    from voice_service import audit

    now = now or utcnow()
    if meeting.status == "cancelled":
        raise OutcomeRefused("This meeting was cancelled, so there is no outcome to record")
    if meeting.starts_at > now:
        raise OutcomeRefused("You can record what was decided once the meeting has started")
    if invitation_id is not None:
        if meeting_id_of_invitation(invitation_id) != meeting.id:
            raise OutcomeRefused("Choose someone who was invited to this meeting")
    action = Action(meeting_id=meeting.id, invitation_id=invitation_id, point=point.strip(),
                    decision=decision.strip(), recorded_by_id=user.id, recorded_at=now)
    db.session.add(action)
    if meeting.outcome_recorded_at is None:
        meeting.outcome_recorded_at = now
    if meeting.status == "scheduled":
        meeting.status = "held"
    db.session.flush()
    audit.record(user, "outcome_recorded", meeting, {"action_id": action.id, "invitation_id": invitation_id})
    plan_you_said_we_did(meeting, now)
    return action


def plan_you_said_we_did(meeting: Meeting, now: datetime) -> int:
    """Re-plan the meeting's invitations (the planner adds "you said, we did" for those who
    answered). Returns how many such messages are now pending."""
    from voice_service.scheduling.service import plan_meeting_messages

    plan_meeting_messages(meeting, now)
    return pending_count([i.id for p in meeting.participants for i in p.invitations], "you_said_we_did")
