"""Sending the scheduled messages that are due: claimed once, sent once, never lost.

The per-person schedule is rows in ``scheduled_message``. Every minute the clock calls
:func:`dispatch_due`, which:

1. **reconciles** rows left in ``sending`` by a clock that died mid-send (see
   :func:`voice_service.scheduling.recovery.reconcile_stuck`): never a blind re-send;
2. **claims** a batch of due ``pending`` rows, oldest first, by switching them to ``sending``
   under a row lock (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two clocks take different
   rows; SQLite serialises writers, and the ``state = 'pending'`` condition in the same UPDATE
   means a row is only ever claimed by one of them), and commits the claim;
3. decides each claimed row, in due order: no longer wanted (missed, cancelled), outside
   decent hours now or too soon after another text (deferred), or to be sent; then sends the
   texts one at a time. Each text's outbound ``Message`` (our id) is committed before the
   provider is called, together with the previous text's SID and ``sent`` state, so at most
   one text per clock is ever in doubt. On PostgreSQL that is one statement per text (see
   :class:`_Recorder`), on one connection kept for the run.

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

from sqlalchemy import Connection

from voice_service.extensions import db
from voice_service.models import Invitation, ScheduledMessage, utcnow
from voice_service.store.invitations import expire_past_due, invitations_with_people
from voice_service.store.messages import last_text_times, opted_out_among
from voice_service.store.scheduled import (
    claimed_by, close_times, mark_due_claimed, text_result_statements,
)
from voice_service.store.you_said import follow_up_answered
from voice_service.vocab import OPEN_INVITATION_STATUSES
from voice_service.scheduling.calendar import is_allowed_time, next_allowed_time
from voice_service.messaging.phone import normalise_phone
from voice_service.scheduling.planner import Kind, is_missed
from voice_service.messaging import outreach
from voice_service.scheduling.recovery import STUCK_AFTER, reconcile_stuck
from voice_service.scheduling.routes import TEXT_ROUTES
from voice_service.scheduling.service import allow_drama_numbers, route_for, schedule_settings

log = logging.getLogger(__name__)

_REASON_LENGTH = 200
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
    mark_due_claimed(now, limit, claimant)
    db.session.commit()
    return claimed_by(claimant)


# --------------------------------------------------------------------------------------------
# one row


def _finish(row: ScheduledMessage, state: str, reason: str | None, now: datetime) -> None:
    row.state = state
    row.reason = reason[:_REASON_LENGTH] if reason else None
    if state == "sent":
        row.sent_at = now
    if state == "pending":
        row.claimed_by, row.claimed_at = None, None


_ASKING = (Kind.INVITE, Kind.REMINDER, Kind.EOS_INVITE, Kind.EOS_REMINDER, Kind.RESEND)


class _Batch:
    """What the rows of one claimed batch need, read in a few queries rather than per row."""

    def __init__(self, rows: list[ScheduledMessage]) -> None:
        invitation_ids = {row.invitation_id for row in rows}
        self.invitations = invitations_with_people(invitation_ids)
        self.opted_out = opted_out_among(i.participant.phone_hash for i in self.invitations.values()
                                         if i.participant.phone_hash)
        self.closes_at = close_times(invitation_ids)
        # The last text that went (or may have gone) to each invitation: never two in a row.
        self.last_text_at = last_text_times(invitation_ids)
        self.settings = schedule_settings()
        self.allow_drama_numbers = allow_drama_numbers()
        self.routes = {i.id: route_for(i.participant) for i in self.invitations.values()}


def _why_not(row: ScheduledMessage, kind: Kind, invitation: Invitation, batch: _Batch, now: datetime):
    """(state, reason) if the row should not be sent after all, else None."""
    participant = invitation.participant
    meeting = participant.meeting
    if meeting.status == "cancelled":
        return "cancelled", "meeting cancelled"
    if is_missed(kind, meeting.starts_at, now, batch.closes_at.get(invitation.id)):
        return "missed", "too late: the meeting had started or the invitation had closed"
    if kind in _ASKING and invitation.status not in OPEN_INVITATION_STATUSES:
        if invitation.status == "expired":
            return "missed", "too late: the invitation had closed"
        return "cancelled", f"invitation {invitation.status.replace('_', ' ')}"
    if invitation.status in ("declined", "opted_out"):
        return "cancelled", f"invitation {invitation.status.replace('_', ' ')}"
    route = batch.routes[invitation.id]
    if route not in TEXT_ROUTES:
        return outreach.why_not(route, participant)
    if participant.phone_hash in batch.opted_out:
        return "cancelled", "number opted out (texted STOP)"
    if not (participant.safe_to_text and participant.consent):
        return "cancelled", "no usable contact: not marked safe to text"
    if kind is Kind.YOU_SAID_FOLLOW_UP and follow_up_answered(invitation.id):
        return "cancelled", "already told us whether it happened"
    return None


@dataclass
class _Send:
    row: ScheduledMessage
    invitation: Invitation
    kind: Kind
    to_e164: str | None
    body: str
    route: str = "sms"


def _decide(row: ScheduledMessage, now: datetime, compose: Composer, batch: _Batch) -> str | _Send:
    """What to do with one claimed row: a _Send, or the outcome already written to the row
    (closed, missed, cancelled, deferred or failed; committed with the batch)."""
    invitation = batch.invitations[row.invitation_id]
    participant = invitation.participant
    kind = Kind(row.kind)

    def outcome(name: str, state: str, reason: str | None = None) -> str:
        _finish(row, state, reason, now)
        return name

    if kind is Kind.CLOSE:  # a deadline, not a text: the link stops taking answers
        if invitation.status in OPEN_INVITATION_STATUSES:
            invitation.status = "expired"
        return outcome("closed", "sent", "invitation closed")
    refusal = _why_not(row, kind, invitation, batch, now)
    if refusal is not None:
        state, reason = refusal
        return outcome(state, state, reason)

    meeting = participant.meeting
    settings = batch.settings.resolve(meeting.meeting_type, participant.role, participant.age_band)
    route = batch.routes[invitation.id]
    if route not in TEXT_ROUTES:  # email and letters: no quiet hours, their own sender
        return _Send(row, invitation, kind, None, "", route)
    if not is_allowed_time(now, settings.quiet_rules):
        row.due_at = next_allowed_time(now, settings.quiet_rules)
        return outcome("deferred", "pending", "waiting for a decent hour")
    last = batch.last_text_at.get(invitation.id)
    if last is not None and now - last < settings.min_gap:
        # Catching up after downtime: never two texts in a row to the same person.
        row.due_at = next_allowed_time(last + settings.min_gap, settings.quiet_rules)
        return outcome("deferred", "pending", "too soon after the previous text")

    phone = normalise_phone(participant.phone, allow_drama_numbers=batch.allow_drama_numbers)
    if not phone.ok:
        return outcome("failed", "failed", f"no usable contact: {phone.reason}")
    try:
        body = compose(row, invitation)
    except Exception as error:  # wording or template problem: keep the clock running, tell staff
        log.exception("could not compose a scheduled message", extra={"scheduled_message_id": row.id})
        return outcome("failed", "failed", f"could not compose the message ({type(error).__name__})")
    if not body:
        return outcome("cancelled", "cancelled", "nothing to send")
    batch.last_text_at[invitation.id] = now
    return _Send(row, invitation, kind, phone.e164, body)


def _certainly_not_sent(error: Exception) -> bool:
    """A refusal before the provider was called, or the provider's own answered refusal."""
    try:
        from voice_service.messaging.senders import ProviderRejected, SendRefused
    except ImportError:  # pragma: no cover - messaging is part of the app
        return False
    return isinstance(error, (SendRefused, ProviderRejected))


