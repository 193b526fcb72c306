"""An email that cannot be delivered (a hard bounce from GOV.UK Notify, or an SMTP server that
refuses the address) falls back to a letter, so the person is still invited.

The participant's route becomes "letter" when their postal address is usable; the open invitation
is sent again (a "resend" row due now, which the dispatcher sends by the new route). With no usable
address nothing is scheduled: the bounce shows on the meeting page and the worker gives the link in
person. Never logs an address.
"""
from __future__ import annotations

import logging
from datetime import datetime

from voice_service import audit
from voice_service.models import Invitation, ScheduledMessage, utcnow
from voice_service.scheduling.routes import check_address
from voice_service.store.scheduled import add_resend, has_pending_resend
from voice_service.vocab import OPEN_INVITATION_STATUSES

log = logging.getLogger(__name__)


def letter_after_bounce(invitation: Invitation, now: datetime | None = None) -> ScheduledMessage | None:
    """Switch this person to letters and send the invitation again by letter; None when there is
    no usable postal address or the invitation is closed. The caller commits."""
    now = now or utcnow()
    participant = invitation.participant
    if not participant.consent or not check_address(participant.postal_address).ok:
        return None
    participant.route = "letter"
    if invitation.status not in OPEN_INVITATION_STATUSES or invitation.expires_at <= now:
        return None
    if has_pending_resend(invitation.id):
        return None  # already going again (by letter now that the route has changed)
    row = add_resend(invitation.id, now)
    audit.record(None, "email_bounced_letter_scheduled", invitation, {"scheduled_message_id": row.id}, at=now)
    log.info("email bounced: invitation goes again by letter", extra={"invitation_id": invitation.id})
    return row
