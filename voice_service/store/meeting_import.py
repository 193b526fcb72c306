"""Meetings from the case system, written: one upsert for the CSV import and the API, and the
API's move, cancel and reinstate. They flush; the caller commits.

`upsert_meeting(input)` writes a validated `intake.MeetingInput`: the child by case reference,
the meeting by meeting reference, each participant by its reference within the meeting, so
sending the same meeting twice changes nothing. A new participant gets an invitation (the survey
chosen by meeting type, role, age band and language) and its planned messages; a moved meeting
has its messages re-planned.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.intake import ChildRecord, FieldError, MeetingInput, ParticipantInput
from voice_service.models import Child, Invitation, Meeting, Participant, User


@dataclass
class UpsertResult:
    meeting: Meeting
    created: bool
    moved: bool = False
    participants_added: int = 0
    participants_updated: int = 0
    invitations_created: int = 0
    warnings: list[FieldError] = field(default_factory=list)


class Conflict(ValueError):
    def __init__(self, error: FieldError):
        self.error = error
        super().__init__(f"{error.field}: {error.message}")


def upsert_meeting(data: MeetingInput, *, create_only: bool = False, plan: bool = True) -> UpsertResult:
    """Create or update the meeting and its people (flushes; the caller commits).

    Raises Conflict when the meeting reference belongs to another child's case, or (with
    `create_only`) when the meeting exists already."""
    child = db.session.scalar(select(Child).where(Child.case_ref == data.case_ref))
    if child is None:
        child = Child(case_ref=data.case_ref, age_band=data.age_band, service=data.service, team=data.team)
        db.session.add(child)
    else:
        child.age_band, child.service = data.age_band, data.service
        if data.team is not None:
            child.team = data.team
    closed_now = apply_child_record(child, data.child_record)
    chair_id = None
    warnings: list[FieldError] = []
    if data.chair_email:
        chair_id = db.session.scalar(select(User.id).where(User.email == data.chair_email, User.role == "chair"))
        if chair_id is None:
            warnings.append(FieldError("chair_email", "no chair with this email; the meeting has no chair yet"))
    meeting = db.session.scalar(select(Meeting).where(Meeting.meeting_ref == data.meeting_ref))
    created = meeting is None
    moved = False
    if meeting is None:
        meeting = Meeting(meeting_ref=data.meeting_ref, child=child, meeting_type=data.meeting_type,
                          starts_at=data.starts_at, location=data.location, chair_id=chair_id, status="scheduled")
        db.session.add(meeting)
    else:
        if create_only:
            raise Conflict(FieldError("meeting_ref", f"a meeting with the reference {data.meeting_ref} exists already; use PATCH to change it"))
        if meeting.child_id is not None and meeting.child.case_ref != data.case_ref:
            raise Conflict(FieldError("meeting_ref", f"{data.meeting_ref} belongs to another case reference"))
        if meeting.meeting_type != data.meeting_type:
            raise Conflict(FieldError("meeting_type", "a meeting's type cannot change; give the new meeting its own reference"))
        moved = meeting.starts_at != data.starts_at
        meeting.starts_at = data.starts_at
        if data.location is not None:
            meeting.location = data.location
        if chair_id is not None:
            meeting.chair_id = chair_id
    db.session.flush()
    result = UpsertResult(meeting, created, moved, warnings=warnings)
    existing = {p.external_ref: p for p in meeting.participants if p.external_ref}
    new_invitations = []
    for index, person in enumerate(data.participants):
        participant = existing.get(person.ref)
        if participant is None:
            participant = Participant(meeting=meeting, external_ref=person.ref)
            db.session.add(participant)
            result.participants_added += 1
        else:
            result.participants_updated += 1
        _apply_person(participant, person, data)
        db.session.flush()
        if not participant.invitations:
            invitation = _invite(participant, meeting, person, index, result)
            if invitation is not None:
                new_invitations.append(invitation)
    if moved:
        for participant in meeting.participants:
            for invitation in participant.invitations:
                if invitation.status in ("scheduled", "sent", "opened", "in_progress"):
                    invitation.expires_at = meeting.starts_at
    db.session.flush()
    if plan:
        if moved:
            plan_meeting(meeting)
        else:
            for invitation in new_invitations:
                plan_invitation(invitation)
    if closed_now:
        from voice_service.case_closure import plan_experience_of_service

        result.warnings.extend(plan_experience_of_service(child, plan=plan))
    return result


def apply_child_record(child: Child, record: ChildRecord) -> bool:
    """Set the fields given (blank ones leave what is stored). True when the case has just closed
    (a closure date it did not have), so Experience of Service is planned."""
    for name, value in (("ethnicity", record.ethnicity), ("gender", record.gender), ("disability", record.disability),
                        ("case_closure_reason", record.closure_reason)):
        if value is not None:
            setattr(child, name, value)
    if record.closed_on is not None and child.case_closed_on != record.closed_on:
        child.case_closed_on = record.closed_on
        return True
    return False


def _apply_person(participant: Participant, person: ParticipantInput, data: MeetingInput) -> None:
    participant.role = person.role
    participant.display_name = person.name
    participant.age_band = person.age_band or ("adult" if person.role in ("parent", "carer", "other") else data.age_band)
    participant.phone = person.phone
    participant.phone_hash = phone_hash(person.phone) if person.phone else None
    participant.email = person.email
    participant.language = person.language
    participant.preferred_channel = person.channel
    participant.safe_to_text = person.safe_to_text
    participant.easy_read = person.easy_read
    participant.consent = person.consent
    participant.postal_address = person.postal_address
    participant.route = effective_route(person)


def effective_route(person: ParticipantInput) -> str:
    """The route stored for the person: the one asked for, else the first their details allow."""
    from voice_service.scheduling.routes import choose_route, contact_for
    from voice_service.scheduling.service import allow_drama_numbers

    contact = contact_for(person.phone, person.safe_to_text, person.email, person.postal_address, person.consent,
                          allow_drama_numbers=allow_drama_numbers())
    asked = person.route or (person.channel if person.channel in ("sms", "whatsapp") else None)
    return choose_route(asked, contact).route


def _invite(participant: Participant, meeting: Meeting, person: ParticipantInput, index: int, result: UpsertResult) -> Invitation | None:
    from voice_service.invitations import create_invitation
    from voice_service.surveys import registry

    survey = registry(current_app).choose(meeting.meeting_type, participant.role, participant.age_band, participant.language)
    if survey is None:
        result.warnings.append(FieldError(
            f"participants[{index}]",
            f"no survey yet for a {participant.role} ({participant.age_band}) before a {meeting.meeting_type}; not invited",
        ))
        return None
    invitation, _token = create_invitation(participant, survey.id, survey.version, meeting.starts_at,
                                           channel=participant.preferred_channel, language=participant.language)
    result.invitations_created += 1
    return invitation


def plan_invitation(invitation: Invitation) -> None:
    """Plan the invitation's messages (invite, reminders, close) with the scheduler's planner."""
    from voice_service.scheduling.service import plan_invitation_messages

    plan_invitation_messages(invitation)


def plan_meeting(meeting: Meeting) -> None:
    from voice_service.scheduling.service import plan_meeting_messages

    plan_meeting_messages(meeting)


def change_meeting(meeting: Meeting, *, starts_at: datetime | None = None, status: str | None = None,
                   location: str | None = None) -> dict:
    """Move, cancel or reinstate a meeting and re-plan its messages (flushes; caller commits).
    Returns what changed, for the audit log."""
    changed: dict = {}
    if starts_at is not None and starts_at != meeting.starts_at:
        meeting.starts_at = starts_at
        changed["moved"] = True
        for participant in meeting.participants:
            for invitation in participant.invitations:
                if invitation.status in ("scheduled", "sent", "opened", "in_progress"):
                    invitation.expires_at = starts_at
    if status is not None and status != meeting.status:
        changed["status"] = status
        meeting.status = status
    if location is not None and location != meeting.location:
        meeting.location = location
        changed["location"] = True
    db.session.flush()
    if changed:
        plan_meeting(meeting)
    return changed
