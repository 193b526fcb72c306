"""Safeguarding alerts: raised with the answer, the duty team told (without the words), the
inbox, acknowledgement and action, escalation when nobody acknowledges in time."""
from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.staff import RISK_WORDS, csrf_token, meeting_with_views, sign_in_as, users
from voice_service import alerts
from voice_service.extensions import db
from voice_service.models import AuditEvent, SafeguardingAlert, utcnow


@pytest.fixture
def people(app):
    return users()


@pytest.fixture
def outbox(app):
    return app.extensions.setdefault("mail_outbox", [])


def risk_alert(people, **kwargs) -> SafeguardingAlert:
    meeting_with_views(chair=people["chair"], secret_parent=False, **kwargs)
    alert = db.session.scalar(select(SafeguardingAlert))
    assert alert is not None and alert.answer.free_text == RISK_WORDS
    return alert


def test_a_flagged_answer_raises_an_alert_and_the_duty_team_is_emailed_without_the_words(app, people, outbox):
    alert = risk_alert(people)
    assert alert.status == "open" and alert.notified_at is not None
    assert len(outbox) == 1
    mail = outbox[0]
    assert mail["to"] == app.config["DUTY_TEAM_EMAIL"]
    assert f"/staff/alerts/{alert.id}" in mail["body"]
    assert "hits" not in mail["body"] and "drunk" not in mail["body"] and "Maya" not in mail["body"]


def test_the_duty_team_is_emailed_through_smtp_when_it_is_configured(app, people, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, context):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, message):
            sent.append(("send", message["To"], message.get_content()))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(SMTP_HOST="smtp.example.invalid", SMTP_PORT=587, SMTP_USER="voice", SMTP_PASSWORD="pw")
    risk_alert(people)
    assert sent[0] == ("connect", "smtp.example.invalid", 587)
    assert ("starttls",) in sent and ("login", "voice") in sent
    to, body = sent[-1][1], sent[-1][2]
    assert to == app.config["DUTY_TEAM_EMAIL"] and "drunk" not in body


def test_a_failed_notice_keeps_the_answer_and_the_alert_and_is_retried(app, people, monkeypatch, outbox):
    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(smtplib, "SMTP", broken)
    app.config.update(SMTP_HOST="smtp.example.invalid")
    alert = risk_alert(people)
    assert alert.notified_at is None and alert.status == "open"
    monkeypatch.undo()
    app.config.update(SMTP_HOST=None)
    assert alerts.escalate_overdue_alerts(utcnow()) == 0  # not overdue yet, but the notice is retried
    db.session.refresh(alert)
    assert alert.notified_at is not None
    assert len(outbox) == 1


def test_an_unacknowledged_alert_escalates_once_after_the_configured_time(app, people, outbox):
    app.config["ALERT_ESCALATE_AFTER_MINUTES"] = 30
    alert = risk_alert(people)
    outbox.clear()
    assert alerts.escalate_overdue_alerts(alert.raised_at + timedelta(minutes=29)) == 0
    assert alerts.escalate_overdue_alerts(alert.raised_at + timedelta(minutes=31)) == 1
    assert alerts.escalate_overdue_alerts(alert.raised_at + timedelta(minutes=90)) == 0
    assert [m["to"] for m in outbox] == [app.config["ESCALATION_EMAIL"]]
    assert "drunk" not in outbox[0]["body"]
    db.session.refresh(alert)
    assert alert.escalated_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "alert_escalated")) is not None


def test_an_acknowledged_alert_does_not_escalate(app, client, people, outbox):
    alert = risk_alert(people)
    sign_in_as(client, people["chair"])
    url = f"/staff/alerts/{alert.id}"
    response = client.post(url + "/acknowledge", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    db.session.refresh(alert)
    assert alert.status == "acknowledged" and alert.acknowledged_by_id == people["chair"].id
    assert alerts.escalate_overdue_alerts(alert.raised_at + timedelta(hours=5)) == 0


def test_the_inbox_lists_open_alerts_oldest_first_with_times(client, people):
    first = risk_alert(people)
    meeting_with_views(chair=people["chair"], secret_parent=False)
    second = db.session.scalars(select(SafeguardingAlert).order_by(SafeguardingAlert.id)).all()[-1]
    second.raised_at = first.raised_at + timedelta(minutes=5)
    first.raised_at = first.raised_at - timedelta(minutes=40)
    db.session.commit()
    sign_in_as(client, people["chair"])
    body = client.get("/staff/alerts").get_data(as_text=True)
    assert body.index(f"Alert {first.id}<") < body.index(f"Alert {second.id}<")
    assert "minutes ago" in body and "Not acknowledged" in body
    assert RISK_WORDS not in body  # the words are on the alert's own (audited) page


def test_recording_an_action_needs_notes_and_is_audited(client, people):
    alert = risk_alert(people)
    sign_in_as(client, people["worker"])
    url = f"/staff/alerts/{alert.id}"
    body = client.get(url).get_data(as_text=True)
    assert RISK_WORDS in body  # safeguarding overrides the visibility choice, as the survey says
    response = client.post(url + "/action", data={"csrf_token": csrf_token(client, url), "notes": "  "})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter what you did about this alert" in body and "<title>Error: " in body
    response = client.post(url + "/action", data={"csrf_token": csrf_token(client, url),
                                                  "notes": "Spoke to the duty social worker; strategy discussion today"})
    assert response.status_code == 302
    db.session.refresh(alert)
    assert alert.status == "actioned" and alert.actioned_by_id == people["worker"].id
    assert alert.acknowledged_at is not None
    assert "strategy discussion today" in client.get(url).get_data(as_text=True)
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "safeguarding_alert"))]
    assert {"alert_answer_viewed", "alert_acknowledged", "alert_actioned"} <= set(actions)
    again = client.post(url + "/action", data={"csrf_token": csrf_token(client, url), "notes": "again"})
    assert again.status_code == 409


def test_workers_see_only_their_teams_alerts_and_family_advisory_none(client, people):
    alert = risk_alert(people)
    sign_in_as(client, people["other_worker"])
    assert f"Alert {alert.id}<" not in client.get("/staff/alerts").get_data(as_text=True)
    assert client.get(f"/staff/alerts/{alert.id}").status_code == 404
    sign_in_as(client, people["fag"])
    assert client.get("/staff/alerts").status_code == 403


def test_the_duty_team_is_also_texted_when_a_number_is_set(app, people, outbox):
    from voice_service.models import Message

    app.config["DUTY_TEAM_SMS"] = "+447700900999"
    alert = risk_alert(people)
    texts = db.session.scalars(select(Message).where(Message.direction == "outbound", Message.invitation_id.is_(None))).all()
    assert [t.to_address for t in texts] == ["+447700900999"]
    assert "alert" in texts[0].body and "drunk" not in texts[0].body and "Maya" not in texts[0].body
    assert alert.notified_at is not None and len(outbox) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "alert_notified"))
    assert event.detail == {"channels": ["email", "sms"]}