@dataclass
class _Result:
    """What one provider call came to: written to the database with the next text's Message."""

    send: _Send
    message_id: int
    outcome: str                 # sent | deferred | failed
    message_values: dict[str, Any]
    row_values: dict[str, Any]


def _row_values(state: str, reason: str | None, now: datetime, due_at: datetime | None = None) -> dict[str, Any]:
    """The columns :func:`_finish` would set, for a Core UPDATE."""
    values: dict[str, Any] = {"state": state, "reason": reason[:_REASON_LENGTH] if reason else None, "updated_at": now}
    if state == "sent":
        values["sent_at"] = now
    if state == "pending":
        values.update(claimed_by=None, claimed_at=None)
    if due_at is not None:
        values["due_at"] = due_at
    return values


def _call_provider(send: _Send, message_id: int, now: datetime, sender: Sender) -> _Result:
    """Call the provider for one text whose Message is already committed; say what to record."""
    row = send.row
    try:
        sid = sender.send(send.to_e164, send.body, send.invitation)
    except Exception as error:  # the provider refused, or we cannot tell
        db.session.rollback()  # whatever the sender left half-done
        retryable = bool(getattr(error, "retryable", False))
        code = str(getattr(error, "code", "") or type(error).__name__)[:16]
        log.warning("send failed", extra={"scheduled_message_id": row.id, "attempts": row.attempts, "error": code})
        failed = {"status": "failed", "error_code": code}
        if retryable and row.attempts < MAX_ATTEMPTS:
            values = _row_values("pending", "the text provider refused it for now; trying again", now,
                                 due_at=now + timedelta(minutes=5 * row.attempts))
            return _Result(send, message_id, "deferred", failed, values)
        if retryable or _certainly_not_sent(error):
            why = getattr(error, "reason", None) or "the text provider refused it"
            return _Result(send, message_id, "failed", failed, _row_values("failed", f"not sent: {why}", now))
        reason = "sending failed: it may have been sent, so it was not sent again"
        return _Result(send, message_id, "failed", failed, _row_values("failed", reason, now))
    db.session.commit()  # what the sender recorded itself (the messaging package's senders commit their own)
    return _Result(send, message_id, "sent", {"provider_sid": sid}, _row_values("sent", None, now))


