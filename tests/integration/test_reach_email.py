"""Invitations by email through GOV.UK Notify (the real notifications-python-client, its HTTP API
faked with `responses`), delivery receipts and complaints through the callback, shown to staff."""
from __future__ import annotations

import base64
import json

import pytest
import responses
import time_machine
from sqlalchemy import select

from tests.support.reach import (
    NOTIFY, NOTIFY_SETTINGS, import_meeting, invitation_of, london, notify_created, pdf_text_and_qr, sent_json,
)
from tests.support.staff import sign_in_as
from tests.support.factories import make_user
from voice_service.extensions import db
from voice_service.messaging import get_sender
from voice_service.messaging.texts import compose_scheduled, link_for
from voice_service.models import Message, Participant, ScheduledMessage
from voice_service.scheduling.dispatch import dispatch_due

EVENING = london(2027, 3, 1, 21, 30)  # quiet hours for texts


@pytest.fixture
def app_config():
    return dict(NOTIFY_SETTINGS)


def rows(invitation):
    return {(r.kind, r.sequence): r for r in db.session.scalars(
        select(ScheduledMessage).where(ScheduledMessage.invitation_id == invitation.id))}


def email_parent(language="en"):
    with time_machine.travel(EVENING, tick=False):
        meeting = import_meeting([{"ref": "P1", "role": "parent", "name": "Jordan Reece",
                                   "email": "Jordan.Reece@Example.org", "language": language}])
    return meeting, invitation_of(meeting, "P1")


@responses.activate
def test_an_email_only_parent_is_emailed_at_once_even_in_the_evening_in_neutral_words(app):
    meeting, invitation = email_parent()
    assert invitation.participant.route == "email"
    assert {k: r.state for k, r in rows(invitation).items()} == {
        ("invite", 0): "pending", ("reminder", 1): "pending", ("reminder", 2): "pending", ("close", 0): "pending"}
    assert rows(invitation)[("invite", 0)].due_at == EVENING  # no quiet hours for email
    responses.post(f"{NOTIFY}/v2/notifications/email", json=notify_created("740e5834-3a29-46b4-9a6f-16142fde533a"),
                   status=201)
    report = dispatch_due(get_sender(app), compose_scheduled, now=EVENING)
    assert report.sent == 1
    sent = sent_json(responses.calls[0])
    assert sent["email_address"] == "Jordan.Reece@example.org"
    assert sent["template_id"] == NOTIFY_SETTINGS["NOTIFY_EMAIL_TEMPLATE_ID"]
    subject, body = sent["personalisation"]["subject"], sent["personalisation"]["body"]
    assert subject == "A message from Family Voice"  # neutral: inboxes are shared
    for word in ("child", "meeting", "conference", "protection", "social"):
        assert word not in subject.lower()
    assert link_for(invitation) in body and "Hello Jordan Reece" in body
    assert responses.calls[0].request.headers["Authorization"].startswith("Bearer ")  # the client's signed JWT
    message = db.session.scalar(select(Message).where(Message.channel == "email"))
    assert message.provider_sid == "740e5834-3a29-46b4-9a6f-16142fde533a" and message.subject == subject
    assert sent["reference"] == f"fv-{message.id}"
    assert db.session.get(type(invitation), invitation.id).status == "sent"


@responses.activate
def test_a_bengali_parent_gets_a_bengali_email(app):
    _meeting, invitation = email_parent(language="bn")
    responses.post(f"{NOTIFY}/v2/notifications/email", json=notify_created("a1"), status=201)
    dispatch_due(get_sender(app), compose_scheduled, now=EVENING)
    body = sent_json(responses.calls[0])["personalisation"]["body"]
    assert "আপনার ব্যক্তিগত লিংক খুলুন" in body and "খসড়া অনুবাদ" in body  # marked as a draft translation


@responses.activate
def test_notify_refusing_the_address_fails_the_row_with_a_reason_and_a_busy_notify_is_retried(app):
    _meeting, invitation = email_parent()
    responses.post(f"{NOTIFY}/v2/notifications/email", status=400, json={
        "status_code": 400, "errors": [{"error": "ValidationError", "message": "email_address Not a valid email address"}]})
    dispatch_due(get_sender(app), compose_scheduled, now=EVENING)
    row = rows(invitation)[("invite", 0)]
    assert row.state == "failed" and row.reason == "not sent: GOV.UK Notify refused it (HTTP 400)"
    message = db.session.scalar(select(Message).where(Message.channel == "email"))
    assert (message.status, message.error_code) == ("failed", "rejected")
    # a 503 is retried later, not given up
    other = import_meeting([{"ref": "P9", "role": "parent", "name": "Sam Busy", "email": "sam.busy@example.org"}],
                           ref="MTG-R9", case_ref="CASE-R9")
    busy = invitation_of(other, "P9")
    responses.replace(responses.POST, f"{NOTIFY}/v2/notifications/email", status=503, json={"errors": []})
    due = rows(busy)[("invite", 0)].due_at
    report = dispatch_due(get_sender(app), compose_scheduled, now=due)
    assert report.deferred == 1 and rows(busy)[("invite", 0)].state == "pending"


