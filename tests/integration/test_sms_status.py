"""Delivery status callbacks: forward only, whatever order they arrive in; failures surface."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.sms import signed_post
from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.models import Message, OptOut

PHONE = "+447700900123"
_n = itertools.count(1)


@pytest.fixture
def outbound(app):
    meeting = make_meeting()
    invitation, _ = make_invitation(make_participant(meeting, phone=PHONE, channel="sms"), "test_survey", channel="sms")
    message = Message(direction="outbound", channel="sms", provider_sid=f"SM{next(_n):032x}", invitation_id=invitation.id,
                      phone_hash=phone_hash(PHONE), to_address=PHONE, body="Hello", status="queued")
    db.session.add(message)
    db.session.commit()
    return message


def callback(client, message, status, error_code=None):
    params = {"MessageSid": message.provider_sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32,
              "To": PHONE, "ApiVersion": "2010-04-01"}
    if error_code:
        params["ErrorCode"] = error_code
    return signed_post(client, "/sms/status", params)


def status_of(message) -> tuple[str, str | None]:
    db.session.expire_all()
    row = db.session.get(Message, message.id)
    return row.status, row.error_code


@pytest.mark.parametrize("order, final", [
    (["queued", "sent", "delivered"], "delivered"),
    (["delivered", "sent", "queued"], "delivered"),
    (["sent", "delivered", "sending"], "delivered"),
    (["failed", "delivered", "sent"], "failed"),
    (["delivered", "undelivered"], "undelivered"),
    (["undelivered", "failed", "queued"], "undelivered"),
])
def test_status_only_moves_forward_in_any_order(client, outbound, order, final):
    for status in order:
        assert callback(client, outbound, status).status_code == 204
    assert status_of(outbound)[0] == final


def test_a_failed_invitation_text_keeps_its_error_and_surfaces_for_staff(client, outbound):
    callback(client, outbound, "sent")
    callback(client, outbound, "undelivered", "30003")
    callback(client, outbound, "delivered")
    assert status_of(outbound) == ("undelivered", "30003")
    assert outbound.invitation.delivery_failed is True


def test_a_delivered_text_leaves_the_invitation_alone(client, outbound):
    callback(client, outbound, "delivered")
    db.session.expire_all()
    assert outbound.invitation.delivery_failed is False


def test_a_21610_failure_in_a_callback_opts_the_number_out(client, outbound):
    callback(client, outbound, "failed", "21610")
    assert db.session.scalar(select(OptOut.phone_hash)) == phone_hash(PHONE)


def test_an_unknown_message_is_acknowledged_and_ignored(client, outbound):
    unknown = Message(provider_sid="SM" + "f" * 32)
    assert callback(client, unknown, "delivered").status_code == 204
    assert status_of(outbound)[0] == "queued"


@pytest.mark.parametrize("params", [
    {"MessageStatus": "delivered"},
    {"MessageSid": "SM" + "1" * 32, "MessageStatus": "exploded"},
    {"MessageSid": "SM" + "1" * 32, "MessageStatus": "failed", "ErrorCode": "DROP TABLE"},
    {"MessageSid": "not a sid!", "MessageStatus": "sent"},
])
def test_a_malformed_callback_is_a_clear_400_and_changes_nothing(client, outbound, params):
    response = signed_post(client, "/sms/status", params)
    assert response.status_code == 400 and response.get_data(as_text=True).strip()
    assert status_of(outbound) == ("queued", None)
