"""Requests for an advocate: reaching the advocacy service, and closing them when handled.

The public form (and the SMS conversation) opens an AdvocacyRequest when a respondent asks for
an advocate. `refer_new_requests` (run by the clock, and safe to call after any commit) emails
ADVOCACY_EMAIL about every request not yet referred: the meeting reference, its date and the
respondent's role, never what they wrote. The request shows on the meeting page until staff mark
it handled.
"""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app

from voice_service import audit
from voice_service.extensions import db
from voice_service.models import AdvocacyRequest, Invitation, User, utcnow
from voice_service.store.advocacy import advocacy_request_for, unreferred_open_requests
from voice_service.vocab import MEETING_TYPES, ROLES

log = logging.getLogger(__name__)


def follow_choice(invitation: Invitation) -> None:
    """Keep one open request while the respondent wants an advocate (any channel); taken back
    before anyone acted on it, the request is removed."""
    existing = advocacy_request_for(invitation.id)
    if invitation.advocate_requested and existing is None:
        db.session.add(AdvocacyRequest(invitation=invitation, status="open"))
    elif (not invitation.advocate_requested and existing is not None and existing.status == "open"
          and existing.referred_at is None):
        db.session.delete(existing)


def refer(request: AdvocacyRequest, now: datetime | None = None) -> None:
    """Email the advocacy service about one request and mark it referred (caller commits)."""
    from voice_service.alerts import london_time, send_email

    participant = request.invitation.participant
    meeting = participant.meeting
    config = current_app.config
    send_email(
        config["ADVOCACY_EMAIL"],
        f"{config['SERVICE_NAME']}: request for an advocate ({meeting.meeting_ref})",
        f"Someone asked for an advocate to help them give their views before a meeting.\n\n"
        f"Meeting reference: {meeting.meeting_ref}\n"
        f"Meeting: {MEETING_TYPES.get(meeting.meeting_type, meeting.meeting_type)} on {london_time(meeting.starts_at)}\n"
        f"Who asked: {ROLES.get(participant.role, participant.role)}\n"
        f"Request number: {request.id}\n\n"
        f"Please contact the chair or the allocated worker for contact details.",
    )
    request.status = "referred"
    request.referred_at = now or utcnow()
    audit.record(None, "advocacy_referred", request)


def refer_new_requests(now: datetime | None = None) -> int:
    """Refer every open request not yet referred; returns how many. Commits."""
    count = 0
    for request in unreferred_open_requests():
        try:
            refer(request, now)
        except Exception:
            log.exception("advocacy referral failed", extra={"advocacy_request_id": request.id})
            continue
        db.session.commit()
        count += 1
    return count


def referral_job() -> dict:
    """The clock's job (no arguments, inside an app context)."""
    return {"referred": refer_new_requests()}


def mark_handled(request: AdvocacyRequest, user: User, now: datetime | None = None) -> None:
    """Staff confirm an advocate is in touch (or the request is otherwise dealt with). Audited."""
    if request.status == "handled":
        return
    request.status = "handled"
    request.handled_at = now or utcnow()
    request.handled_by_id = user.id
    audit.record(user, "advocacy_handled", request)