class _Recorder:
    """Writes each text's result together with the next text's Message, on one connection kept
    for the whole run.

    On PostgreSQL that is ONE statement per text, in autocommit (a single statement is atomic):
    the previous text's SID and ``sent`` state (data-modifying CTEs) and the INSERT of the next
    text's Message. On SQLite the same statements run as one short transaction. Either way the
    next Message is committed before its provider call, with the previous result. The statements
    are store.scheduled's, built once per shape and reused with parameters; the connection and
    when it commits are the dispatcher's.
    """

    def __init__(self) -> None:
        self.connection: Connection | None = None
        self.postgres = False

    def _connect(self) -> Connection:
        if self.connection is None or self.connection.closed or self.connection.invalidated:
            engine = db.session.get_bind()
            self.postgres = engine.dialect.name == "postgresql"
            connection = engine.connect()
            if self.postgres:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            self.connection = connection
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def write(self, result: _Result | None, following: _Send | None, now: datetime) -> int | None:
        """Record ``result`` and store ``following``'s Message; return the new Message id."""
        if result is None and following is None:
            return None
        connection = self._connect()
        params: dict[str, Any] = {"now": now}
        shape = None
        if result is not None:
            invitation_sent = result.outcome == "sent" and result.send.kind in (Kind.INVITE, Kind.EOS_INVITE)
            shape = (tuple(sorted(result.message_values)), tuple(sorted(result.row_values)), invitation_sent)
            params.update({f"m_{k}": v for k, v in result.message_values.items()}, m_id=result.message_id)
            params.update({f"r_{k}": v for k, v in result.row_values.items()}, r_id=result.send.row.id)
            params["i_id"] = result.send.invitation.id
        if following is not None:
            invitation = following.invitation
            params.update(
                n_channel="whatsapp" if invitation.channel == "whatsapp" else "sms", n_invitation_id=invitation.id,
                n_scheduled_message_id=following.row.id, n_phone_hash=invitation.participant.phone_hash,
                n_to_address=following.to_e164, n_body=following.body,
            )
        statements = text_result_statements(shape, following is not None, self.postgres)
        try:
            new_id = None
            for statement in statements:
                outcome = connection.execute(statement, params)
                if statement.is_insert:
                    new_id = outcome.scalar_one()
            if not self.postgres:
                connection.commit()
        except Exception:
            connection.rollback()
            raise
        return new_id


