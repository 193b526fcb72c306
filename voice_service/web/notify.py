"""GOV.UK Notify's callbacks: delivery receipts (emails and letters) and email complaints.

Notify POSTs JSON with ``Authorization: Bearer <NOTIFY_CALLBACK_TOKEN>`` (the access policy
checks it). We match the notification on its id (our Message.provider_sid) or our reference
(``fv-<message id>``). Statuses only move forward; a permanent failure is a bounce, a complaint
stops further email to that person. Both show on the meeting page. Nothing of the body is logged.
"""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from voice_service.extensions import csrf, db
from voice_service.messaging.bounce import letter_after_bounce
from voice_service.messaging.outreach import BOUNCED, COMPLAINT
from voice_service.messaging.senders import advance_status
from voice_service.store.invitations import invitation_by_id
from voice_service.store.messages import lock_outbound_by_provider_ref

bp = Blueprint("notify", __name__, url_prefix="/notify")
csrf.exempt(bp)  # no cookies: every call carries its bearer token
log = logging.getLogger(__name__)

#: Notify's statuses -> ours (vocab.MESSAGE_STATUSES) and an error code for staff.
STATUSES = {
    "sending": ("sending", None), "created": ("queued", None), "accepted": ("queued", None),
    "delivered": ("delivered", None), "received": ("delivered", None),  # a letter: posted
    "permanent-failure": ("failed", BOUNCED), "temporary-failure": ("failed", "temporary"),
    "technical-failure": ("failed", "technical"), "validation-failed": ("failed", "validation"),
    "cancelled": ("failed", "cancelled"), "pending-virus-check": ("queued", None), "virus-scan-failed": ("failed", "virus_scan"),
}


@bp.post("/callback")
def callback():
    """One delivery receipt or one complaint. 200 when recorded or unknown (so Notify does not
    retry for ever), 400 for a body that is neither."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="the body must be a JSON object"), 400
    complaint = "complaint_id" in data
    status = data.get("status")
    if not complaint and status not in STATUSES:
        return jsonify(error="neither a delivery receipt (status) nor a complaint (complaint_id)"), 400
    message = lock_outbound_by_provider_ref(data.get("notification_id") if complaint else data.get("id"), data.get("reference"))
    if message is None:
        db.session.rollback()
        log.info("notify callback for an unknown notification")
        return jsonify(recorded=False), 200
    if complaint:
        message.error_code = COMPLAINT
        log.warning("email complaint recorded", extra={"message_id": message.id})
    else:
        ours, code = STATUSES[status]
        advance_status(message, ours, code)
        if code == BOUNCED and message.invitation_id:
            invitation = invitation_by_id(message.invitation_id)
            invitation.delivery_failed = True
            if message.channel == "email":
                letter_after_bounce(invitation)
        log.info("notify delivery receipt", extra={"message_id": message.id, "status": message.status})
    db.session.commit()
    return jsonify(recorded=True), 200
