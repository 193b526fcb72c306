"""Development only: the SMS simulator and the outbox of messages that would have been sent.

Registered only when DEV_PAGES is on (never in production), under the "dev only" policy.

- /dev/sms: pick a demo participant's phone (or type any number) and text the service as that
  phone. The message is signed with TWILIO_AUTH_TOKEN against PUBLIC_BASE_URL exactly as Twilio
  signs it and posted to /sms/inbound through the app's full request stack (the same webhook
  code path, signature check included). The page shows that phone's conversation.
- /dev/outbox and /dev/outbox.json: every outbound text, email and letter the outbox holds (to,
  subject, body, time, invitation, status, and `channel`: sms, whatsapp, email or letter); a
  letter's PDF at /dev/outbox/letters/<message id>.pdf.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea, GovTextInput
from sqlalchemy import select
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.forms.base import ServiceForm
from voice_service.messaging.signature import sign
from voice_service.messaging.texts import meeting_time_label
from voice_service.models import Invitation, Meeting, Message, Participant, ScheduledMessage, utcnow
from voice_service.vocab import OPEN_INVITATION_STATUSES, ROLES

bp = Blueprint("dev", __name__, url_prefix="/dev")

MAX_SIMULATED_BODY = 1600  # Twilio's limit for one (concatenated) message


class SimulatorForm(ServiceForm):
    phone = StringField("Phone number", widget=GovTextInput(),
                        description="A demo number from the list, or any number to see what a stranger gets")
    channel = RadioField("Send as", choices=[SelectChoice("sms", "SMS"), SelectChoice("whatsapp", "WhatsApp")], default="sms",
                         widget=GovRadioInput())
    body = TextAreaField("Message", widget=GovTextArea(),
                         description="Try an answer, SKIP, BACK, ?, HELP, STOP or START")

    def validate_phone(self, field) -> None:
        check = _normalise(field.data)
        if not check.ok:
            raise ValidationError(f"Enter a UK mobile number, like 07700 900123 ({check.reason})")

    def validate_body(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Enter a message")
        if len(field.data) > MAX_SIMULATED_BODY:
            raise ValidationError(f"Message must be {MAX_SIMULATED_BODY} characters or fewer")


def _normalise(raw):
    from voice_service.messaging.phone import normalise_phone

    return normalise_phone(raw, allow_drama_numbers=bool(current_app.config.get("ALLOW_DRAMA_NUMBERS")))


@dataclass(frozen=True)
class DemoPhone:
    phone: str
    name: str
    role: str
    meeting: str
    channel: str


def demo_phones() -> list[DemoPhone]:
    """Participants with an invitation open for answers by text (SMS or WhatsApp), soonest first."""
    rows = db.session.execute(
        select(Participant, Invitation, Meeting)
        .join(Invitation, Invitation.participant_id == Participant.id)
        .join(Meeting, Participant.meeting_id == Meeting.id)
        .where(Invitation.channel.in_(("sms", "whatsapp")), Invitation.status.in_(OPEN_INVITATION_STATUSES),
               Invitation.expires_at > utcnow(), Participant.phone.is_not(None), Meeting.status != "cancelled")
        .order_by(Meeting.starts_at, Participant.id)
    ).all()
    seen: set[str] = set()
    phones = []
    for participant, invitation, meeting in rows:
        if participant.phone in seen:
            continue
        seen.add(participant.phone)
        phones.append(DemoPhone(participant.phone, participant.display_name, ROLES.get(participant.role, participant.role),
                                meeting_time_label(meeting.starts_at), invitation.channel))
    return phones


@dataclass(frozen=True)
class Bubble:
    who: str  # "service" | "person"
    text: str
    at: datetime
    note: str = ""


def conversation_for(e164: str) -> list[Bubble]:
    """Everything sent to and received from this number, oldest first (replies after their message)."""
    hashed = phone_hash(e164)
    bubbles: list[Bubble] = []
    for message in db.session.scalars(select(Message).where(Message.phone_hash == hashed).order_by(Message.id)):
        if message.direction == "outbound":
            note = "" if message.status != "failed" else f"not sent: {message.error_code}"
            bubbles.append(Bubble("service", message.body or "", message.created_at, note))
        else:
            bubbles.append(Bubble("person", message.body or "", message.created_at))
            if message.reply_body:
                bubbles.append(Bubble("service", message.reply_body, message.created_at, "reply"))
            elif message.reply_body == "":
                bubbles.append(Bubble("service", "", message.created_at, "no reply (the number texted STOP)"))
    return bubbles


@bp.route("/sms", methods=["GET", "POST"])
def simulator():
    """GET: the simulator. POST: text the service as the chosen phone, then show the conversation
    (303 back to GET). A bad phone or an empty message shows the form with errors (400)."""
    form = SimulatorForm()
    if request.method == "GET":
        form.phone.data = request.args.get("phone", form.phone.data)
    elif form.validate_on_submit():
        e164 = _normalise(form.phone.data).e164
        status = simulate_inbound(e164, form.body.data, whatsapp=form.channel.data == "whatsapp")
        if status != 200:
            current_app.logger.warning("simulated text was refused by the webhook", extra={"status": status})
        return redirect(url_for("dev.simulator", phone=e164) + "#latest", code=303)
    check = _normalise(form.phone.data) if form.phone.data else None
    thread = conversation_for(check.e164) if check is not None and check.ok else []
    errors = None
    if form.errors:
        errors = {"titleText": "There is a problem", "errorList": [
            {"text": messages[0], "href": f"#{name}"} for name, messages in form.errors.items()]}
    return render_template(
        "dev/sms.html", form=form, phones=demo_phones(), thread=thread, selected=check.e164 if check and check.ok else None,
        errors=errors, form_has_errors=bool(errors), page_title="SMS simulator",
    ), (400 if errors else 200)


def simulate_inbound(e164: str, body: str, *, whatsapp: bool = False) -> int:
    """Post one text to /sms/inbound as Twilio would: signed, through the whole request stack."""
    config = current_app.config
    sender = ("whatsapp:" if whatsapp else "") + e164
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "From": sender,
        "To": config.get("TWILIO_FROM") or "+447700900000", "Body": body, "NumMedia": "0", "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }
    signature = sign(config["PUBLIC_BASE_URL"] + url_for("sms.receive_message"), params)
    db.session.commit()  # nothing of ours may be pending while the webhook writes
    response = current_app.test_client().post(
        url_for("sms.receive_message"), data=params, headers={"X-Twilio-Signature": signature}
    )
    return response.status_code


def _outbox_rows(limit: int = 500) -> list[tuple[Message, str | None]]:
    return db.session.execute(
        select(Message, ScheduledMessage.kind)
        .outerjoin(ScheduledMessage, Message.scheduled_message_id == ScheduledMessage.id)
        .where(Message.direction == "outbound")
        .order_by(Message.id.desc())
        .limit(limit)
    ).all()


@bp.get("/outbox")
def outbox():
    """Every text the service sent (newest first), with its status."""
    return render_template("dev/outbox.html", rows=_outbox_rows(), page_title="Outbox")


@bp.get("/outbox.json")
def outbox_json():
    """The outbox as JSON: {"messages": [{id, to, body, time, invitation, status, ...}]}, newest first."""
    return jsonify(messages=[
        {
            "id": m.id, "to": m.to_address, "body": m.body, "time": m.created_at.isoformat(),
            "invitation": m.invitation_id, "status": m.status, "error_code": m.error_code, "channel": m.channel,
            "segments": m.segments, "kind": kind, "provider_sid": m.provider_sid, "subject": m.subject,
            "letter": url_for("dev.outbox_letter", message_id=m.id) if m.channel == "letter" and m.invitation_id else None,
        }
        for m, kind in _outbox_rows()
    ])


@bp.get("/outbox/letters/<int:message_id>.pdf")
def outbox_letter(message_id: int):
    """The letter a letter-channel message stood for, as the person would receive it."""
    from flask import abort, make_response

    from voice_service.letters import letter_pdf

    message = db.session.get(Message, message_id)
    if message is None or message.channel != "letter" or message.invitation is None:
        abort(404)
    response = make_response(letter_pdf(message.invitation))
    db.session.commit()
    response.headers["Content-Type"] = "application/pdf"
    return response