def callback(client, body, token="callback-token-for-tests"):
    return client.post("/notify/callback", data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"} if token else {})


@responses.activate
def test_a_bounce_and_a_complaint_are_recorded_shown_to_staff_and_stop_more_email(app, client):
    meeting, invitation = email_parent()
    responses.post(f"{NOTIFY}/v2/notifications/email", json=notify_created("n-1"), status=201)
    dispatch_due(get_sender(app), compose_scheduled, now=EVENING)
    assert callback(client, {"id": "n-1", "status": "delivered"}, token="wrong").status_code == 401
    assert callback(client, {"id": "n-1", "status": "delivered"}, token=None).status_code == 401
    assert callback(client, {"id": "n-1", "reference": "x", "status": "permanent-failure",
                             "notification_type": "email", "to": "jordan.reece@example.org"}).status_code == 200
    message = db.session.scalar(select(Message).where(Message.provider_sid == "n-1"))
    db.session.refresh(message)
    assert (message.status, message.error_code) == ("failed", "bounced")
    chair = make_user("chair")
    db.session.commit()
    sign_in_as(client, chair)
    page = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert "The email bounced" in page and "Delivery failed" in page
    assert "Jordan.Reece@example.org" not in page and "J•••@example.org" in page  # masked but for admins
    # a complaint (marked as spam): no more email goes to them
    assert callback(client, {"notification_id": "n-1", "complaint_id": "c-1", "reference": "fv-0",
                             "to": "jordan.reece@example.org", "complaint_date": "2027-03-02T10:00:00Z"}).status_code == 200
    page = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert "reported our email as spam" in page
    reminder = rows(invitation)[("reminder", 1)]
    dispatch_due(get_sender(app), compose_scheduled, now=reminder.due_at)
    db.session.refresh(reminder)
    assert reminder.state == "cancelled" and "spam" in reminder.reason
    assert len(responses.calls) == 1  # nothing more was sent
    assert callback(client, {"hello": "there"}).status_code == 400


@pytest.fixture
def letters_by_notify(app):
    app.config.update(LETTER_SENDER="notify")
    app.extensions.pop("letter_sender", None)


@responses.activate
def test_a_child_with_no_phone_or_email_gets_a_letter_through_notifys_precompiled_letter_api(app, letters_by_notify):
    with time_machine.travel(EVENING, tick=False):
        meeting = import_meeting([{"ref": "C1", "role": "child", "name": "Leo", "age_band": "under_8",
                                   "postal_address": ["14 Willow Close", "Northbridge", "zz99 1le"]}],
                                 meeting_type="cla_review", age_band="under_8")
    invitation = invitation_of(meeting, "C1")
    assert invitation.participant.route == "letter"
    assert {k: r.state for k, r in rows(invitation).items()} == {("invite", 0): "pending", ("close", 0): "pending"}
    assert rows(invitation)[("close", 0)].reason is None
    responses.post(f"{NOTIFY}/v2/notifications/letter", status=201,
                   json={"id": "d1a2c3e4-0000-4000-8000-000000000001", "reference": "fv-1", "postage": "second"})
    report = dispatch_due(get_sender(app), compose_scheduled, now=EVENING)
    assert report.sent == 1
    sent = sent_json(responses.calls[0])
    assert sent["postage"] == "second" and sent["reference"].startswith("fv-")
    text, codes = pdf_text_and_qr(base64.b64decode(sent["content"]))
    link = link_for(invitation)
    assert codes == [link]
    assert "Leo" in text and "ZZ99 1LE" in text and "Scan the square with a phone camera" in text  # easy read
    assert "Childline" in text
    message = db.session.scalar(select(Message).where(Message.channel == "letter"))
    assert message.provider_sid == "d1a2c3e4-0000-4000-8000-000000000001"
    # Notify's receipt that it was posted moves it on
    participant = db.session.get(Participant, invitation.participant_id)
    assert participant.postal_address.endswith("ZZ99 1LE")


@responses.activate
def test_you_said_we_did_goes_by_email_after_the_outcome_in_the_persons_language(app):
    from voice_service.invitations import mark_completed
    from voice_service.meetings.changes import record_outcome
    from voice_service.models import Invitation, Meeting

    meeting, invitation = email_parent(language="so")
    responses.post(f"{NOTIFY}/v2/notifications/email", json=notify_created("n-2"), status=201)
    with time_machine.travel(EVENING, tick=False):
        mark_completed(db.session.get(Invitation, invitation.id))
        db.session.commit()
    chair = make_user("chair")
    after = london(2027, 3, 19, 12, 0)
    with time_machine.travel(after, tick=False):
        record_outcome(db.session.get(Meeting, meeting.id), chair, "Housing", "A housing officer will visit",
                       invitation.id, now=after)
        db.session.commit()
    assert rows(invitation)[("you_said_we_did", 0)].state == "pending"
    dispatch_due(get_sender(app), compose_scheduled, now=after)
    sent = [sent_json(c) for c in responses.calls]
    assert [s["personalisation"]["subject"] for s in sent] == ["War cusub oo ka yimid Family Voice"]
    assert "Waad ku mahadsan tahay inaad fikradahaaga bixisay" in sent[0]["personalisation"]["body"]
