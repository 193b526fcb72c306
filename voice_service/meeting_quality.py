"""After a meeting: a short questionnaire on how it went, for the child, each parent and the carer
(issue 18, item 2).

Like the Experience of Service questionnaire (voice_service/case_closure.py), each meeting that
has been held gets one "meeting_quality" meeting (reference ``MQ-<meeting_ref>``, same child,
chair, worker and start), with a copy of each person asked (the same contact details, route,
language and choices), each invited to the questionnaire for their role and age
(surveys/meeting_quality/), by their own route. The scheduler plans the invitation the day
after the meeting (``MEETING_QUALITY_DAYS_AFTER``) and one reminder
(``MEETING_QUALITY_REMINDER_DAYS``); the link stays open for OPEN_FOR.

The clock's ``plan-meeting-quality`` job runs `plan_job` every hour: meetings held in the last
LOOKBACK, not cancelled, get theirs once (running again adds no one twice). Children under 8
are not asked (the adult who helps them is); nobody is asked after an Experience of Service
"meeting" or another meeting-quality one.

The four yes/no answers feed the scorecard (learning/scorecard_v1.toml: understood_decision,
meeting_listened, report_in_time, know_advocate).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from voice_service.extensions import db
from voice_service.models import Meeting, utcnow
from voice_service.store.meetings import existing_meeting_refs, meeting_by_ref, meeting_participants, meetings_held_between

MQ_TYPE = "meeting_quality"
NOT_AFTER = ("experience_of_service", MQ_TYPE)
ASKED_ROLES = ("child", "young_adult", "parent", "carer")
OPEN_FOR = timedelta(days=21)
LOOKBACK = timedelta(days=7)


def mq_reference(meeting_ref: str) -> str:
    return f"MQ-{meeting_ref}"[:64]


def plan_meeting_quality(meeting: Meeting, *, plan: bool = True) -> int:
    """Make (or complete) the meeting's questionnaire invitations; returns how many were made.
    Flushes; the caller commits."""
    from voice_service.case_closure import copy_person
    from voice_service.invitations import create_invitation
    from voice_service.scheduling.service import plan_invitation_messages
    from voice_service.surveys import registry

    if meeting.meeting_type in NOT_AFTER or meeting.status == "cancelled":
        return 0
    ref = mq_reference(meeting.meeting_ref)
    after = meeting_by_ref(ref)
    if after is None:
        after = Meeting(meeting_ref=ref, child=meeting.child, meeting_type=MQ_TYPE, starts_at=meeting.starts_at,
                        chair_id=meeting.chair_id, worker_id=meeting.worker_id, location=meeting.location,
                        status="scheduled")
        db.session.add(after)
        db.session.flush()
    known = {p.external_ref for p in after.participants}
    surveys = registry(current_app)
    made = 0
    people = meeting_participants(meeting.id, ASKED_ROLES)
    for person in people:
        key = person.external_ref or f"P{person.id}"
        if key in known:
            continue
        survey = surveys.choose(MQ_TYPE, person.role, person.age_band, person.language)
        if survey is None:  # children under 8: the adult who helps them answers
            continue
        known.add(key)
        copy = copy_person(person, after, key, person.age_band)
        invitation, _token = create_invitation(copy, survey.id, survey.version, meeting.starts_at + OPEN_FOR,
                                               channel=copy.preferred_channel, language=copy.language)
        made += 1
        if plan:
            plan_invitation_messages(invitation)
    return made


def meetings_due(now: datetime) -> list[Meeting]:
    """Meetings held in the last LOOKBACK, not cancelled, with no questionnaire meeting yet."""
    held = meetings_held_between(now - LOOKBACK, now, NOT_AFTER)
    if not held:
        return []
    done = existing_meeting_refs([mq_reference(m.meeting_ref) for m in held])
    return [m for m in held if mq_reference(m.meeting_ref) not in done]


def plan_job(now: datetime | None = None) -> dict:
    """The clock's job: each meeting held lately gets its questionnaire once. Commits per meeting."""
    meetings = invitations = 0
    for meeting in meetings_due(now or utcnow()):
        invitations += plan_meeting_quality(meeting)
        meetings += 1
        db.session.commit()
    return {"meetings": meetings, "invitations": invitations}
