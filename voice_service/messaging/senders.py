"""Sending texts: Twilio in production, the dev outbox everywhere else.

Every text we send is a `Message` row first: the row is committed (so our id exists) before the
provider is called, then the provider's SID and status are recorded on it. Delivery then moves
forward through status callbacks (voice_service.messaging.status).

- `get_sender(app)`: the Twilio sender when TWILIO_ACCOUNT_SID is set (or SMS_SENDER=twilio),
  otherwise the dev outbox (SMS_SENDER=outbox forces it; production refuses the outbox).
- `send_message(invitation, body, kind=...)`: THE way to text a respondent about an invitation
  (the scheduler's dispatcher calls it). See its docstring for the contract.
- `Sender.send(to, body, invitation=None, message=None)`: a lower-level send of one text to a
  number (the duty team's alert SMS uses it); it too records a Message row first.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import requests
from flask import Flask, current_app

from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.messaging.segments import sms_segments
from voice_service.messaging.texts import HARD_SEGMENT_LIMIT, SCHEDULED_TO_SMS_KIND, survey_for
from voice_service.models import Invitation, Message, ScheduledMessage
from voice_service.store.messages import is_opted_out, recent_unsent_outbound, record_opt_out
from voice_service.vocab import MESSAGE_STATUS_RANK

log = logging.getLogger(__name__)

#: Twilio: "Attempt to send to unsubscribed recipient" (the number texted STOP to our sender).
TWILIO_OPTED_OUT = 21610


class SendError(Exception):
    """A text was not sent (or may not have been). `code` says why, for staff and the logs.

    `retryable` is True only when the provider certainly did not take the text and trying again
    later may work (a refused connection, Twilio's 429). `message` is our Message row (status
    "failed", error_code = code), when one was stored.
    """

    retryable = False

    def __init__(self, code: str, reason: str, *, message: Message | None = None, retryable: bool | None = None):
        super().__init__(reason)
        self.code = str(code)[:16]
        self.reason = reason
        self.message = message
        if retryable is not None:
            self.retryable = retryable


class SendRefused(SendError):
    """We refused before calling the provider: opted out, not safe to text, no usable number,
    or a text the survey does not declare / longer than it declares. Never retryable."""


class ProviderRejected(SendError):
    """The provider answered and refused (e.g. Twilio 21610 opted out, 21211 invalid number)."""


class ProviderUnavailable(SendError):
    """The provider could not be reached, or its answer was lost; `retryable` says whether it
    certainly did not get the text."""


@dataclass(frozen=True)
class Delivery:
    sid: str
    status: str


# Senders -------------------------------------------------------------------------------------

class Sender:
    """Base: `send` keeps the record; subclasses implement `deliver` (the provider call only)."""

    name = "sender"

    def __init__(self, app: Flask):
        self.public_base_url = app.config["PUBLIC_BASE_URL"]

    @property
    def status_callback(self) -> str:
        return self.public_base_url + "/sms/status"

    def deliver(self, to: str, body: str, *, channel: str) -> Delivery:  # pragma: no cover - interface
        raise NotImplementedError

    def send(self, to: str, body: str, invitation: Invitation | None = None, *, message: Message | None = None,
             channel: str | None = None) -> str:
        """Send `body` to the E.164 number `to`; return the provider's message SID.

        Stores (and commits) a Message row first unless `message` is given, or the caller already
        committed an unsent row for this invitation, number and body (then that row is used).
        Honours opt-outs.
        Raises SendError (see its subclasses) when the text was not sent; the row then says why.
        """
        channel = channel or (message.channel if message is not None else None) or (
            "whatsapp" if invitation is not None and invitation.channel == "whatsapp" else "sms")
        hashed = phone_hash(to)
        if message is None and invitation is not None:
            message = _unsent_row(invitation, to, body)
        if message is None:
            encoding, segments, _ = sms_segments(body)
            message = Message(
                direction="outbound", channel=channel, invitation_id=invitation.id if invitation else None,
                phone_hash=hashed, to_address=to, body=body, segments=segments, status="accepted",
            )
            db.session.add(message)
            db.session.commit()
        if is_opted_out(hashed):
            _fail(message, "opted_out")
            raise SendRefused("opted_out", "the number texted STOP", message=message)
        try:
            delivery = self.deliver(to, body, channel=channel)
        except SendError as error:
            _fail(message, error.code)
            error.message = message
            if error.code == str(TWILIO_OPTED_OUT):
                record_opt_out(hashed, "21610")
                db.session.commit()
            log.warning("text not sent", extra={"message_id": message.id, "error": error.code})
            raise
        message.provider_sid = delivery.sid
        advance_status(message, delivery.status)
        db.session.commit()
        log.info("text sent", extra={"message_id": message.id, "sender": self.name, "status": message.status})
        return delivery.sid


class OutboxSender(Sender):
    """Development: nothing leaves the machine. The Message row is the outbox (/dev/outbox)."""

    name = "outbox"

    def deliver(self, to: str, body: str, *, channel: str) -> Delivery:
        return Delivery("OX" + uuid.uuid4().hex, "delivered")


class TwilioSender(Sender):
    """The official `twilio` client: a Messaging Service SID (preferred) or a From number, and a
    status callback on every message. TWILIO_API_BASE_URL points it elsewhere (a Prism mock)."""

    name = "twilio"

    def __init__(self, app: Flask, client=None):
        super().__init__(app)
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        config = app.config
        self.messaging_service_sid = config.get("TWILIO_MESSAGING_SERVICE_SID")
        self.from_number = config.get("TWILIO_FROM")
        if client is None:
            client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"],
                            http_client=TwilioHttpClient(timeout=15))
        if config.get("TWILIO_API_BASE_URL"):
            client.api.base_url = config["TWILIO_API_BASE_URL"].rstrip("/")
        self.client = client

    def deliver(self, to: str, body: str, *, channel: str) -> Delivery:
        from twilio.base.exceptions import TwilioRestException

        address = f"whatsapp:{to}" if channel == "whatsapp" else to
        options: dict = {"to": address, "body": body, "status_callback": self.status_callback}
        if self.messaging_service_sid:
            options["messaging_service_sid"] = self.messaging_service_sid
        elif self.from_number:
            options["from_"] = f"whatsapp:{self.from_number}" if channel == "whatsapp" else self.from_number
        else:
            raise SendRefused("no_sender", "set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM")
        try:
            created = self.client.messages.create(**options)
        except TwilioRestException as error:
            code = error.code or error.status
            retryable = error.status == 429
            if error.status == 503:
                # Twilio's 503 (20503): temporarily unavailable, request not taken; retry with back-off.
                raise ProviderUnavailable(str(code), "Twilio was busy and did not take the text",
                                          retryable=True) from None
            if error.status and error.status >= 500:
                # A 500 on sending is not safe to retry (Twilio: the person may get it twice).
                raise ProviderUnavailable(str(code), "Twilio had a server error: it may have the text",
                                          retryable=False) from None
            raise ProviderRejected(str(code), f"Twilio refused the text (HTTP {error.status})",
                                   retryable=retryable) from None
        except requests.exceptions.ConnectTimeout:
            raise ProviderUnavailable("connection", "Twilio could not be reached", retryable=True) from None
        except requests.exceptions.ConnectionError as error:
            # A connection never made certainly delivered nothing; one dropped mid-request might have.
            certain = "NewConnectionError" in repr(error) or "Failed to establish" in str(error)
            raise ProviderUnavailable("connection", "the connection to Twilio failed", retryable=certain) from None
        except requests.exceptions.Timeout:
            raise ProviderUnavailable("timeout", "no answer from Twilio: it may have the text", retryable=False) from None
        return Delivery(created.sid, created.status or "queued")


def get_sender(app: Flask | None = None) -> Sender:
    """The Twilio sender when an account SID is configured, otherwise the dev outbox.

    SMS_SENDER = "twilio" or "outbox" forces one; production settings refuse "outbox".
    The sender is built once per app (app.extensions["sms_sender"]); tests may replace it there.
    """
    app = app or current_app._get_current_object()
    sender = app.extensions.get("sms_sender")
    if sender is None:
        choice = app.config.get("SMS_SENDER") or "auto"
        if choice == "twilio" or (choice == "auto" and app.config.get("TWILIO_ACCOUNT_SID")):
            sender = TwilioSender(app)
        else:
            if app.config.get("ENV_NAME") == "production":
                raise RuntimeError("the dev outbox is never used in production: set TWILIO_ACCOUNT_SID")
            sender = OutboxSender(app)
        app.extensions["sms_sender"] = sender
    return sender


# Records -------------------------------------------------------------------------------------

def advance_status(message: Message, status: str | None, error_code: str | None = None) -> bool:
    """Move `message.status` forward only (vocab.MESSAGE_STATUS_RANK); keep an error code.

    Returns True when the status changed. The caller holds the row lock and commits.
    """
    if error_code and not message.error_code:
        message.error_code = str(error_code)[:16]
    if not status:
        return False
    status = status.lower()
    new_rank = MESSAGE_STATUS_RANK.get(status)
    if new_rank is None:
        return False
    if new_rank <= MESSAGE_STATUS_RANK.get(message.status, 0):
        return False
    message.status = status
    return True


def _unsent_row(invitation: Invitation, to: str, body: str) -> Message | None:
    """The caller's own committed row for this text, when it stored one and did not pass it
    (the scheduler's dispatcher does): the newest accepted, unsent row with this body and number."""
    for row in recent_unsent_outbound(invitation.id):
        if row.body == body and row.to_address == to:
            if row.segments is None:
                row.segments = sms_segments(body)[1]
            return row
    return None


def _fail(message: Message, code: str) -> None:
    message.status = "failed"
    message.error_code = code[:16]
    db.session.commit()


# The one function the scheduler calls ---------------------------------------------------------

def send_message(invitation: Invitation, body: str, *, kind: str,
                 scheduled_message: ScheduledMessage | None = None, sender: Sender | None = None) -> Message:
    """Text the invitation's participant `body` (already composed, see messaging.texts).

    Contract:
    1. A Message row (outbound, our id) is stored and COMMITTED before anything else, linked to
       the invitation and `scheduled_message`, with the segment count.
    2. Refused without calling the provider, raising `SendRefused` (never retryable), when: the
       number texted STOP (code "opted_out"); the participant is not marked safe to text or has
       not consented ("not_safe"); there is no usable mobile number ("no_phone"); `kind` is not a
       text the survey declares ("not_declared"); the text is longer than the survey declares for
       `kind` ("too_long").
    3. Otherwise sent through the app's sender (Twilio or the dev outbox). On success the row
       has the provider SID and status ("queued" from Twilio, "delivered" from the outbox) and is
       returned; an invite moves a "scheduled" invitation to "sent".
    4. A provider refusal raises `ProviderRejected` (error 21610 also opts the number out, so no
       later text is tried); an unreachable provider raises `ProviderUnavailable`. Check
       `error.retryable`: True only when the provider certainly did not take the text.
    In every failure the row has status "failed" and `error_code` = `error.code`, and
    `error.message` is the row. Commits; never logs the number or the body.
    """
    from voice_service.messaging.phone import normalise_phone

    sender = sender or get_sender()
    participant = invitation.participant
    encoding, segments, _ = sms_segments(body or "")
    check = normalise_phone(participant.phone, allow_drama_numbers=bool(current_app.config.get("ALLOW_DRAMA_NUMBERS")))
    message = Message(
        direction="outbound", channel="whatsapp" if invitation.channel == "whatsapp" else "sms",
        invitation_id=invitation.id, scheduled_message_id=scheduled_message.id if scheduled_message else None,
        phone_hash=phone_hash(check.e164) if check.ok else participant.phone_hash,
        to_address=check.e164 or participant.phone, body=body, segments=segments, status="accepted",
    )
    db.session.add(message)
    db.session.commit()

    def refuse(code: str, reason: str) -> SendRefused:
        _fail(message, code)
        log.info("text refused", extra={"message_id": message.id, "invitation_id": invitation.id, "code": code})
        return SendRefused(code, reason, message=message)

    if is_opted_out(message.phone_hash) or is_opted_out(participant.phone_hash):
        raise refuse("opted_out", "the number texted STOP")
    if not (participant.safe_to_text and participant.consent):
        raise refuse("not_safe", "not marked safe to text")
    if not check.ok:
        raise refuse("no_phone", f"no usable number: {check.reason}")
    limit = declared_segments(invitation, kind)
    if limit is None:
        raise refuse("not_declared", f"the survey declares no '{kind}' text")
    if not body or segments > limit:
        raise refuse("too_long", f"{segments} segments ({encoding}); the survey declares at most {limit}")
    sender.send(check.e164, body, invitation, message=message)
    if kind in ("invite", "eos_invite") and invitation.status == "scheduled":
        invitation.status = "sent"
        db.session.commit()
    return message


def declared_segments(invitation: Invitation, kind: str) -> int | None:
    """How many segments the invitation's survey allows for `kind`; None when it declares no such text."""
    sms_kind = SCHEDULED_TO_SMS_KIND.get(kind, kind)
    survey = survey_for(invitation)
    if survey is None or sms_kind not in survey.sms:
        return None
    return min(int(survey.sms_max_segments.get(sms_kind, 1)), HARD_SEGMENT_LIMIT)
