"""Planning against the database: read an invitation, ask the pure planner, store the changes.

Call :func:`plan_invitation_messages` whenever something the schedule depends on changes: an
invitation is created, a meeting is moved or cancelled, an outcome is recorded, a number opts
out or back in, an answer is submitted. It is safe to call at any time and any number of times.
The caller owns the transaction (this module flushes, never commits).
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app

from voice_service.extensions import db
from voice_service.scheduling import settings as settings_from_config
from voice_service.models import Invitation, Meeting, ScheduledMessage, utcnow
from voice_service.store.invitations import invitations_for_phone
from voice_service.store.messages import is_opted_out
from voice_service.store.scheduled import change_if_still, scheduled_messages_for
from voice_service.scheduling.planner import (
    EXPERIENCE_OF_SERVICE,
    MEETING_QUALITY,
    MEETING_SURVEY,
    Audience,
    Changes,
    ExistingScheduled,
    PlanRequest,
    ScheduleSettings,
    plan,
    replan,
)

log = logging.getLogger(__name__)

_REASON_LENGTH = 200  # ScheduledMessage.reason


def schedule_settings() -> ScheduleSettings:
    """The app's schedule settings: ``SCHEDULE_SETTINGS`` (a ScheduleSettings object, as tests
    set) or else the schedule variables in the config (QUIET_HOURS, REMINDER_WORKING_DAYS...,
    see ``scheduling/settings.py``), read again only when one of them changes."""
    config = current_app.config
    settings = config.get("SCHEDULE_SETTINGS")
    if isinstance(settings, ScheduleSettings):
        return settings
    key = settings_from_config.cache_key(config)
    cached = current_app.extensions.get("schedule_settings")
    if cached is None or cached[0] != key:
        cached = (key, settings_from_config.from_config(config))
        current_app.extensions["schedule_settings"] = cached
    return cached[1]


def allow_drama_numbers() -> bool:
    """Ofcom's fictional 07700 900xxx numbers are accepted outside production (demo, tests)."""
    return bool(current_app.config.get("ALLOW_DRAMA_NUMBERS", current_app.config.get("ENV_NAME") != "production"))


def route_for(participant) -> str:
    """The route the participant's invitations go by (scheduling/routes.py): the one stored
    from the case system when it can be used, else the first usable one."""
    from voice_service.scheduling.routes import choose_route, contact_for

    contact = contact_for(participant.phone, participant.safe_to_text, participant.email, participant.postal_address,
                          participant.consent, allow_drama_numbers=allow_drama_numbers())
    asked = participant.route or (participant.preferred_channel if participant.preferred_channel in ("sms", "whatsapp") else None)
    return choose_route(asked, contact).route


def plan_request_for(invitation: Invitation, now: datetime | None = None) -> PlanRequest:
    """The planner's view of one invitation."""
    from voice_service.scheduling.routes import check_address, check_email

    participant = invitation.participant
    meeting = participant.meeting
    eos = meeting.meeting_type == EXPERIENCE_OF_SERVICE
    survey = EXPERIENCE_OF_SERVICE if eos else MEETING_QUALITY if meeting.meeting_type == MEETING_QUALITY else MEETING_SURVEY
    return PlanRequest(
        route=route_for(participant),
        email_ok=check_email(participant.email).ok,
        address_ok=check_address(participant.postal_address).ok,
        consent=bool(participant.consent),
        now=now or utcnow(),
        meeting_type=meeting.meeting_type,
        audience=Audience(participant.role, participant.age_band),
        meeting_start=None if eos else meeting.starts_at,
        known_at=invitation.created_at,
        phone=participant.phone,
        safe_to_text=bool(participant.safe_to_text and participant.consent),
        answered=invitation.status == "completed",
        declined=invitation.status == "declined",
        opted_out=invitation.status == "opted_out" or is_opted_out(participant.phone_hash),
        meeting_cancelled=meeting.status == "cancelled",
        outcome_recorded_at=meeting.outcome_recorded_at,
        case_closed_on=meeting.child.case_closed_on if eos else None,
        survey=survey,
        settings=schedule_settings(),
        allow_drama_numbers=allow_drama_numbers(),
    )


def plan_invitation_messages(invitation: Invitation, now: datetime | None = None) -> Changes:
    """Bring the invitation's ``ScheduledMessage`` rows in line with a fresh plan.

    Adds missing steps, moves or reopens pending ones, cancels or marks missed the ones no
    longer wanted (with the reason), and never touches rows being sent or sent. Flushes.
    """
    if invitation.id is None or invitation.created_at is None:
        db.session.flush()
    request = plan_request_for(invitation, now)
    new_plan = plan(request)
    rows = scheduled_messages_for(invitation.id)
    existing = [ExistingScheduled(r.id, r.kind, r.sequence, r.due_at, r.state) for r in rows]
    changes = replan(existing, new_plan)
    by_id = {r.id: r for r in rows}

    def change(row_id: int, **values) -> None:
        change_if_still(by_id[row_id], **values)

    for move in changes.move:
        if move.reopen:
            change(move.row_id, due_at=move.due_at, state="pending", reason=None)
        else:
            change(move.row_id, due_at=move.due_at)
    for cancel in changes.cancel:
        change(cancel.row_id, state="cancelled", reason=cancel.reason[:_REASON_LENGTH])
    for miss in changes.missed:
        change(miss.row_id, state="missed", reason=miss.reason[:_REASON_LENGTH])
    for message in changes.add:
        db.session.add(ScheduledMessage(
            invitation_id=invitation.id, kind=message.kind.value, sequence=message.sequence,
            due_at=message.due_at, state="pending",
        ))
    for dropped in changes.record:
        db.session.add(ScheduledMessage(
            invitation_id=invitation.id, kind=dropped.kind.value, sequence=dropped.sequence,
            due_at=new_plan.planned_at, state="missed" if dropped.missed else "cancelled",
            reason=dropped.reason[:_REASON_LENGTH],
        ))
    db.session.flush()
    if not changes.is_empty:
        log.info(
            "schedule re-planned",
            extra={
                "invitation_id": invitation.id, "added": len(changes.add), "moved": len(changes.move),
                "cancelled": len(changes.cancel), "missed": len(changes.missed), "recorded": len(changes.record),
            },
        )
    return changes


def plan_meeting_messages(meeting: Meeting, now: datetime | None = None) -> list[Changes]:
    """Re-plan every invitation of a meeting (it moved, was cancelled, or has an outcome)."""
    return [
        plan_invitation_messages(invitation, now)
        for participant in meeting.participants
        for invitation in participant.invitations
    ]


def plan_phone_messages(phone_hash: str, now: datetime | None = None) -> list[Changes]:
    """Re-plan every invitation sent to one number (it opted out, or back in)."""
    return [plan_invitation_messages(invitation, now) for invitation in invitations_for_phone(phone_hash)]


__all__ = [
    "route_for",
    "allow_drama_numbers",
    "plan_invitation_messages",
    "plan_meeting_messages",
    "plan_phone_messages",
    "plan_request_for",
    "schedule_settings",
]