def _process_batch(rows: list[ScheduledMessage], now: datetime, sender: Sender, compose: Composer,
                   report: DispatchReport, recorder: _Recorder) -> None:
    """Decide every row, commit the decisions, then send one text at a time.

    Each text's ``Message`` is committed before its provider call, in the same statement as the
    previous text's result, so a clock that dies leaves at most one text in doubt.
    """
    session = db.session()
    keep_loaded = session.expire_on_commit
    # Our rows are locked to us (state 'sending'); re-reading every object after each commit
    # would cost a dozen queries a message.
    session.expire_on_commit = False
    sends: list[_Send] = []
    try:
        try:
            batch = _Batch(rows)
            for row in rows:
                decision = _decide(row, now, compose, batch)
                if isinstance(decision, _Send):
                    sends.append(decision)
                else:
                    setattr(report, decision, getattr(report, decision) + 1)
            db.session.commit()
        except Exception:
            # Nothing was handed to the provider: the rows stay 'sending' and are requeued
            # by recovery.reconcile_stuck (and given up after MAX_CLAIMS if the fault is in the row).
            db.session.rollback()
            raise
        # Email and letters first, each committed on its own (see messaging/outreach.py).
        for send in [s for s in sends if s.route not in TEXT_ROUTES]:
            outcome = outreach.send_scheduled(send.row, send.invitation, send.route, now)
            setattr(report, outcome, getattr(report, outcome) + 1)
        sends = [s for s in sends if s.route in TEXT_ROUTES]
        result: _Result | None = None
        for index in range(len(sends) + 1):
            following = sends[index] if index < len(sends) else None
            try:
                message_id = recorder.write(result, following, now)
            except Exception:  # a database error: leave the rest 'sending' for reconcile
                recorder.close()
                stopped_at = following if following is not None else result.send  # type: ignore[union-attr]
                log.exception("dispatch stopped in a batch", extra={"scheduled_message_id": stopped_at.row.id})
                # The text just handed to the provider (its SID unrecorded) and those not sent.
                report.failed += len(sends) - index + (result is not None)
                return
            if result is not None:
                setattr(report, result.outcome, getattr(report, result.outcome) + 1)
            if following is not None:
                result = _call_provider(following, message_id, now, sender)
    finally:
        # The rows and invitations were written around the session: read them afresh next time.
        for send in sends:
            session.expire(send.row)
            session.expire(send.invitation)
        session.expire_on_commit = keep_loaded


def dispatch_due(
    sender: Sender,
    compose: Composer,
    now: datetime | None = None,
    batch_size: int = 50,
    max_rows: int = 10_000,
    claimant: str | None = None,
    stuck_after: timedelta = STUCK_AFTER,
) -> DispatchReport:
    """Send everything due (up to ``max_rows`` per call), oldest first. Safe to run in several
    processes at once and to run again after a crash.

    ``now`` fixes the time for tests; by default each batch reads the clock afresh, so a long
    catch-up stops at 20:00 and its claims never look stale to another clock. A batch must
    finish well within ``stuck_after``: keep ``batch_size`` times the sender's timeout under it.
    """
    clock = (lambda: now) if now is not None else utcnow
    report = DispatchReport(reconciled=reconcile_stuck(clock(), stuck_after, sender))
    base = claimant or worker_name()
    recorder = _Recorder()
    try:
        while report.handled < max_rows:
            batch_now = clock()
            limit = min(batch_size, max_rows - report.handled)
            batch = claim_due(batch_now, limit, f"{base}:{uuid.uuid4().hex[:8]}")
            if not batch:
                break
            _process_batch(batch, batch_now, sender, compose, report, recorder)
    finally:
        recorder.close()
    if report.handled or report.reconciled:
        log.info("dispatch finished", extra=report.as_dict())
    return report


def close_expired_invitations(now: datetime | None = None) -> int:
    """Mark open invitations past their expiry as expired. Returns how many."""
    now = now or utcnow()
    closed = expire_past_due(now)
    db.session.commit()
    return closed


__all__ = [
    "Composer",
    "DispatchReport",
    "Sender",
    "claim_due",
    "close_expired_invitations",
    "dispatch_due",
]
