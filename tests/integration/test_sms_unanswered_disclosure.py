"""A disclosure in a text that reaches no open questions still reaches the duty team:
a child texting from a friend's phone, a parent after STOP, a number whose questions are closed."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.support.factories import make_invitation, make_meeting, make_participant, make_user
from tests.support.sms import text
from tests.support.surveys import sample_survey
from voice_service.extensions import db
from voice_service.models import AuditEvent, Message, SafeguardingAlert
from voice_service.surveys import SurveyRegistry

DISCLOSURE = "my dad hits me when he is drunk and im scared to go home tonight"


@pytest.fixture
def chair(app):
    app.extensions["surveys"] = SurveyRegistry([sample_survey()])
    user = make_user("chair")
    db.session.commit()
    return user


def _sign_in(client, user):
    with client.session_transaction() as session:
        session["user_id"], session["seen"] = user.id, time.time()


def _alerts():
    return db.session.scalars(select(SafeguardingAlert)).all()


def test_a_disclosure_from_an_unknown_number_raises_an_alert_the_chair_can_read(client, chair):
    reply = text(client, DISCLOSURE, sender="+447700900777")
    assert "We cannot answer it here" in reply  # the reply still reveals nothing
    [alert] = _alerts()
    assert alert.answer_id is None and alert.message_id is not None and alert.status == "open"
    assert alert.notified_at is not None  # the duty team was told at once
    _sign_in(client, chair)
    inbox = client.get("/staff/alerts").get_data(as_text=True)
    assert "A text with no questions open" in inbox
    page = client.get(f"/staff/alerts/{alert.id}").get_data(as_text=True)
    assert "scared to go home tonight" in page
    viewed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "alert_message_viewed"))
    assert viewed is not None and viewed.user_id == chair.id  # reading the words is audited


def test_a_disclosure_after_stop_is_still_read(client, chair):
    meeting = make_meeting(days_ahead=6)
    participant = make_participant(meeting, phone="+447700900778", channel="sms")
    make_invitation(participant, "test_survey", channel="sms")
    text(client, "STOP", sender="+447700900778")
    assert text(client, DISCLOSURE, sender="+447700900778") == ""  # no reply to an opted-out number
    [alert] = _alerts()
    message = db.session.get(Message, alert.message_id)
    assert message.body == DISCLOSURE


def test_an_ordinary_text_from_an_unknown_number_raises_nothing(client, chair):
    text(client, "hi is this the council? what time is the meeting", sender="+447700900779")
    assert _alerts() == []
