"""Twilio failing: 503s are retried with back-off; 500s and lost answers are never sent twice
(Twilio itself warns a retried 500 may reach the person twice) and are shown to staff."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests
import responses
from sqlalchemy import func, select

from tests.support.factories import make_invitation, make_meeting, make_participant, make_user
from tests.support.twilio_api import ACCOUNT, MESSAGES_URL, SERVICE_SID, created, twilio_error
from tests.support.surveys import sample_survey
from voice_service.extensions import db
from voice_service.messaging import get_sender
from voice_service.messaging.texts import compose_scheduled
from voice_service.models import Message, ScheduledMessage
from voice_service.scheduling.dispatch import dispatch_due
from voice_service.surveys import SurveyRegistry

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)  # a Tuesday, a decent hour in London


@pytest.fixture
def app_config():
    return {"TWILIO_ACCOUNT_SID": ACCOUNT, "SMS_SENDER": "twilio", "TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
            "PUBLIC_BASE_URL": "https://voice.example.org"}


@pytest.fixture
def reminder(app):
    app.extensions["surveys"] = SurveyRegistry([sample_survey()])
    chair = make_user("chair")
    meeting = make_meeting(days_ahead=30, chair=chair)
    meeting.starts_at = NOON + timedelta(days=10)
    participant = make_participant(meeting, phone="+447700900321", channel="sms")
    invitation, _ = make_invitation(participant, "test_survey", channel="sms", status="sent", days_valid=40)
    row = ScheduledMessage(invitation=invitation, kind="reminder", sequence=1, due_at=NOON - timedelta(minutes=1))
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def twilio():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def dispatch(app, at):
    return dispatch_due(get_sender(app), compose_scheduled, now=at)


def test_a_busy_twilio_is_retried_with_back_off_and_the_text_goes_once(app, reminder, twilio):
    twilio.post(MESSAGES_URL, json=twilio_error(20503, 503), status=503)
    dispatch(app, NOON)
    db.session.refresh(reminder)
    assert reminder.state == "pending" and reminder.due_at > NOON  # waits before trying again
    retry_at = reminder.due_at
    dispatch(app, retry_at - timedelta(seconds=30))  # not yet
    assert len(twilio.calls) == 1
    twilio.replace(responses.POST, MESSAGES_URL, json=created(), status=201)
    dispatch(app, retry_at + timedelta(seconds=1))
    db.session.refresh(reminder)
    assert reminder.state == "sent" and len(twilio.calls) == 2
    dispatch(app, retry_at + timedelta(hours=1))
    assert len(twilio.calls) == 2  # never again
    sent = db.session.scalars(select(Message).where(Message.status != "failed")).all()
    assert len(sent) == 1 and sent[0].provider_sid == "SM" + "a" * 32


@pytest.mark.parametrize("failure", ["server_error", "read_timeout"])
def test_a_text_twilio_may_have_taken_is_not_sent_again_and_staff_see_why(app, reminder, twilio, client, failure):
    if failure == "server_error":
        twilio.post(MESSAGES_URL, json=twilio_error(20500, 500), status=500)
    else:
        twilio.post(MESSAGES_URL, body=requests.exceptions.ReadTimeout("no answer"))
    dispatch(app, NOON)
    for hours in (1, 6, 24):
        dispatch(app, NOON + timedelta(hours=hours))
    assert len(twilio.calls) == 1  # one attempt only: a second might reach the person twice
    db.session.refresh(reminder)
    assert reminder.state == "failed" and "not sent again" in reminder.reason
    # the chair sees it on the meeting page's message plan
    meeting = reminder.invitation.participant.meeting
    with client.session_transaction() as session:
        session["user_id"], session["seen"] = meeting.chair_id, datetime.now(timezone.utc).timestamp()
    page = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert "not sent again" in page


def test_twilio_unreachable_is_retried_and_counted_once(app, reminder, twilio):
    twilio.post(MESSAGES_URL, body=requests.exceptions.ConnectTimeout("unreachable"))
    dispatch(app, NOON)
    db.session.refresh(reminder)
    assert reminder.state == "pending" and reminder.attempts == 1
    twilio.replace(responses.POST, MESSAGES_URL, json=created(), status=201)
    dispatch(app, reminder.due_at + timedelta(seconds=1))
    db.session.refresh(reminder)
    assert reminder.state == "sent"
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.provider_sid.is_not(None))) == 1
