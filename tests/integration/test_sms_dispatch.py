"""The scheduler's dispatcher with the real senders and texts: one row per text, STOP honoured."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.scheduler import invitation_for, london
from tests.support.sms import PHONE, text
from tests.support.surveys import sample_survey
from voice_service.extensions import db
from voice_service.messaging import compose_scheduled, get_sender
from voice_service.models import Message, ScheduledMessage
from voice_service.scheduling.dispatch import dispatch_due
from voice_service.surveys import SurveyRegistry

NOON = london(2030, 3, 5, 12, 0)  # a Tuesday


@pytest.fixture
def invitation(app):
    app.extensions["surveys"] = SurveyRegistry([sample_survey()])
    invitation = invitation_for(starts_at=NOON + timedelta(days=10), created_at=NOON - timedelta(days=1))
    invitation.channel = "sms"
    invitation.expires_at = NOON + timedelta(days=9)
    db.session.add_all([
        ScheduledMessage(invitation_id=invitation.id, kind="invite", sequence=0, due_at=NOON - timedelta(minutes=1)),
        ScheduledMessage(invitation_id=invitation.id, kind="reminder", sequence=1, due_at=NOON + timedelta(days=2)),
    ])
    db.session.commit()
    return invitation


def outbound() -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id)))


def test_the_invitation_text_goes_out_once_through_the_outbox_with_its_link(app, invitation):
    report = dispatch_due(get_sender(app), compose_scheduled, now=NOON)
    assert report.sent == 1
    [message] = outbound()
    assert message.body.startswith("Family Voice: your views before the meeting on Friday 15 March")
    assert "http://localhost/r/" in message.body and "or reply to this text to answer here" in message.body
    assert message.provider_sid.startswith("OX") and message.scheduled_message_id is not None
    assert invitation.status == "sent"


def test_after_stop_nothing_more_is_sent(app, client, invitation):
    dispatch_due(get_sender(app), compose_scheduled, now=NOON)
    assert "no more texts" in text(client, "STOP", sender=PHONE)
    report = dispatch_due(get_sender(app), compose_scheduled, now=NOON + timedelta(days=2, minutes=1))
    assert report.sent == 0 and len(outbound()) == 1
    reminder = db.session.scalar(select(ScheduledMessage).where(ScheduledMessage.kind == "reminder"))
    assert reminder.state == "cancelled" and "STOP" in reminder.reason
