"""The dev SMS simulator and outbox: a newcomer answers a whole consultation by text, then STOP."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.surveys import sample_survey
from voice_service import create_app
from voice_service.extensions import db
from voice_service.messaging import SendRefused, send_message
from voice_service.models import Answer, Message, OptOut
from voice_service.surveys import SurveyRegistry

PHONE = "+447700900123"


@pytest.fixture
def invitation(app):
    app.extensions["surveys"] = SurveyRegistry([sample_survey()])
    meeting = make_meeting(days_ahead=5)
    participant = make_participant(meeting, name="Dana Lewis", phone=PHONE, channel="sms")
    web_only = make_participant(meeting, name="Chris Lewis", phone="+447700900124", channel="web")
    make_invitation(web_only, "test_survey", channel="web")
    invitation, _ = make_invitation(participant, "test_survey", channel="sms")
    return invitation


def csrf(client, path="/dev/sms") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def send(client, body, phone=PHONE, channel="sms"):
    return client.post("/dev/sms", data={"csrf_token": csrf(client), "phone": phone, "channel": channel, "body": body})


def test_the_simulator_lists_phones_with_questions_open_by_text(client, invitation):
    html = client.get("/dev/sms").get_data(as_text=True)
    assert "Dana Lewis" in html and PHONE in html
    assert "Chris Lewis" not in html  # answers on the web form, not by text
    # each phone has a working link to text as it (rendered as a link, not as escaped markup)
    assert '<a class="govuk-link" href="/dev/sms?phone=%2B447700900123#message">Text as this phone' in html
    assert "&lt;a class" not in html


def test_a_whole_consultation_from_the_simulator_then_stop(client, invitation, app):
    response = send(client, "Hello")
    assert response.status_code == 303 and response.location.startswith("/dev/sms?phone=")
    for body in ("5", "Everyone was kind", "yes", "a", "1 2", "no", "1", "3"):
        assert send(client, body).status_code == 303
    page = client.get(f"/dev/sms?phone={PHONE}").get_data(as_text=True)
    assert "Thank you. Your answers have been saved." in page
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 8
    # Every simulated text went through the signed webhook and was stored as Twilio's would be.
    inbound = db.session.scalars(select(Message).where(Message.direction == "inbound")).all()
    assert len(inbound) == 9 and all(m.provider_sid.startswith("SM") and m.reply_body for m in inbound)

    send(client, "STOP")
    assert db.session.scalar(select(func.count()).select_from(OptOut)) == 1
    assert "no more texts" in client.get(f"/dev/sms?phone={PHONE}").get_data(as_text=True)
    with pytest.raises(SendRefused):
        send_message(invitation, "A reminder", kind="reminder")


def test_whatsapp_from_the_simulator_records_the_channel(client, invitation):
    send(client, "hi", channel="whatsapp")
    send(client, "4", channel="whatsapp")
    assert db.session.scalar(select(Answer.channel)) == "whatsapp"


def test_a_stranger_number_can_be_tried(client, invitation):
    send(client, "who is this?", phone="07700 900555")
    page = client.get("/dev/sms?phone=%2B447700900555").get_data(as_text=True)
    assert "We cannot answer it here" in page and "Dana" not in page.split("Conversation")[1]


@pytest.mark.parametrize("phone, body, error", [
    ("not a number", "hi", "Enter a UK mobile number"),
    (PHONE, "   ", "Enter a message"),
    (PHONE, "x" * 1601, "1600 characters or fewer"),
], ids=["bad-phone", "empty", "too-long"])
def test_bad_input_gets_a_clear_error_and_sends_nothing(client, invitation, phone, body, error):
    response = send(client, body, phone=phone)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and error in html
    assert "<title>Error:" in html and "govuk-error-summary" in html
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_the_outbox_lists_every_text_sent_and_its_json_twin(client, invitation):
    send_message(invitation, "Family Voice: a reminder", kind="reminder")
    html = client.get("/dev/outbox").get_data(as_text=True)
    assert "Family Voice: a reminder" in html and PHONE in html
    data = client.get("/dev/outbox.json").get_json()
    [message] = data["messages"]
    assert message["to"] == PHONE and message["body"] == "Family Voice: a reminder"
    assert message["invitation"] == invitation.id and message["status"] == "delivered" and message["time"]


def test_message_bodies_are_shown_as_text_never_html(client, invitation):
    send_message(invitation, "<script>alert(1)</script>", kind="reminder")
    assert "<script>alert(1)</script>" not in client.get("/dev/outbox").get_data(as_text=True)


def test_the_dev_pages_do_not_exist_in_production_settings(database_url, tmp_path):
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url, "DEV_PAGES": False,
                      "INSTANCE_DIR": str(tmp_path)})
    client = app.test_client()
    for path in ("/dev/sms", "/dev/outbox", "/dev/outbox.json"):
        assert client.get(path).status_code == 404
