"""On a fresh demo: a child with no phone gets a letter, a parent with only an email an email,
and the closed case its Experience of Service questionnaires, all in the dev outbox."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from voice_service.extensions import db
from voice_service.messaging import get_sender
from voice_service.messaging.texts import compose_scheduled
from voice_service.models import Child, ScheduledMessage
from voice_service.scheduling.dispatch import dispatch_due


def test_the_demo_invites_by_letter_email_and_after_a_case_closed(app, runner, client):
    assert runner.invoke(args=["demo"]).exit_code == 0
    due = db.session.scalar(select(func.max(ScheduledMessage.due_at)).where(
        ScheduledMessage.kind.in_(("invite", "eos_invite")), ScheduledMessage.state == "pending"))
    dispatch_due(get_sender(app), compose_scheduled, now=due + timedelta(minutes=1))
    outbox = client.get("/dev/outbox.json").get_json()["messages"]
    by_channel = {}
    for m in outbox:
        by_channel.setdefault(m["channel"], []).append(m)
    letters = [m for m in by_channel["letter"] if "Leo" in m["body"]]
    assert letters and letters[0]["kind"] == "invite"
    pdf = client.get(letters[0]["letter"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    jordan = [m for m in by_channel["email"] if m["to"] == "jordan.reece@example.org"]
    assert jordan and jordan[0]["subject"] == "A message from Family Voice" and "/r/" in jordan[0]["body"]
    eos = [m for m in outbox if m["kind"] == "eos_invite"]
    assert {m["channel"] for m in eos} == {"sms", "email"}  # Jade by text, Ruth by email
    assert db.session.scalar(select(Child.case_closure_reason).where(Child.case_ref == "DEMO-C7")) == "RC7"
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "Letter (PDF)" in page and "A message from Family Voice" in page
