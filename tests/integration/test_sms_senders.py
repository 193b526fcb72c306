"""Sending texts through the real `twilio` client, faked at the HTTP layer with `responses`."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest
import requests
import responses
from sqlalchemy import func, select

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.surveys import sample_survey
from tests.support.twilio_api import ACCOUNT, MESSAGES_URL, PHONE, SERVICE_SID, created, twilio_error
from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.messaging import ProviderRejected, ProviderUnavailable, SendRefused, get_sender, send_message
from voice_service.messaging.senders import OutboxSender, TwilioSender
from voice_service.messaging.texts import TextNotDeclared, TextTooLong, compose
from voice_service.models import Message, OptOut
from voice_service.surveys import SurveyRegistry


@pytest.fixture
def app_config():
    return {"TWILIO_ACCOUNT_SID": ACCOUNT, "SMS_SENDER": "twilio", "TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
            "PUBLIC_BASE_URL": "https://voice.example.org"}


@pytest.fixture
def invitation(app):
    app.extensions["surveys"] = SurveyRegistry([sample_survey()])
    meeting = make_meeting(days_ahead=6)
    participant = make_participant(meeting, phone=PHONE, channel="sms")
    invitation, _ = make_invitation(participant, "test_survey", channel="sms", status="scheduled")
    return invitation


@pytest.fixture
def twilio():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def sent_form(call) -> dict:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def messages() -> list[Message]:
    return list(db.session.scalars(select(Message).order_by(Message.id)))


def test_the_twilio_sender_is_chosen_with_an_account_sid(app):
    assert isinstance(get_sender(app), TwilioSender)


def test_an_invitation_is_sent_with_the_messaging_service_and_a_status_callback(invitation, twilio):
    twilio.post(MESSAGES_URL, json=created(), status=201)
    body = compose(invitation, "invite", link="https://voice.example.org/r/abc")
    message = send_message(invitation, body, kind="invite")
    form = sent_form(twilio.calls[0])
    assert form["To"] == PHONE and form["Body"] == body
    assert form["MessagingServiceSid"] == SERVICE_SID and "From" not in form
    assert form["StatusCallback"] == "https://voice.example.org/sms/status"
    assert twilio.calls[0].request.headers["Authorization"].startswith("Basic ")
    assert message.provider_sid == "SM" + "a" * 32 and message.status == "queued" and message.segments == 1
    assert message.invitation_id == invitation.id and invitation.status == "sent"


def test_our_message_row_exists_before_twilio_is_called(invitation, twilio):
    seen = {}

    def callback(request):
        seen["rows"] = db.session.scalar(select(func.count()).select_from(Message))
        return 201, {}, json.dumps(created())

    twilio.add_callback(responses.POST, MESSAGES_URL, callback=callback)
    send_message(invitation, "Hello from Family Voice", kind="reminder")
    assert seen["rows"] == 1


def test_a_from_number_is_used_without_a_messaging_service_and_whatsapp_is_prefixed(app, invitation, twilio):
    app.config.update(TWILIO_MESSAGING_SERVICE_SID=None, TWILIO_FROM="+447700900999")
    app.extensions.pop("sms_sender", None)
    twilio.post(MESSAGES_URL, json=created(), status=201)
    twilio.post(MESSAGES_URL, json=created("SM" + "b" * 32), status=201)
    send_message(invitation, "Hello", kind="reminder")
    invitation.channel = "whatsapp"
    db.session.commit()
    message = send_message(invitation, "Hello again", kind="reminder")
    assert sent_form(twilio.calls[0])["From"] == "+447700900999"
    assert sent_form(twilio.calls[1])["From"] == "whatsapp:+447700900999"
    assert sent_form(twilio.calls[1])["To"] == "whatsapp:" + PHONE
    assert message.channel == "whatsapp"


def test_error_21610_marks_the_number_opted_out_and_nothing_more_is_tried(invitation, twilio):
    twilio.post(MESSAGES_URL, json=twilio_error(21610), status=400)
    with pytest.raises(ProviderRejected) as refused:
        send_message(invitation, "Hello", kind="reminder")
    assert refused.value.code == "21610" and not refused.value.retryable
    assert refused.value.message.status == "failed" and refused.value.message.error_code == "21610"
    assert db.session.scalar(select(OptOut.keyword).where(OptOut.phone_hash == phone_hash(PHONE))) == "21610"
    with pytest.raises(SendRefused) as again:
        send_message(invitation, "Hello", kind="reminder")
    assert again.value.code == "opted_out" and len(twilio.calls) == 1


@pytest.mark.parametrize("status, code, retryable, kind", [
    (429, 20429, True, ProviderRejected), (400, 21211, False, ProviderRejected), (500, 20500, False, ProviderUnavailable),
])
def test_provider_refusals_say_whether_a_retry_is_safe(invitation, twilio, status, code, retryable, kind):
    twilio.post(MESSAGES_URL, json=twilio_error(code, status), status=status)
    with pytest.raises(kind) as error:
        send_message(invitation, "Hello", kind="reminder")
    assert error.value.retryable is retryable and error.value.code == str(code)
    assert messages()[-1].status == "failed" and messages()[-1].provider_sid is None


def test_a_connection_never_made_is_retryable_a_dropped_one_is_not(invitation, twilio):
    twilio.post(MESSAGES_URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    with pytest.raises(ProviderUnavailable) as error:
        send_message(invitation, "Hello", kind="reminder")
    assert error.value.retryable
    twilio.replace(responses.POST, MESSAGES_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(ProviderUnavailable) as error:
        send_message(invitation, "Hello", kind="reminder")
    assert not error.value.retryable


@pytest.mark.parametrize("change, code", [
    ("opted_out", "opted_out"), ("not_safe", "not_safe"), ("no_consent", "not_safe"), ("no_phone", "no_phone"),
    ("landline", "no_phone"),
])
def test_refusals_never_call_twilio_and_are_recorded(invitation, twilio, change, code):
    participant = invitation.participant
    if change == "opted_out":
        db.session.add(OptOut(phone_hash=phone_hash(PHONE), keyword="STOP"))
    elif change == "not_safe":
        participant.safe_to_text = False
    elif change == "no_consent":
        participant.consent = False
    elif change == "no_phone":
        participant.phone = None
    elif change == "landline":
        participant.phone = "+442079460000"
    db.session.commit()
    with pytest.raises(SendRefused) as refused:
        send_message(invitation, "Hello", kind="invite")
    assert refused.value.code == code and not refused.value.retryable
    assert len(twilio.calls) == 0
    assert refused.value.message.id is not None and refused.value.message.status == "failed"
    assert invitation.status == "scheduled"


def test_a_text_longer_than_the_survey_declares_or_not_declared_is_never_sent(invitation, twilio):
    with pytest.raises(SendRefused) as refused:
        send_message(invitation, "x" * 161, kind="close")  # the survey allows 1 segment for close
    assert refused.value.code == "too_long"
    with pytest.raises(SendRefused) as refused:
        send_message(invitation, "Hello", kind="birthday")
    assert refused.value.code == "not_declared"
    assert len(twilio.calls) == 0


def test_compose_fills_the_survey_text_and_refuses_what_is_not_declared(invitation):
    text = compose(invitation, "invite", link="https://voice.example.org/r/abc")
    assert text.startswith("Family Voice: your views before the meeting on ")
    assert "https://voice.example.org/r/abc or reply to this text to answer here" in text
    assert "{" not in text
    with pytest.raises(TextNotDeclared):
        compose(invitation, "birthday")
    with pytest.raises(ValueError):
        compose(invitation, "invite")  # the link is needed


def test_compose_refuses_a_text_that_grows_past_its_segments(app, invitation):
    survey = sample_survey(sms={**sample_survey().sms, "close": "{service} " + "y" * 150})
    app.extensions["surveys"] = SurveyRegistry([survey])
    app.config["SERVICE_NAME"] = "A much longer service name than expected"
    with pytest.raises(TextTooLong):
        compose(invitation, "close")


def test_the_dev_outbox_keeps_the_message_and_delivers_it_at_once(app, invitation):
    app.config.update(TWILIO_ACCOUNT_SID=None, SMS_SENDER="auto")
    app.extensions.pop("sms_sender", None)
    assert isinstance(get_sender(app), OutboxSender)
    message = send_message(invitation, "Hello 😀", kind="reminder")
    assert message.status == "delivered" and message.provider_sid.startswith("OX") and message.segments == 1
    assert message.body == "Hello 😀" and message.to_address == PHONE


def test_a_duty_team_text_through_the_low_level_send_is_recorded_too(app):
    app.config.update(TWILIO_ACCOUNT_SID=None, SMS_SENDER="outbox")
    app.extensions.pop("sms_sender", None)
    sid = get_sender(app).send(to="+447700900555", body="An alert is waiting")
    row = db.session.scalar(select(Message).where(Message.provider_sid == sid))
    assert row.invitation_id is None and row.direction == "outbound" and row.status == "delivered"


def test_a_test_that_forgets_to_mock_twilio_fails_loudly(invitation):
    with pytest.raises(RuntimeError, match="real Twilio API"):
        send_message(invitation, "Hello", kind="reminder")


def test_a_row_the_dispatcher_already_stored_is_used_not_duplicated(app, invitation):
    app.config.update(SMS_SENDER="outbox")
    app.extensions.pop("sms_sender", None)
    row = Message(direction="outbound", channel="sms", invitation_id=invitation.id, phone_hash=phone_hash(PHONE),
                  to_address=PHONE, body="Family Voice: a reminder", status="accepted")
    db.session.add(row)
    db.session.commit()
    sid = get_sender(app).send(PHONE, "Family Voice: a reminder", invitation)
    assert messages() == [row] and row.provider_sid == sid and row.status == "delivered" and row.segments == 1


def test_scheduled_texts_carry_one_stable_private_link(app, invitation):
    from types import SimpleNamespace

    from voice_service.invitations import lookup_token
    from voice_service.messaging import compose_scheduled

    first = compose_scheduled(SimpleNamespace(kind="invite"), invitation)
    second = compose_scheduled(SimpleNamespace(kind="reminder"), invitation)
    link = re.search(r"https://voice\.example\.org/r/(\S+)", first).group(1)
    assert f"/r/{link}" in second  # the reminder repeats the invitation's link
    assert len(link) >= 32 and lookup_token(link).invitation == invitation
