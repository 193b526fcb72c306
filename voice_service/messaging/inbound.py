"""A text arrives: store it, read it for risk, answer it. Called by the /sms/inbound webhook (and
so by the dev simulator, which posts through the same webhook). Read top to bottom:

1. `parse` reads Twilio's form fields (400 for a request that cannot be a message).
2. `receive` runs one transaction per message: the raw message row (its unique MessageSid
   keeps a retry from recording anything twice), then `_respond`: carrier keywords (STOP...,
   START, HELP; recorded by `voice_service.store.messages`), the person's open invitations
   (found by the keyed hash of their number and locked: `store.invitations.open_invitations`), the choice between two of them, and the engine's turn applied through
   `voice_service.turns.apply_turn`, the one function every conversation channel uses. Whatever
   the state, the words are read for risk (`voice_service.safety_net`) before the reply.
3. The reply is stored on the message and committed with everything else; then the duty team is
   told of any alert, and STOP or START re-plans that number's texts.

A retry of a message we hold (also three at once), or a race lost to the web form answering the
same question, meets a unique index and is answered again by `_receive_again`, from the stored
reply when there is one. On SQLite the transaction begins with the write lock (BEGIN IMMEDIATE),
so what it reads is the latest; on PostgreSQL the invitations it reads are locked FOR UPDATE.
Never logs a number or a message body: ids only.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.exc import IntegrityError

from voice_service import conversation, safety_net, turns
from voice_service.conversation import translate
from voice_service.crypto import phone_hash
from voice_service.database import begin_writing
from voice_service.extensions import db
from voice_service.messaging import keywords
from voice_service.messaging.texts import meeting_time_label, service_info, survey_for
from voice_service.models import Invitation, Message
from voice_service.store.invitations import open_invitations
from voice_service.store.messages import claim, message_by_id, message_id_with_sid, record_opt_out, remove_opt_out

log = logging.getLogger(__name__)

SID_PATTERN = re.compile(r"^[A-Za-z0-9]{2,64}$")
MAX_BODY = 20_000  # far beyond any SMS chain; a longer body is cut, never refused


class InboundError(ValueError):
    """The request is not a message we can read (the webhook answers 400 with this text)."""


@dataclass(frozen=True)
class Inbound:
    sid: str
    channel: str  # sms | whatsapp
    e164: str | None  # None when the From address is not a number we accept
    from_address: str
    to_address: str
    body: str
    hashed: str | None  # the keyed hash of e164, worked out once per text
    keyword: str | None  # keywords.classify(body): "opt_out", "opt_in", "help" or None


def parse(form) -> Inbound:
    """Read Twilio's form fields; raise InboundError for a request that cannot be a message."""
    from voice_service.messaging.phone import normalise_phone

    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    if not SID_PATTERN.match(sid):
        raise InboundError("MessageSid is missing or not a Twilio message SID")
    sender = (form.get("From") or "").strip()
    if not sender or len(sender) > 64:
        raise InboundError("From is missing or too long")
    channel = "whatsapp" if sender.lower().startswith("whatsapp:") else "sms"
    check = normalise_phone(sender, allow_drama_numbers=bool(current_app.config.get("ALLOW_DRAMA_NUMBERS")))
    body = (form.get("Body") or "")[:MAX_BODY]
    hashed = phone_hash(check.e164) if check.e164 else None
    return Inbound(sid, channel, check.e164, sender, (form.get("To") or "")[:64], body, hashed, keywords.classify(body))


def receive(form) -> str:
    """Store, read and answer one inbound message in one transaction. Returns the reply ("" for
    none). Idempotent on the MessageSid; if answering fails, the raw message is still kept."""
    inbound = parse(form)
    try:
        begin_writing()  # SQLite: the write lock first, so what is read next is the latest
        message = Message(**_raw_values(inbound))
        outcome = _respond(message, inbound)
        message.reply_body = outcome.reply
        db.session.add(message)  # written with its reply (earlier if an alert refers to it)
        db.session.flush()  # a retry of a message we hold fails here, on the unique SID
        message_id = message.id
        db.session.commit()
    except IntegrityError:
        # A message we hold already (a retry, or one whose answering failed), or a race lost
        # to another window answering the same question: answer it again, stored first.
        db.session.rollback()
        return _receive_again(inbound)
    except Exception:
        db.session.rollback()
        message_id = store(inbound)  # never lose what a person sent; a retry will answer it
        log.exception("inbound message kept but not answered", extra={"message_id": message_id})
        raise
    _after_commit(message_id, inbound, outcome)
    return outcome.reply


def _receive_again(inbound: Inbound) -> str:
    """The slow path, with the message committed first: find or store the row, lock it, and
    give the reply it already has or answer it now (any error now goes to the caller)."""
    message_id = store(inbound)
    reply = claim(message_id)
    if reply is not None:  # a retry: the same reply, nothing recorded twice
        db.session.commit()
        log.info("inbound retry answered from the stored reply", extra={"message_id": message_id})
        return reply
    try:
        message = message_by_id(message_id)
        outcome = _respond(message, inbound)
        message.reply_body = outcome.reply
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("inbound message kept but not answered", extra={"message_id": message_id})
        raise
    _after_commit(message_id, inbound, outcome)
    return outcome.reply


def _raw_values(inbound: Inbound) -> dict:
    return dict(
        direction="inbound", channel=inbound.channel, provider_sid=inbound.sid, phone_hash=inbound.hashed,
        from_address=inbound.from_address, to_address=inbound.to_address, body=inbound.body, status="received",
    )


