"""Delivery status callbacks: a message's status only ever moves forward.

Twilio posts queued, sending, sent, delivered (and read on WhatsApp), or failed / undelivered,
in any order and sometimes twice. Under a lock on the message row the new status is kept only
when it ranks above the stored one (vocab.MESSAGE_STATUS_RANK; failed and undelivered are
final). Error codes are kept. An invitation whose text failed is flagged for staff follow-up
(Invitation.delivery_failed), shown on the meeting page.
"""
from __future__ import annotations

import logging
import re


from voice_service.extensions import db
from voice_service.messaging.inbound import SID_PATTERN
from voice_service.messaging.senders import TWILIO_OPTED_OUT, advance_status
from voice_service.store.invitations import invitation_by_id
from voice_service.store.messages import lock_message, message_id_with_sid, record_opt_out
from voice_service.vocab import MESSAGE_STATUS_RANK

log = logging.getLogger(__name__)

FAILED = ("failed", "undelivered")


class StatusError(ValueError):
    """Not a status callback we can read (the webhook answers 400)."""


def apply_callback(form) -> bool:
    """Record one status callback. Returns True when the stored status moved forward.

    An unknown SID (a message we did not send, or one already erased) is acknowledged and
    ignored. Commits.
    """
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    error_code = (form.get("ErrorCode") or "").strip() or None
    if not SID_PATTERN.match(sid):
        raise StatusError("MessageSid is missing or not a Twilio message SID")
    if status not in MESSAGE_STATUS_RANK:
        raise StatusError("MessageStatus is missing or not a Twilio message status")
    if error_code is not None and not re.fullmatch(r"\d{1,16}", error_code):
        raise StatusError("ErrorCode must be a number")
    message_id = message_id_with_sid(sid)
    if message_id is None:
        log.info("status callback for a message we do not hold", extra={"status": status})
        return False
    message = lock_message(message_id)
    moved = advance_status(message, status, error_code if status in FAILED or error_code else None)
    if moved and message.status in FAILED and message.invitation_id is not None and message.direction == "outbound":
        invitation = invitation_by_id(message.invitation_id)
        if invitation is not None:
            invitation.delivery_failed = True
    if error_code == str(TWILIO_OPTED_OUT) and message.phone_hash:
        record_opt_out(message.phone_hash, error_code)
    db.session.commit()
    log.info("delivery status", extra={"message_id": message.id, "status": message.status, "moved": moved,
                                       "error": message.error_code})
    return moved
