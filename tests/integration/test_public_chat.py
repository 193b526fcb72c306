"""Web chat behind the private link: the SMS conversation engine, one message per post."""
from __future__ import annotations

import pytest

from voice_service.extensions import db
from voice_service.models import AdvocacyRequest, Invitation
from tests.support.public_survey import csrf, current, install_test_survey, invite, text


@pytest.fixture
def survey(app):
    return install_test_survey(app)


def say(client, token, page: str, message: str):
    return client.post(f"/r/{token}/chat", data={"csrf_token": csrf(page), "message": message})


def test_the_chat_asks_the_first_question_and_links_to_the_form(client, survey):
    invitation, token = invite()
    page = text(client.get(f"/r/{token}/chat"))
    assert "How do you feel about your life at the moment?" in page
    assert "1 Very happy, 2 Happy" in page
    assert f'href="/r/{token}/q/feelings"' in page  # the form, for anyone who prefers it
    assert "Answer in a chat instead" in text(client.get(f"/r/{token}"))


def test_each_message_is_answered_and_saved_through_the_engine(client, survey):
    invitation, token = invite()
    page = text(client.get(f"/r/{token}/chat"))
    page = text(say(client, token, page, "2"))
    assert "Why do you feel like that?" in page
    page = text(say(client, token, page, "because of school <b>"))
    assert "because of school &lt;b&gt;" in page  # their words, shown escaped
    saved = current(invitation)
    assert saved["feelings"].value == '"happy"' and saved["feelings"].channel == "webchat"
    assert saved["feelings_why"].free_text == "because of school <b>"
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).conversation_state["current"] == "activities"


def test_a_reply_the_engine_cannot_read_gets_its_help_not_an_error(client, survey):
    invitation, token = invite()
    page = text(client.get(f"/r/{token}/chat"))
    response = say(client, token, page, "purple")
    assert response.status_code == 200
    assert "Sorry, I did not understand." in text(response)
    assert current(invitation) == {}


def test_an_empty_message_gets_a_clear_error(client, survey):
    invitation, token = invite()
    page = text(client.get(f"/r/{token}/chat"))
    body = text(say(client, token, page, "   "))
    assert "<title>Error: " in body and "Write a message, then press Send" in body


def test_finishing_the_chat_sends_the_answers(client, survey):
    invitation, token = invite()
    page = text(client.get(f"/r/{token}/chat"))
    for message in ("skip", "1 3", "yes", "skip", "2", "1 2"):
        page = text(say(client, token, page, message))
    db.session.expire_all()
    saved = db.session.get(Invitation, invitation.id)
    assert saved.status == "completed"
    assert saved.visibility == "worker_and_chair"
    assert saved.advocate_requested and saved.speak_to_chair_alone
    assert db.session.query(AdvocacyRequest).count() == 1
    assert client.get(f"/r/{token}/chat").headers["Location"].endswith(f"/r/{token}/done")