def store(inbound: Inbound) -> int:
    """Store the raw message on its own (committed) and return its id; an existing row for the
    SID is reused. The path for a message whose answering failed, and for retries."""
    try:
        message = Message(**_raw_values(inbound))
        db.session.add(message)
        db.session.commit()
        return message.id
    except IntegrityError:  # a retry of a message we already hold
        db.session.rollback()
        existing = message_id_with_sid(inbound.sid)
        if existing is None:  # pragma: no cover - the constraint said it exists
            raise
        return existing


# Responding ----------------------------------------------------------------------------------

@dataclass
class _Outcome:
    reply: str
    risk: safety_net.Risk


def _respond(message: Message, inbound: Inbound) -> _Outcome:
    """What the message leads to, in this transaction, and the reply. Every door reads the words
    for risk: an alert a turn's answers did not raise is raised on the message itself."""
    reply, applied = _answer(message, inbound)
    if applied is not None:
        risk = applied.risk
    else:  # no questions took the words (a keyword, a stranger, after STOP, a choice...)
        risk = safety_net.read_for_risk(inbound.body, message=message, phone_hash=inbound.hashed)
    if not reply:  # opted out: nothing is sent back (the carrier would block it), the alert stands
        return _Outcome(reply, risk)
    return _Outcome(safety_net.reply_with_care(reply, risk, invitation=message.invitation), risk)


def _answer(message: Message, inbound: Inbound) -> tuple[str, turns.Applied | None]:
    hashed, word = inbound.hashed, inbound.keyword
    if word == "opt_out" and hashed:
        record_opt_out(hashed, keywords.keyword(inbound.body))
        return _opted_out_reply(), None
    if word == "opt_in" and hashed:
        remove_opt_out(hashed)
        return _opted_in_reply(), None
    invitations, opted_out = open_invitations(hashed) if hashed else ([], False)
    if opted_out:
        # They asked for no texts: the message is kept (and read), nothing is sent back.
        return "", None
    if not invitations:
        return (conversation.help_text(service=service_info()) if word == "help" else _generic()), None
    chosen = _choose(invitations, inbound.body)
    if isinstance(chosen, str):
        return chosen, None  # a question: which set of questions first?
    message.invitation = chosen
    others = [i for i in invitations if i is not chosen]
    return _converse(chosen, message, inbound, others)


def _choose(invitations: list[Invitation], body: str) -> Invitation | str:
    """The invitation this message is for, or the question asking which (neutral: by date)."""
    active = [i for i in invitations if conversation.is_active(i.conversation_state)]
    if active:
        return max(active, key=lambda i: (i.updated_at, i.id))
    if len(invitations) == 1:
        return invitations[0]
    labels = [meeting_time_label(i.participant.meeting.starts_at) for i in invitations]
    if any(isinstance(i.conversation_state, dict) and i.conversation_state.get("choosing") for i in invitations):
        picked = conversation.parse_choice(body, len(invitations))
        if picked is not None:
            for other in invitations:
                other.conversation_state = None
            return invitations[picked]
    for i in invitations:
        i.conversation_state = {"choosing": True}
    return conversation.choice_prompt(labels, invitations[0].language or "en")


def _converse(invitation: Invitation, message: Message, inbound: Inbound,
              others: list[Invitation]) -> tuple[str, turns.Applied | None]:
    survey = survey_for(invitation, language="en")
    if survey is None:
        log.error("inbound text for an invitation whose survey is not loaded", extra={"invitation_id": invitation.id})
        return _generic(), None
    turn = turns.next_turn(survey, invitation, inbound.body, service_info())
    applied = turns.apply_turn(invitation, survey, turn, words=inbound.body, channel=inbound.channel,
                               message=message, wording="sms")
    reply = turn.reply
    if "finished" in turn.events and others:
        reply += "\n\n" + translate("You have another set of questions, for the meeting on {date}. Reply to start.",
                             invitation.language or "en", date=meeting_time_label(others[0].participant.meeting.starts_at))
    return reply, applied


def _after_commit(message_id: int, inbound: Inbound, outcome: _Outcome) -> None:
    log.info("inbound message answered", extra={"message_id": message_id})
    safety_net.notify_all(outcome.risk)
    if inbound.hashed is not None and inbound.keyword in ("opt_out", "opt_in"):
        _replan_after_stop_or_start(message_id, inbound.hashed)


def _replan_after_stop_or_start(message_id: int, hashed: str) -> None:
    """STOP or START, once committed: cancel (or plan again) that number's pending texts now,
    so staff see it at once rather than when each text falls due. The dispatcher checks
    opt-outs again before every text, so a failure here loses nothing."""
    from voice_service.scheduling.service import plan_phone_messages

    try:
        plan_phone_messages(hashed)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not re-plan texts after an opt-out or opt-in", extra={"message_id": message_id})


# Wording -------------------------------------------------------------------------------------

def _generic(language: str = "en") -> str:
    return translate("Thank you for your message. We cannot answer it here. If you need to talk to someone, call {phone}.",
              language, phone=service_info().phone)


def _opted_out_reply(language: str = "en") -> str:
    return translate("You will get no more texts from {service}. Reply START to get them again.",
              language, service=service_info().name)


def _opted_in_reply(language: str = "en") -> str:
    return translate("Thank you. You will get texts from {service} again. Reply STOP to stop them.",
              language, service=service_info().name)
