"""Settling scheduled messages left in ``sending`` by a clock that died mid-send.

:func:`voice_service.scheduling.dispatch.dispatch_due` calls :func:`reconcile_stuck` before it
claims anything. The rule is never a blind re-send: a second copy of a text is worse than a
missing one, so a message the provider may already have is marked failed, not sent again.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from voice_service.extensions import db
from voice_service.store.messages import latest_outbound_for_scheduled
from voice_service.store.scheduled import stuck_in_sending

log = logging.getLogger(__name__)

#: A row in ``sending`` for longer than this belongs to a clock that died.
STUCK_AFTER = timedelta(minutes=10)
#: A row whose dispatch keeps dying before the provider is called is given up after this many claims.
MAX_CLAIMS = 5


def reconcile_stuck(now: datetime, stuck_after: timedelta = STUCK_AFTER, sender: object | None = None) -> dict[str, int]:
    """Settle rows left in ``sending`` by a clock that stopped mid-batch.

    * no ``Message`` stored for the attempt: the provider was never called, so the row goes
      back to ``pending`` and is sent at the next tick;
    * a ``Message`` with a provider SID: it was sent, only the bookkeeping was lost: ``sent``;
    * a ``Message`` without a SID: the provider may or may not have it. If the sender can look
      it up (``sender.lookup(message) -> sid | None``) we believe it (found: ``sent``; not
      found: back to ``pending``); otherwise the row is ``failed`` with a reason for staff,
      never re-sent (a second copy is worse than a missing one).
    * a row that keeps being requeued (``MAX_CLAIMS`` claims) is ``failed``: something about
      it stops the dispatcher, and it must not hold up the others for ever.
    """
    counts = {"requeued": 0, "confirmed_sent": 0, "uncertain": 0, "given_up": 0}
    for row in stuck_in_sending(now - stuck_after):
        message = latest_outbound_for_scheduled(row.id)
        sid = message.provider_sid if message is not None else None
        provider_says_no = False
        if message is not None and sid is None and sender is not None and hasattr(sender, "lookup"):
            sid = sender.lookup(message)
            if sid:
                message.provider_sid = sid
            else:
                provider_says_no, message.status = True, "failed"
        never_handed_over = (
            message is None
            or provider_says_no
            or (message.status == "failed" and message.provider_sid is None)
        )
        if never_handed_over and row.attempts >= MAX_CLAIMS:
            row.state, row.reason = "failed", "dispatch kept stopping on this message; it was not sent"
            counts["given_up"] += 1
        elif never_handed_over:
            row.state, row.claimed_by, row.claimed_at = "pending", None, None
            counts["requeued"] += 1
        elif sid:
            row.state, row.sent_at = "sent", message.created_at
            row.reason = "confirmed sent after an interrupted dispatch"
            counts["confirmed_sent"] += 1
        else:
            row.state = "failed"
            row.reason = "interrupted while sending: it may have been sent, so it was not sent again"
            message.status = "failed"
            counts["uncertain"] += 1
        log.warning("reconciled a stuck scheduled message", extra={"scheduled_message_id": row.id, "state": row.state})
    db.session.commit()
    return {k: v for k, v in counts.items() if v}


__all__ = ["MAX_CLAIMS", "STUCK_AFTER", "reconcile_stuck"]
