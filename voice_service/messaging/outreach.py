"""Scheduled emails and letters: the dispatcher hands over rows whose route is not a text.

The same rules as texts: a ``Message`` row (our id) is committed before the provider is called,
consent is required, the schedule applies; quiet hours do not (nothing rings). Bounces and
complaints come back through GOV.UK Notify's callbacks (voice_service/web/notify.py) and show on
the meeting page. Never logs an address, a subject line's fill or a body.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app

from voice_service.extensions import db
from voice_service.messaging import outreach_texts as texts
from voice_service.messaging.email import DeliveryError, email_sender, letter_sender
from voice_service.models import Invitation, Message, ScheduledMessage
from voice_service.scheduling.routes import check_address, check_email
from voice_service.store.messages import has_email_complaint

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
_REASON = 200
#: Message.error_code for an email the person reported as spam: no more email to that address.
COMPLAINT = "complaint"
BOUNCED = "bounced"


def why_not(route: str, participant) -> tuple[str, str] | None:
    """(state, reason) when an email or letter must not go after all, else None."""
    if not participant.consent:
        return "cancelled", "no consent to be contacted"
    if route == "email":
        if not check_email(participant.email).ok:
            return "cancelled", "no usable contact: no valid email address"
        if complained(participant):
            return "cancelled", "they reported an earlier email as spam: no more emails"
    if route == "letter" and not check_address(participant.postal_address).ok:
        return "cancelled", "no usable contact: no postal address"
    if route == "in_person":
        return "cancelled", "in person: the worker gives the link from the meeting page"
    return None


def complained(participant) -> bool:
    return has_email_complaint([i.id for i in participant.invitations])


def compose_email(invitation: Invitation, kind: str, link: str) -> tuple[str, str]:
    config = current_app.config
    language = invitation.language or "en"
    if kind == "eos_invite" and invitation.participant.meeting.meeting_type == "meeting_quality":
        kind = "mq_invite"  # the questionnaire after a meeting: how it went, not our work with the family
    subject = texts.email_subject(kind, language, config["SERVICE_NAME"])
    body = texts.email_body(kind, language, name=invitation.participant.display_name,
                            service=config["SERVICE_NAME"], phone=config["SERVICE_PHONE"], link=link)
    return subject, body


def _finish(row: ScheduledMessage, state: str, reason: str | None, now: datetime, due_at: datetime | None = None) -> None:
    row.state = state
    row.reason = reason[:_REASON] if reason else None
    if state == "sent":
        row.sent_at = now
    if state == "pending":
        row.claimed_by, row.claimed_at = None, None
        row.due_at = due_at or now


def send_scheduled(row: ScheduledMessage, invitation: Invitation, route: str, now: datetime) -> str:
    """Send one claimed row by email or letter; returns the dispatch outcome
    ("sent", "deferred" or "failed"). Commits."""
    from voice_service.letters import letter_data, render_letter
    from voice_service.messaging.texts import link_for

    participant = invitation.participant
    try:
        link = link_for(invitation)
        if route == "email":
            to = check_email(participant.email).address
            subject, body = compose_email(invitation, row.kind, link)
            pdf = None
        else:
            to = check_address(participant.postal_address).text
            data = letter_data(invitation, link)
            subject, pdf = None, render_letter(data)
            body = "\n".join([data.name, *data.address_lines, "", "Invitation letter (PDF)", link])
    except Exception as error:  # wording or layout problem: keep the clock going, tell staff
        log.exception("could not compose an email or letter", extra={"scheduled_message_id": row.id})
        db.session.rollback()
        _finish(row, "failed", f"could not compose the {route} ({type(error).__name__})", now)
        db.session.commit()
        return "failed"
    message = Message(direction="outbound", channel=route, invitation_id=invitation.id,
                      scheduled_message_id=row.id, to_address=to, subject=subject, body=body, status="accepted")
    db.session.add(message)
    db.session.commit()  # our id exists before the provider is called
    try:
        if route == "email":
            delivery = email_sender().send_email(to, subject, body, reference=f"fv-{message.id}")
        else:
            delivery = letter_sender().send_letter(pdf, reference=f"fv-{message.id}")
    except DeliveryError as error:
        message.status, message.error_code = "failed", error.code
        log.warning("outreach not sent", extra={"message_id": message.id, "route": route, "error": error.code})
        if error.retryable and row.attempts < MAX_ATTEMPTS:
            _finish(row, "pending", f"the {route} provider refused it for now; trying again", now,
                    due_at=now + timedelta(minutes=5 * max(row.attempts, 1)))
            db.session.commit()
            return "deferred"
        _finish(row, "failed", f"not sent: {error.reason}", now)
        if route == "email" and error.code == "refused":  # refused for good: a letter instead, if there is an address
            from voice_service.messaging.bounce import letter_after_bounce

            letter_after_bounce(invitation, now)
        db.session.commit()
        return "failed"
    message.provider_sid, message.status = delivery.provider_id, delivery.status
    reason = "ready to print: download it from the meeting page" if getattr(letter_sender(), "name", "") == "print" and route == "letter" else None
    _finish(row, "sent", reason, now)
    if row.kind in ("invite", "eos_invite", "resend") and invitation.status == "scheduled":
        invitation.status = "sent"
    db.session.commit()
    log.info("outreach sent", extra={"message_id": message.id, "route": route, "status": message.status})
    return "sent"
