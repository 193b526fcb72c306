"""When a case closes: Experience of Service questionnaires for everyone who was asked before.

The case system sends the closure date (and reason) with the child's record, through the CSV
import or the API. `plan_experience_of_service(child)` then makes one Experience of Service
"meeting" for the case (reference ``EOS-<case_ref>``), with each person known from the case's
meetings (the child, parents, carers), each invited to the questionnaire for their role, age
and language, by their own route, at the time the schedule sets (``EOS_DAYS_AFTER_CLOSURE``).
Running it again adds no one twice. Never when the child died (closure reason RC2).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from voice_service.extensions import db
from voice_service.models import Child, Meeting, Participant
from voice_service.store.meetings import case_participants, meeting_by_ref

LONDON = ZoneInfo("Europe/London")
EOS_TYPE = "experience_of_service"
#: Closure reasons after which no questionnaire is sent: a bereaved family is not asked to rate us.
NO_QUESTIONNAIRE = {"RC2": "the child died"}
#: How long the questionnaire's link stays open after the case closes.
OPEN_FOR = timedelta(days=42)
ASKED_ROLES = ("child", "young_adult", "parent", "carer")


def copy_person(person: Participant, meeting: Meeting, key: str, age_band: str | None) -> Participant:
    """The same person, with the same contact details, route and choices, asked again for `meeting`
    (a questionnaire after: Experience of Service, or how a meeting went). Flushes."""
    copy = Participant(
        meeting=meeting, external_ref=key, role=person.role, display_name=person.display_name, age_band=age_band,
        phone=person.phone, phone_hash=person.phone_hash, email=person.email, postal_address=person.postal_address,
        route=person.route, language=person.language, preferred_channel=person.preferred_channel,
        easy_read=person.easy_read, consent=person.consent, safe_to_text=person.safe_to_text,
    )
    db.session.add(copy)
    db.session.flush()
    return copy


def eos_reference(case_ref: str) -> str:
    return f"EOS-{case_ref}"[:64]


def plan_experience_of_service(child: Child, *, plan: bool = True) -> list:
    """Make (or complete) the case's Experience of Service invitations; returns warnings
    (intake.FieldError) for staff. Flushes; the caller commits."""
    from voice_service.intake import FieldError
    from voice_service.invitations import create_invitation
    from voice_service.scheduling.service import plan_invitation_messages
    from voice_service.surveys import registry

    if child.case_closed_on is None:
        return []
    if child.case_closure_reason in NO_QUESTIONNAIRE:
        return [FieldError("child.closure_reason",
                           f"no Experience of Service questionnaire: {NO_QUESTIONNAIRE[child.case_closure_reason]}")]
    db.session.flush()
    closed_at = datetime.combine(child.case_closed_on, time(10, 0), LONDON).astimezone(ZoneInfo("UTC"))
    ref = eos_reference(child.case_ref)
    meeting = meeting_by_ref(ref)
    if meeting is None:
        meeting = Meeting(meeting_ref=ref, child=child, meeting_type=EOS_TYPE, starts_at=closed_at, status="scheduled")
        db.session.add(meeting)
        db.session.flush()
    known = {p.external_ref for p in meeting.participants}
    people = case_participants(child.id, ASKED_ROLES, EOS_TYPE)
    warnings = []
    surveys = registry(current_app)
    for person in people:
        key = person.external_ref or f"P{person.id}"
        if key in known:
            continue  # the latest record of each person only
        known.add(key)
        band = child.age_band if person.role in ("child", "young_adult") else person.age_band
        copy = copy_person(person, meeting, key, band)
        survey = surveys.choose(EOS_TYPE, copy.role, copy.age_band, copy.language)
        if survey is None:
            warnings.append(FieldError("child.closed_on", f"no Experience of Service survey for a {copy.role} ({copy.age_band})"))
            continue
        invitation, _token = create_invitation(copy, survey.id, survey.version, closed_at + OPEN_FOR,
                                               channel=copy.preferred_channel, language=copy.language)
        if plan:
            plan_invitation_messages(invitation)
    return warnings
