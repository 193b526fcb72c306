"""Issue 17: an email that hard-bounces (a GOV.UK Notify permanent failure) or that the SMTP server
refuses falls back to a letter when there is a postal address, so the family is still invited."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
import time_machine
from sqlalchemy import select

from tests.support.reach import NOTIFY, NOTIFY_SETTINGS, import_meeting, invitation_of, london, notify_created
from voice_service.extensions import db
from voice_service.messaging import get_sender
from voice_service.messaging.texts import compose_scheduled
from voice_service.models import Message, ScheduledMessage
from voice_service.scheduling.dispatch import dispatch_due

MORNING = london(2027, 3, 1, 10, 0)
ADDRESS = "7 Larch Row\nNorthbridge\nZZ99 2LE"


@pytest.fixture
def app_config():
    return dict(NOTIFY_SETTINGS)


def _parent(address):
    with time_machine.travel(MORNING, tick=False):
        row = {"ref": "P1", "role": "parent", "name": "Jordan Reece", "email": "jordan.reece@example.org"}
        if address:
            row["postal_address"] = address
        meeting = import_meeting([{**row, "route": "email"}])
    return invitation_of(meeting, "P1")


def _bounce(client):
    body = {"id": "n-1", "reference": "x", "status": "permanent-failure", "notification_type": "email",
            "to": "jordan.reece@example.org"}
    return client.post("/notify/callback", data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": "Bearer callback-token-for-tests"})


def _messages(invitation):
    return db.session.scalars(select(Message).where(Message.invitation_id == invitation.id).order_by(Message.id)).all()


@responses.activate
def test_a_hard_bounce_sends_the_invitation_again_by_letter(app, client):
    invitation = _parent(ADDRESS)
    assert invitation.participant.route == "email"
    responses.post(f"{NOTIFY}/v2/notifications/email", json=notify_created("n-1"), status=201)
    dispatch_due(get_sender(app), compose_scheduled, now=MORNING)
    assert [m.channel for m in _messages(invitation)] == ["email"]
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        assert _bounce(client).status_code == 200
    db.session.expire_all()
    assert invitation.participant.route == "letter"
    resend = db.session.scalar(select(ScheduledMessage).where(
        ScheduledMessage.invitation_id == invitation.id, ScheduledMessage.kind == "resend"))
    assert resend is not None and resend.state == "pending"
    dispatch_due(get_sender(app), compose_scheduled, now=MORNING + timedelta(hours=1, minutes=1))
    letters = [m for m in _messages(invitation) if m.channel == "letter"]
    assert len(letters) == 1 and "Larch Row" in letters[0].to_address and "/r/" in letters[0].body


@responses.activate
def test_with_no_postal_address_a_bounce_schedules_no_letter(app, client):
    invitation = _parent(None)
    responses.post(f"{NOTIFY}/v2/notifications/email", json=notify_created("n-1"), status=201)
    dispatch_due(get_sender(app), compose_scheduled, now=MORNING)
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        assert _bounce(client).status_code == 200
    db.session.expire_all()
    assert invitation.participant.route == "email" and invitation.delivery_failed
    assert db.session.scalar(select(ScheduledMessage).where(
        ScheduledMessage.invitation_id == invitation.id, ScheduledMessage.kind == "resend")) is None


def test_an_address_the_smtp_server_refuses_falls_back_to_a_letter(app, monkeypatch):
    import smtplib

    from voice_service.messaging import email as email_module

    def refuse(config, message):
        raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such mailbox")})

    app.config.update(EMAIL_SENDER="smtp", SMTP_HOST="mail.example.invalid", NOTIFY_API_KEY=None)
    monkeypatch.setattr(email_module, "smtp_send", refuse)
    invitation = _parent(ADDRESS)
    dispatch_due(get_sender(app), compose_scheduled, now=MORNING)
    db.session.expire_all()
    sent = [(m.channel, m.error_code) for m in _messages(invitation)]
    assert sent[0] == ("email", "refused") and [c for c, _ in sent] == ["email", "letter"]  # the same run
    assert invitation.participant.route == "letter"
