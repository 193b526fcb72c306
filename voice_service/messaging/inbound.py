"""A text arrives: store it, then answer it. Called by the /sms/inbound webhook (and so by the
dev simulator, which posts through the same webhook).

1. The raw message, keyed by the provider's MessageSid (unique), is committed in one
   transaction with everything it leads to, or on its own if answering fails; a retry of the
   same message gets the reply stored on it and records nothing twice, also when the retries
   arrive at the same moment (receive() says how, on each database).
2. Carrier keywords (STOP..., START, HELP) before anything else; then the person's open
   invitations, found by the keyed hash of their number and locked; then the conversation
   engine with the invitation's stored state; answers saved through answers.save_answer
   (analysis and safeguarding alerts included); the state, the reply and the answers are
   committed together; the duty team is told of any alert after the commit.
3. The reply is returned for the TwiML response.

Never logs a number or a message body: ids only.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Text, bindparam, func, or_, select, type_coerce, update
from sqlalchemy.exc import IntegrityError

from voice_service import advocacy, conversation
from voice_service.answers import notify, save_answer
from voice_service.conversation import _t
from voice_service.crypto import keyring, phone_hash
from voice_service.database import (
    WriteAttempted, begin_writing, reads_only, sqlite_writer_turn, writers_take_turns,
)
from voice_service.extensions import db
from voice_service.invitations import mark_completed, mark_opened
from voice_service.messaging import keywords
from voice_service.messaging.senders import is_opted_out, record_opt_out, remove_opt_out
from voice_service.messaging.texts import fill, meeting_time_label, service_info, survey_for
from voice_service.models import (
    Answer, Invitation, Meeting, Message, OptOut, Participant, SafeguardingAlert, utcnow,
)
from voice_service.models.vocab import OPEN_INVITATION_STATUSES
from voice_service.plain_flush import (
    PreparedWrite, StaleRow, flush_plainly, insert_row, insert_row_with_pending, prepare_insert_with_pending,
)

log = logging.getLogger(__name__)

SID_PATTERN = re.compile(r"^[A-Za-z0-9]{2,64}$")
TEXT_CHANNELS = ("sms", "whatsapp")
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
    from voice_service.scheduling.contact import normalise_phone

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


def _raw_values(inbound: Inbound) -> dict:
    return dict(
        direction="inbound", channel=inbound.channel, provider_sid=inbound.sid,
        phone_hash=inbound.hashed,
        from_address=inbound.from_address, to_address=inbound.to_address, body=inbound.body, status="received",
        reply_body=None, invitation_id=None,
    )


def store(inbound: Inbound) -> int:
    """Store the raw message on its own (committed) and return its id; an existing row for the
    SID is reused. The path for a message whose answering failed, and for tests."""
    try:
        message_id = _insert_message(_raw_values(inbound))
        db.session.commit()
        return message_id
    except IntegrityError:  # a retry of a message we already hold
        db.session.rollback()
        existing = db.session.scalar(select(Message.id).where(Message.provider_sid == inbound.sid))
        if existing is None:  # pragma: no cover - the constraint said it exists
            raise
        return existing


def lock_message(message_id: int) -> Message:
    """The row as an object, locked until commit: FOR UPDATE on PostgreSQL; on SQLite the write
    takes the database's single write lock, and the read after it sees the latest commit."""
    db.session.execute(update(Message).where(Message.id == message_id).values(updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    return db.session.scalars(
        select(Message).where(Message.id == message_id).with_for_update().execution_options(populate_existing=True)
    ).one()


def claim(message_id: int) -> str | None:
    """Lock the stored row until commit; return the reply already given (None: not answered yet).

    One statement on both databases: the UPDATE takes PostgreSQL's row lock (a concurrent
    delivery of the same message waits here) and SQLite's write lock, and RETURNING reads the
    row as the lock holder sees it.
    """
    row = db.session.execute(
        update(Message).where(Message.id == message_id).values(updated_at=utcnow())
        .returning(Message.reply_body)
        .execution_options(synchronize_session=False)
    ).one()
    return row.reply_body


# The reply and the invitation it went to, on the stored message (built once; see _OPEN_INVITATIONS).
_ANSWERED = (
    update(Message).where(Message.id == bindparam("for_message"))
    .values(reply_body=bindparam("b_reply"), invitation_id=bindparam("b_invitation"))
    .execution_options(synchronize_session=False)
)


def receive(form) -> str:
    """Store and answer one inbound message. Returns the reply ("" for none). Idempotent.

    The raw message is committed together with everything it leads to (answers, state, alerts,
    the reply): one short transaction, so a text costs one commit. If answering fails, the raw
    message is still committed on its own before the error goes on. Its unique MessageSid keeps
    a second delivery of the same message from recording anything twice.

    The message row is written last, with its reply (on PostgreSQL in the same statement as
    the answers and the invitation's state). Texts from one number are answered one at a time:
    on PostgreSQL the person's invitations are read FOR UPDATE; on SQLite the writes are made
    in turn (sqlite_writer_turn) in a transaction that begins with the write lock (BEGIN
    IMMEDIATE), after a decision taken outside the turn (_receive_deciding_first). A second
    delivery of a message waits on those locks or on the unique index, fails to insert, and is
    answered again from the stored reply (_receive_again).
    """
    inbound = parse(form)
    if writers_take_turns():
        return _receive_deciding_first(inbound)
    return _receive(inbound)


def _receive(inbound: Inbound) -> str:
    """Read, decide and write in one transaction that holds the locks from its first read."""
    def answer_and_commit() -> str:
        begin_writing()  # SQLite: the write lock first, so what is read next is the latest
        received, alerts = _Received(inbound.hashed), []
        return _write_and_commit(received, inbound, _answer(received, inbound, alerts), alerts)

    return _settled(inbound, answer_and_commit)


def _receive_deciding_first(inbound: Inbound) -> str:
    """SQLite: read and decide outside the writer's turn, so that texts are answered side by
    side and only their writes queue; then, in the turn, write if nothing that was read has
    moved since (the invitation's update is guarded by its updated_at as read; with several
    open, a query checks them all and the opt-out first), or read and decide again in the turn.
    A decision that writes on the way (STOP, START, an answer replacing an earlier one, a finished
    survey re-planning its reminders) is not taken outside: it is taken again in the turn.
    The writes' statements are worked out before the turn too (defaults, encryption): the turn,
    which every text waits for, holds only the statements and the commit."""
    received, alerts = _Received(inbound.hashed), []
    try:
        with reads_only():
            reply = _answer(received, inbound, alerts)
            # one invitation read: its update itself checks the row is as read (no extra query)
            unless_changed = {invitation: {"updated_at": updated_at} for invitation, updated_at in received.seen.items()}
            prepared = None if received.invitation_id is None else prepare_insert_with_pending(
                db.session, Message.__table__, _message_values(inbound, reply, received), unless_changed=unless_changed)
    except WriteAttempted:
        db.session.rollback()
        with sqlite_writer_turn():
            return _receive(inbound)
    except Exception:
        db.session.rollback()
        with sqlite_writer_turn():
            message_id = store(inbound)
        log.exception("inbound message kept but not answered", extra={"message_id": message_id})
        raise

    def write_and_commit() -> str | None:
        begin_writing()
        if len(received.seen) > 1 and not _still_as_read(received):
            db.session.rollback()
            return None
        try:
            return _write_and_commit(received, inbound, reply, alerts, unless_changed, prepared)
        except StaleRow:
            db.session.rollback()
            return None

    with sqlite_writer_turn():
        written = _settled(inbound, write_and_commit)
        if written is None:  # another text or a staff change moved the invitation meanwhile
            log.info("inbound message decided again in the writer's turn")
            return _receive(inbound)
        return written


# What a text read, checked again before its writes (built once)
_AS_READ = select(
    Invitation.id, Invitation.updated_at,
    select(OptOut.id).where(OptOut.phone_hash == bindparam("hashed")).exists().label("opted_out"),
).where(Invitation.id.in_(bindparam("ids", expanding=True)))


def _still_as_read(received: "_Received") -> bool:
    seen = {invitation.id: updated_at for invitation, updated_at in received.seen.items()}
    rows = db.session.connection().execute(_AS_READ, {"hashed": received.phone_hash, "ids": list(seen)}).all()
    return len(rows) == len(seen) and all(
        seen[row.id] == row.updated_at and row.opted_out == received.opted_out for row in rows)


def _settled(inbound: Inbound, answer_and_commit) -> str | None:
    """Run what answers and commits a text. If it fails, nothing it wrote stays but the text."""
    try:
        return answer_and_commit()
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


def _insert_message(values: dict) -> int:
    return insert_row(db.session, Message.__table__, values)


def _receive_again(inbound: Inbound) -> str:
    """The slow path, with the message committed first: find or store the row, lock it, and
    give the reply it already has or answer it now (any error now goes to the caller)."""
    message_id = store(inbound)
    reply = claim(message_id)
    if reply is not None:  # a retry: the same reply, nothing recorded twice
        db.session.commit()
        log.info("inbound retry answered from the stored reply", extra={"message_id": message_id})
        return reply
    received, alerts = _Received(inbound.hashed, message_id), []
    try:
        return _write_and_commit(received, inbound, _answer(received, inbound, alerts), alerts)
    except Exception:
        db.session.rollback()
        log.exception("inbound message kept but not answered", extra={"message_id": message_id})
        raise


def _message_values(inbound: Inbound, reply: str, received: "_Received") -> dict:
    return _raw_values(inbound) | {"reply_body": reply, "invitation_id": received.invitation_id}


def _write_and_commit(received: "_Received", inbound: Inbound, reply: str, alerts: list[SafeguardingAlert],
                      unless_changed: dict | None = None, prepared: PreparedWrite | None = None) -> str:
    # Core, not the ORM's unit of work, which cost more than the writes themselves on this path
    if prepared is not None:  # worked out before SQLite's writer's turn
        received.id = prepared.run(db.session.connection())
        prepared.written(db.session)
    elif received.id is None:  # written last, with its reply, and the answers and state with it
        received.id = insert_row_with_pending(
            db.session, Message.__table__, _message_values(inbound, reply, received), unless_changed=unless_changed)
    else:
        flush_plainly(db.session, unless_changed=unless_changed)
        db.session.connection().execute(_ANSWERED, {"for_message": received.id, "b_reply": reply, "b_invitation": received.invitation_id})
    if received.invitation_id is None:  # no questions took it: still read it for a disclosure
        from voice_service.answers import flag_text_without_answer

        alert = flag_text_without_answer(received.id, inbound.body)
        if alert is not None:
            alerts.append(alert)
    db.session.commit()
    log.info("inbound message answered", extra={"message_id": received.id, "invitation_id": received.invitation_id})
    _replan_after_stop_or_start(inbound, received)
    for alert in alerts:
        notify(alert)
    return reply


def _replan_after_stop_or_start(inbound: Inbound, received: "_Received") -> None:
    """STOP or START, once committed: cancel (or plan again) that number's pending texts now,
    so staff see it at once rather than when each text falls due. The dispatcher checks
    opt-outs again before every text, so a failure here loses nothing."""
    if received.phone_hash is None or inbound.keyword not in ("opt_out", "opt_in"):
        return
    from voice_service.scheduling.service import plan_phone_messages

    try:
        plan_phone_messages(received.phone_hash)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not re-plan texts after an opt-out or opt-in", extra={"message_id": received.id})


@dataclass
class _Received:
    phone_hash: str | None
    id: int | None = None  # the stored message's id, once written
    invitation_id: int | None = None
    seen: dict[Invitation, datetime] = field(default_factory=dict)  # the open invitations read -> updated_at
    opted_out: bool | None = None  # as read with them


# Wording -------------------------------------------------------------------------------------

def _generic(language: str = "en") -> str:
    return _t("Thank you for your message. We cannot answer it here. If you need to talk to someone, call {phone}.",
              language, phone=service_info().phone)


def _opted_out_reply(language: str = "en") -> str:
    return _t("You will get no more texts from {service}. Reply START to get them again.",
              language, service=service_info().name)


def _opted_in_reply(language: str = "en") -> str:
    return _t("Thank you. You will get texts from {service} again. Reply STOP to stop them.",
              language, service=service_info().name)


# Answering -----------------------------------------------------------------------------------

# Built once with bind parameters: SQLAlchemy then neither builds nor hashes the statement
# again for every text (that was half the cost of this query).
_OPEN_INVITATIONS = (
    select(
        Invitation,
        select(OptOut.id).where(OptOut.phone_hash == bindparam("hashed")).exists().label("opted_out"),
        # the questions that have a current answer: saving a first answer then needs no
        # statement retiring the one before (a race with the web form meets the unique index)
        select(func.aggregate_strings(Answer.question_id, " "))
        .where(Answer.invitation_id == Invitation.id, Answer.is_current.is_(True))
        .scalar_subquery().label("answered"),
        # what a text needs of the person and the meeting, as plain values: building their
        # objects too cost more than the rest of the read (they load on use, rarely needed).
        # The name as stored (encrypted): opened only for free text, which it is taken out of.
        type_coerce(Participant.display_name, Text).label("sealed_name"), Meeting.starts_at,
    )
    .join(Invitation.participant)
    .join(Participant.meeting)
    .where(
        Participant.phone_hash == bindparam("hashed"),
        # equalities, not IN (...): SQLAlchemy renders an IN list again on every execution
        or_(*(Invitation.channel == channel for channel in TEXT_CHANNELS)),
        or_(*(Invitation.status == status for status in OPEN_INVITATION_STATUSES)),
        Invitation.expires_at > bindparam("now"),
        Meeting.status != "cancelled",
    )
    .order_by(Meeting.starts_at, Invitation.id)
    .with_for_update(of=Invitation)
)


class OpenInvitation(NamedTuple):
    invitation: Invitation
    opted_out: bool  # the number has opted out (the same for every row)
    answered: set[str]  # question ids with a current answer
    sealed_name: str  # the participant's name, encrypted as stored
    starts_at: datetime  # the meeting's

    def display_name(self) -> str:
        """The participant's name, so the analysis can take it out of free text."""
        return keyring.decrypt(self.sealed_name)


def open_invitations(hashed: str, now: datetime | None = None) -> list[OpenInvitation]:
    """The number's invitations that take answers by text, soonest meeting first, each with
    whether the number has opted out (one round trip). Locks the invitations until commit."""
    rows = db.session.execute(_OPEN_INVITATIONS, {"hashed": hashed, "now": now or utcnow()})
    return [OpenInvitation(row[0], bool(row[1]), set((row[2] or "").split()), row[3], row[4]) for row in rows]


def _answer(received: _Received, inbound: Inbound, alerts: list) -> str:
    hashed = received.phone_hash
    word = inbound.keyword
    if word == "opt_out" and hashed:
        record_opt_out(hashed, keywords.keyword(inbound.body), commit=False)
        return _opted_out_reply()
    if word == "opt_in" and hashed:
        remove_opt_out(hashed, commit=False)
        return _opted_in_reply()
    if hashed is None:
        return conversation.help_text(service=service_info()) if word == "help" else _generic()
    rows = open_invitations(hashed)
    received.seen = {row.invitation: row.invitation.updated_at for row in rows}
    received.opted_out = rows[0].opted_out if rows else None
    if (rows[0].opted_out if rows else is_opted_out(hashed)):
        # They asked for no texts: the message is kept, nothing is sent back (Twilio would block it).
        return ""
    if not rows:
        return conversation.help_text(service=service_info()) if word == "help" else _generic()
    chosen = _choose(rows, inbound.body)
    if isinstance(chosen, str):
        return chosen  # a question: which set of questions first?
    received.invitation_id = chosen.invitation.id
    return _converse(chosen, inbound, alerts, others=[row for row in rows if row is not chosen])


def _choose(rows: list[OpenInvitation], body: str) -> OpenInvitation | str:
    """The invitation this message is for, or the question asking which (neutral: by date)."""
    active = [row for row in rows if conversation.is_active(row.invitation.conversation_state)]
    if active:
        return max(active, key=lambda row: (row.invitation.updated_at, row.invitation.id))
    if len(rows) == 1:
        return rows[0]
    candidates = [row.invitation for row in rows]
    labels = [meeting_time_label(row.starts_at) for row in rows]
    language = candidates[0].language or "en"
    if any(isinstance(i.conversation_state, dict) and i.conversation_state.get("choosing") for i in candidates):
        picked = conversation.parse_choice(body, len(candidates))
        if picked is not None:
            for other in candidates:
                if other is not candidates[picked]:
                    other.conversation_state = None
            candidates[picked].conversation_state = None
            return rows[picked]
    for i in candidates:
        i.conversation_state = {"choosing": True}
    return conversation.choice_prompt(labels, language)


def _converse(row: OpenInvitation, inbound: Inbound, alerts: list, others: list[OpenInvitation]) -> str:
    invitation = row.invitation
    survey = survey_for(invitation, language="en")
    if survey is None:
        log.error("inbound text for an invitation whose survey is not loaded", extra={"invitation_id": invitation.id})
        return _generic()
    info = service_info()
    state = invitation.conversation_state
    if conversation.is_active(state) or (isinstance(state, dict) and state.get("finished")):
        turn = conversation.handle(survey, state, inbound.body, service=info)
    else:
        turn = conversation.start(survey, invitation.language or "en", service=info)
        mark_opened(invitation)
    flagged: list = []
    for stored in turn.store:
        question = survey.question(stored.question_id)
        answer = save_answer(
            invitation, stored.question_id, value=stored.value, free_text=stored.free_text, skipped=stored.skipped,
            channel=inbound.channel, question_text=question.wording.sms if question else None,
            provider_message_id=inbound.sid, alerts=alerts, commit=False,
            # Each text is a new answer: a second delivery of the same text never gets here (its
            # MessageSid is stored), so there is no double submission to look for.
            current=None, answered=row.answered, known_names=[row.display_name()] if stored.free_text else [],
        )
        if answer.safeguarding_flag:
            flagged.append(answer)
        if question is not None and question.kind == "visibility" and not stored.skipped:
            invitation.visibility = stored.value
        if question is not None and question.kind == "advocate":
            chosen = set(stored.value or []) if not stored.skipped else set()
            invitation.advocate_requested = "advocate" in chosen
            invitation.speak_to_chair_alone = "speak_to_chair" in chosen
            advocacy.follow_choice(invitation)
    invitation.conversation_state = dict(turn.state)
    if turn.finished and "finished" in turn.events:
        mark_completed(invitation)
    reply = turn.reply
    if flagged:
        signpost = localised_sms(invitation, "safeguarding_reply")
        if signpost:
            reply = signpost + "\n\n" + reply
    if "finished" in turn.events and others:
        reply += "\n\n" + _t("You have another set of questions, for the meeting on {date}. Reply to start.",
                             invitation.language or "en", date=meeting_time_label(others[0].starts_at))
    return reply


def localised_sms(invitation: Invitation, kind: str) -> str | None:
    survey = survey_for(invitation)
    if survey is None or kind not in survey.sms:
        return None
    info = service_info()
    return fill(survey.sms[kind], {"service": info.name, "phone": info.phone})
