"""Random and hostile input through the Twilio webhooks, correctly signed (hypothesis): never a
500; a message taken (200) is recorded once with exactly the words sent, and a free-text answer
keeps them; anything else is a clear 400 (or 403 unsigned, 429 over the limit)."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.support.factories import make_invitation, make_meeting, make_participant, make_texting_invitation
from tests.support.sms import PHONE, new_sid, signed_post, twilio_params
from voice_service import conversation
from voice_service.extensions import db
from voice_service.messaging import keywords
from voice_service.models import Answer, Message

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)
HOSTILE = ["<Response><Redirect>https://evil.example</Redirect></Response>", "]]><script>x</script>", "{{ 1234*5 }}",
           "'; DELETE FROM message; --", "=cmd|' /C calc'!A0", "\x00\x01\x02", "STOP\x00", "😀" * 200, "\u202eevil"]
_numbers = itertools.count(700)


@pytest.fixture
def app_config():
    return {"SMS_INBOUND_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def texting(app):
    return make_texting_invitation(app, PHONE)


def _held(sid: str) -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message).where(Message.provider_sid == sid)))


@FUZZ
@given(body=TEXT)
def test_any_body_from_a_known_number_is_kept_exactly_and_answered(client, texting, body):
    _check_body(client, body)


@pytest.mark.parametrize("words", HOSTILE)
def test_hostile_bodies_are_kept_exactly_and_never_become_markup_in_the_reply(client, texting, words):
    _check_body(client, words)


def _check_body(client, words):
    params = twilio_params(words, sid=new_sid())
    response = signed_post(client, "/sms/inbound", params)
    assert response.status_code == 200, (response.status_code, words)
    assert response.mimetype == "text/xml"
    assert "<Redirect" not in response.get_data(as_text=True) and "<script" not in response.get_data(as_text=True)
    held = _held(params["MessageSid"])
    assert len(held) == 1 and held[0].body == words


@FUZZ
@given(body=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=300).filter(lambda s: s.strip()))
def test_a_free_text_answer_by_sms_keeps_the_words(client, texting, body):
    """Asked the free-text follow-up, whatever the person writes is the answer (trimmed), unless
    it is one of the words that work at every question (STOP, HELP, SKIP, BACK, ?...)."""
    sender = f"+447700900{next(_numbers) % 1000:03d}"
    participant = make_participant(make_meeting(), phone=sender, channel="sms")
    make_invitation(participant, "test_survey", channel="sms")
    signed_post(client, "/sms/inbound", twilio_params("hello", sender=sender, sid=new_sid()))
    signed_post(client, "/sms/inbound", twilio_params("2", sender=sender, sid=new_sid()))  # scale: the follow-up is next
    before = db.session.scalar(select(func.max(Answer.id))) or 0
    response = signed_post(client, "/sms/inbound", twilio_params(body, sender=sender, sid=new_sid()))
    assert response.status_code == 200
    db.session.expire_all()
    stored = [a.free_text for a in db.session.scalars(select(Answer).where(Answer.id > before))]
    # the engine's own reading of the words that work at every question ("wat" is "what?": repeat)
    command = keywords.classify(body) or conversation.command(body) is not None
    assert stored == ([] if command else [body.strip()]) or (command and stored == [None]), (stored, body)


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "AccountSid",
                                               "MessageStatus", "ErrorCode", "WaId"]) | st.text(max_size=20),
                              TEXT, max_size=12))
def test_random_signed_fields_get_200_or_a_clear_400_never_a_500(client, texting, params):
    for path in ("/sms/inbound", "/sms/status"):
        response = signed_post(client, path, params)
        assert response.status_code in (200, 204, 400), (path, response.status_code, params)
        if response.status_code == 400:
            assert response.mimetype == "text/plain" and response.get_data(as_text=True).strip()


@FUZZ
@given(sender=st.one_of(TEXT, st.sampled_from(["whatsapp:+447700900123", "+1 202 555 0100", "07700 900123",
                                                 "+447700900123\n", "not a number", "+" + "9" * 70, "whatsapp:"])))
def test_any_sender_address_is_taken_or_refused_plainly(client, texting, sender):
    params = twilio_params("hello", sender=sender, sid=new_sid())
    response = signed_post(client, "/sms/inbound", params)
    assert response.status_code in (200, 400), (response.status_code, sender)
    if response.status_code == 200:
        assert len(_held(params["MessageSid"])) == 1


def test_a_status_callback_for_a_message_we_never_sent_changes_nothing(client, texting):
    response = signed_post(client, "/sms/status", {"MessageSid": new_sid(), "MessageStatus": "delivered"})
    assert response.status_code in (204, 400)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_an_oversized_webhook_body_is_refused_without_a_500(client, texting):
    params = twilio_params("x" * 100_000, sid=new_sid())
    response = signed_post(client, "/sms/inbound", params)
    assert response.status_code == 413
    assert _held(params["MessageSid"]) == []
