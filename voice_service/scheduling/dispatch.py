"""Sending the scheduled messages that are due: claimed once, sent once, never lost.

The per-person schedule is rows in ``scheduled_message``. Every minute the clock calls
:func:`dispatch_due`, which:

1. **reconciles** rows left in ``sending`` by a clock that died mid-send (see
   :func:`reconcile_stuck`): never a blind re-send;
2. **claims** a batch of due ``pending`` rows, oldest first, by switching them to ``sending``
   under a row lock (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two clocks take different
   rows; SQLite serialises writers, and the ``state = 'pending'`` condition in the same UPDATE
   means a row is only ever claimed by one of them), and commits the claim;
3. for each claimed row, in due order: skips it if it is no longer wanted (missed, cancelled,
   outside decent hours now, too soon after another text), otherwise stores an outbound
   ``Message`` (our id exists before the provider is called), commits, sends through the
   sender, then records the provider SID and marks the row ``sent``.

A crash at any point leaves a row either ``pending`` (not sent: safe to send), ``sending``
with no ``Message`` (the provider was never called: safe to send) or ``sending`` with a
``Message`` and no SID (the provider may have it: reconciled, not re-sent).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, select, update

from voice_service.extensions import db
from voice_service.models import Invitation, Message, ScheduledMessage, utcnow
from voice_service.models.vocab import OPEN_INVITATION_STATUSES
from voice_service.scheduling.calendar import is_allowed_time, next_allowed_time
from voice_service.scheduling.contact import normalise_phone
from voice_service.scheduling.planner import Kind, is_missed
from voice_service.scheduling.service import allow_drama_numbers, is_opted_out, schedule_settings

log = logging.getLogger(__name__)

_REASON_LENGTH = 200
#: A row in ``sending`` for longer than this belongs to a clock that died.
STUCK_AFTER = timedelta(minutes=10)
#: A send that failed in a way that says it was not sent is retried this many times in all.
MAX_ATTEMPTS = 3


class Sender(Protocol):
    """What the messaging package provides (Twilio, or the dev outbox)."""

    def send(self, to_e164: str, body: str, invitation: Invitation) -> str:
        """Send one text; return the provider's message SID. Raise on failure; an exception
        with ``retryable = True`` says the provider certainly did not take the message."""


#: ``compose(row, invitation) -> body``: the words of one scheduled text (from the message
#: catalogue, in the invitation's language). Return None when there is nothing to send.
Composer = Callable[[ScheduledMessage, Invitation], "str | None"]


@dataclass
class DispatchReport:
    sent: int = 0
    closed: int = 0
    missed: int = 0
    cancelled: int = 0
    deferred: int = 0
    failed: int = 0
    reconciled: dict[str, int] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.sent + self.closed + self.missed + self.cancelled + self.deferred + self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent, "closed": self.closed, "missed": self.missed, "cancelled": self.cancelled,
            "deferred": self.deferred, "failed": self.failed, "reconciled": dict(self.reconciled),
        }


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


# --------------------------------------------------------------------------------------------
# claiming


def claim_due(now: datetime, limit: int, claimant: str) -> list[ScheduledMessage]:
    """Switch up to ``limit`` due pending rows to ``sending`` for ``claimant``; commit; return
    them oldest first. Rows another clock holds are skipped, never waited for."""
    due = (
        select(ScheduledMessage.id)
        .where(ScheduledMessage.state == "pending", ScheduledMessage.due_at <= now)
        .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite ignores it and locks the file
    )
    db.session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id.in_(due.scalar_subquery()), ScheduledMessage.state == "pending")
        .values(state="sending", claimed_by=claimant, claimed_at=now, attempts=ScheduledMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(ScheduledMessage)
            .where(ScheduledMessage.state == "sending", ScheduledMessage.claimed_by == claimant)
            .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
        )
    )


# --------------------------------------------------------------------------------------------
# reconciling after a crash


def reconcile_stuck(now: datetime, stuck_after: timedelta = STUCK_AFTER, sender: Sender | None = None) -> dict[str, int]:
    """Settle rows left in ``sending`` by a clock that stopped mid-batch.

    * no ``Message`` stored for the attempt: the provider was never called, so the row goes
      back to ``pending`` and is sent at the next tick;
    * a ``Message`` with a provider SID: it was sent, only the bookkeeping was lost: ``sent``;
    * a ``Message`` without a SID: the provider may or may not have it. If the sender can look
      it up (``sender.lookup(message) -> sid | None``) we believe it; otherwise the row is
      ``failed`` with a reason for staff, never re-sent (a second copy is worse than a call).
    """
    counts = {"requeued": 0, "confirmed_sent": 0, "uncertain": 0}
    stuck = list(
        db.session.scalars(
            select(ScheduledMessage)
            .where(ScheduledMessage.state == "sending", ScheduledMessage.claimed_at < now - stuck_after)
            .order_by(ScheduledMessage.id)
            .with_for_update(skip_locked=True)
        )
    )
    for row in stuck:
        message = db.session.scalar(
            select(Message)
            .where(Message.scheduled_message_id == row.id, Message.direction == "outbound")
            .order_by(Message.id.desc())
            .limit(1)
        )
        sid = message.provider_sid if message is not None else None
        if message is not None and sid is None and sender is not None and hasattr(sender, "lookup"):
            sid = sender.lookup(message)
            if sid:
                message.provider_sid = sid
        if message is None or (message.status == "failed" and message.provider_sid is None):
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


# --------------------------------------------------------------------------------------------
# one row


def _finish(row: ScheduledMessage, state: str, reason: str | None, now: datetime) -> None:
    row.state = state
    row.reason = reason[:_REASON_LENGTH] if reason else None
    if state == "sent":
        row.sent_at = now
    if state == "pending":
        row.claimed_by, row.claimed_at = None, None


def _last_text_sent_at(invitation_id: int) -> datetime | None:
    return db.session.scalar(
        select(Message.created_at)
        .where(
            Message.invitation_id == invitation_id,
            Message.direction == "outbound",
            Message.status != "failed",
        )
        .order_by(Message.created_at.desc())
        .limit(1)
    )


def _closes_at(invitation_id: int) -> datetime | None:
    return db.session.scalar(
        select(ScheduledMessage.due_at).where(
            ScheduledMessage.invitation_id == invitation_id,
            ScheduledMessage.kind == Kind.CLOSE.value,
            ScheduledMessage.state.in_(("pending", "sending", "sent")),
        )
    )


_ASKING = (Kind.INVITE, Kind.REMINDER, Kind.EOS_INVITE, Kind.EOS_REMINDER)


def _why_not(row: ScheduledMessage, kind: Kind, now: datetime) -> tuple[str, str] | None:
    """(state, reason) if the row should not be sent after all, else None."""
    invitation = row.invitation
    participant = invitation.participant
    meeting = participant.meeting
    if meeting.status == "cancelled":
        return "cancelled", "meeting cancelled"
    if is_missed(kind, meeting.starts_at, now, _closes_at(invitation.id)):
        return "missed", "too late: the meeting had started or the invitation had closed"
    if kind in _ASKING and invitation.status not in OPEN_INVITATION_STATUSES:
        if invitation.status == "expired":
            return "missed", "too late: the invitation had closed"
        return "cancelled", f"invitation {invitation.status.replace('_', ' ')}"
    if invitation.status in ("declined", "opted_out"):
        return "cancelled", f"invitation {invitation.status.replace('_', ' ')}"
    if is_opted_out(participant.phone_hash):
        return "cancelled", "number opted out (texted STOP)"
    if not (participant.safe_to_text and participant.consent):
        return "cancelled", "no usable contact: not marked safe to text"
    return None


def _process(row: ScheduledMessage, now: datetime, sender: Sender, compose: Composer) -> str:
    """Handle one claimed row; commit. Returns what happened: sent, closed, missed,
    cancelled, deferred or failed."""
    invitation = row.invitation
    participant = invitation.participant
    kind = Kind(row.kind)

    def done(outcome: str, state: str, reason: str | None = None) -> str:
        _finish(row, state, reason, now)
        db.session.commit()
        return outcome

    if kind is Kind.CLOSE:  # a deadline, not a text: the link stops taking answers
        if invitation.status in OPEN_INVITATION_STATUSES:
            invitation.status = "expired"
        return done("closed", "sent", "invitation closed")
    refusal = _why_not(row, kind, now)
    if refusal is not None:
        state, reason = refusal
        return done(state, state, reason)

    meeting = participant.meeting
    settings = schedule_settings().resolve(meeting.meeting_type, participant.role, participant.age_band)
    if not is_allowed_time(now, settings.quiet_rules):
        row.due_at = next_allowed_time(now, settings.quiet_rules)
        return done("deferred", "pending", "waiting for a decent hour")
    last = _last_text_sent_at(invitation.id)
    if last is not None and now - last < settings.min_gap:
        # Catching up after downtime: never two texts in a row to the same person.
        row.due_at = next_allowed_time(last + settings.min_gap, settings.quiet_rules)
        return done("deferred", "pending", "too soon after the previous text")

    phone = normalise_phone(participant.phone, allow_drama_numbers=allow_drama_numbers())
    if not phone.ok:
        return done("failed", "failed", f"no usable contact: {phone.reason}")
    try:
        body = compose(row, invitation)
    except Exception:  # wording or template problem: keep the clock running, tell staff
        log.exception("could not compose a scheduled message", extra={"scheduled_message_id": row.id})
        db.session.rollback()
        return done("failed", "failed", "could not compose the message")
    if not body:
        return done("cancelled", "cancelled", "nothing to send")

    # Our record exists, committed, before the provider is called.
    message = Message(
        direction="outbound", channel="whatsapp" if invitation.channel == "whatsapp" else "sms",
        invitation_id=invitation.id, scheduled_message_id=row.id, phone_hash=participant.phone_hash,
        to_address=phone.e164, body=body, status="accepted", created_at=now,
    )
    db.session.add(message)
    db.session.commit()
    try:
        sid = sender.send(phone.e164, body, invitation)
    except Exception as error:  # the provider refused, or we cannot tell
        db.session.rollback()
        retryable = bool(getattr(error, "retryable", False))
        message.status = "failed"
        message.error_code = str(getattr(error, "code", "") or type(error).__name__)[:16]
        log.warning(
            "send failed",
            extra={"scheduled_message_id": row.id, "attempts": row.attempts, "error": message.error_code},
        )
        if retryable and row.attempts < MAX_ATTEMPTS:
            row.due_at = now + timedelta(minutes=5 * row.attempts)
            return done("deferred", "pending", "the text provider refused it for now; trying again")
        if retryable:
            return done("failed", "failed", "the text provider refused it")
        return done("failed", "failed", "sending failed: it may have been sent, so it was not sent again")
    message.provider_sid = sid
    message.status = "queued"
    if kind in (Kind.INVITE, Kind.EOS_INVITE) and invitation.status == "scheduled":
        invitation.status = "sent"
    log.info("scheduled message sent", extra={"scheduled_message_id": row.id, "message_id": message.id})
    return done("sent", "sent")


# --------------------------------------------------------------------------------------------
# the job


def dispatch_due(
    sender: Sender,
    compose: Composer,
    now: datetime | None = None,
    batch_size: int = 200,
    max_rows: int = 10_000,
    claimant: str | None = None,
    stuck_after: timedelta = STUCK_AFTER,
) -> DispatchReport:
    """Send everything due (up to ``max_rows`` per call), oldest first. Safe to run in several
    processes at once and to run again after a crash."""
    now = now or utcnow()
    report = DispatchReport(reconciled=reconcile_stuck(now, stuck_after, sender))
    base = claimant or worker_name()
    while report.handled < max_rows:
        batch = claim_due(now, min(batch_size, max_rows - report.handled), f"{base}:{uuid.uuid4().hex[:8]}")
        if not batch:
            break
        for row in batch:
            try:
                outcome = _process(row, now, sender, compose)
            except Exception:  # never let one bad row stop the clock; the row is reconciled later
                db.session.rollback()
                log.exception("dispatch failed for a row", extra={"scheduled_message_id": row.id})
                outcome = "failed"
            setattr(report, outcome, getattr(report, outcome) + 1)
    if report.handled or report.reconciled:
        log.info("dispatch finished", extra=report.as_dict())
    return report


def close_expired_invitations(now: datetime | None = None) -> int:
    """Mark open invitations past their expiry as expired. Returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        update(Invitation)
        .where(and_(Invitation.status.in_(OPEN_INVITATION_STATUSES), Invitation.expires_at <= now))
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0


__all__ = [
    "Composer",
    "DispatchReport",
    "Sender",
    "claim_due",
    "close_expired_invitations",
    "dispatch_due",
    "reconcile_stuck",
]
