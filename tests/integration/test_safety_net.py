"""Every word a person sends is read for risk before the reply, at every door: whatever question
is waiting, around a keyword, after STOP, from a number we do not know, after the survey has
finished, while we ask which of two meetings first, and in the web chat. A flagged message raises
the alert in the same transaction, on the message when no answer takes it; words about self-harm
or suicide get crisis numbers at any door, revealing nothing about any case."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text as sql

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.public_survey import csrf, install_test_survey, invite
from tests.support.public_survey import text as page_text
from tests.support.sms import PHONE, text
from voice_service.extensions import db
from voice_service.models import Answer, Message, SafeguardingAlert

DISCLOSURE = "no cos my mums boyfriend hits her and i dont feel safe at home"
STRANGER = "+447700900555"
CRISIS_NUMBERS = ("999", "116 123", "0800 1111", "85258")


@pytest.fixture
def survey(app):
    from tests.support.surveys import sample_survey
    from voice_service.surveys import SurveyRegistry

    survey = sample_survey()
    app.extensions["surveys"] = SurveyRegistry([survey])
    return survey


@pytest.fixture
def invitation(app, survey):
    meeting = make_meeting(days_ahead=6)
    participant = make_participant(meeting, role="parent", name="Alex Example", phone=PHONE, channel="sms")
    invitation, _ = make_invitation(participant, survey.id, channel="sms")
    return invitation


def answers(invitation_id: int) -> dict[str, Answer]:
    rows = db.session.scalars(select(Answer).where(Answer.invitation_id == invitation_id, Answer.is_current.is_(True)))
    return {a.question_id: a for a in rows}


def alerts() -> list[SafeguardingAlert]:
    db.session.expire_all()
    return db.session.scalars(select(SafeguardingAlert).order_by(SafeguardingAlert.id)).all()


def message_with(body: str) -> Message:
    return db.session.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id.desc())).first()


def test_a_disclosure_texted_in_reply_to_a_number_question_raises_an_alert_on_the_message(client, invitation):
    text(client, "hi")  # the 1-5 scale question is waiting
    reply = text(client, DISCLOSURE)
    [alert] = alerts()
    assert alert.answer_id is None and alert.message_id == message_with(DISCLOSURE).id
    assert alert.message.body == DISCLOSURE and alert.status == "open"
    assert reply.startswith("Thank you for telling us")  # calm, then the question again
    assert "Reply with a number from 1 to 5" in reply
    assert answers(invitation.id) == {}  # the engine still could not read it as a number


def test_words_around_a_keyword_are_read_not_lost(client, invitation):
    text(client, "hi")
    text(client, "stop, he hits me")
    assert len(alerts()) == 1


def test_a_disclosure_after_stop_raises_an_alert_and_sends_nothing_back(client, invitation):
    text(client, "STOP")
    assert text(client, "my dad hits me") == ""
    [alert] = alerts()
    assert alert.message.body == "my dad hits me"


def test_a_stranger_disclosing_gets_a_calm_reply_that_reveals_nothing(client, invitation):
    reply = text(client, "my step dad hits me", sender=STRANGER)
    [alert] = alerts()
    assert alert.message.invitation_id is None
    assert reply.startswith("Thank you for telling us") and "999" in reply
    for secret in ("Alex", "meeting", "conference", "feel"):
        assert secret not in reply


def test_self_harm_gets_crisis_numbers_at_any_door_even_from_a_stranger(client, invitation):
    reply = text(client, "i want to kill myself", sender=STRANGER)
    for number in CRISIS_NUMBERS:
        assert number in reply
    assert "Alex" not in reply and "meeting" not in reply
    assert len(alerts()) == 1


def test_self_harm_typed_at_a_number_question_gets_crisis_numbers_too(client, invitation):
    text(client, "hi")
    reply = text(client, "3 but i keep thinking about killing myself")
    for number in CRISIS_NUMBERS:
        assert number in reply
    [alert] = alerts()
    assert alert.answer is not None  # the words came with a number: the answer took them


def test_a_disclosure_after_the_survey_finished_still_raises_an_alert(client, invitation):
    invitation.conversation_state = {"v": 1, "started": True, "survey": "test_survey", "version": 1, "language": "en",
                                     "current": None, "history": [], "skipped": [], "tries": 0, "finished": True}
    db.session.commit()
    text(client, "he hurt me again last night")
    assert len(alerts()) == 1


def test_a_disclosure_while_asked_which_meeting_first_still_raises_an_alert(client, survey):
    for days in (3, 9):
        participant = make_participant(make_meeting(days_ahead=days), role="parent", phone=PHONE, channel="sms")
        make_invitation(participant, survey.id, channel="sms")
    assert "2 sets of questions" in text(client, "hello")
    reply = text(client, "my mums boyfriend hits me")
    assert len(alerts()) == 1 and "2 sets of questions" in reply


def test_an_ordinary_number_raises_nothing(client, invitation):
    text(client, "hi")
    text(client, "4")
    text(client, "it was ok i guess")
    assert alerts() == []


def test_one_disclosure_raises_one_alert_not_one_per_reading(client, invitation):
    text(client, "hi")
    text(client, "2")
    text(client, "my dad hits me and I am scared to go home")  # a free-text answer takes the words
    [alert] = alerts()
    assert alert.answer is not None and alert.message_id is None


# The web chat ---------------------------------------------------------------------------------

@pytest.fixture
def chat_survey(app):
    return install_test_survey(app)


def say(client, token, page: str, message: str):
    return client.post(f"/r/{token}/chat", data={"csrf_token": csrf(page), "message": message})


def test_a_disclosure_typed_in_the_chat_is_stored_encrypted_and_raises_an_alert(client, chat_survey):
    invitation, token = invite()
    page = page_text(client.get(f"/r/{token}/chat"))
    page = page_text(say(client, token, page, DISCLOSURE))  # a scale question is waiting
    assert "Thank you for telling us." in page  # acknowledged as the form does
    [alert] = alerts()
    line = alert.message
    assert line.channel == "webchat" and line.invitation_id == invitation.id and line.body == DISCLOSURE
    raw = db.session.execute(sql("SELECT body FROM message WHERE id = :id"), {"id": line.id}).scalar()
    assert "boyfriend" not in raw  # encrypted at rest, like a text
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.channel == "webchat")) == 1


def test_every_chat_line_is_kept_with_its_reply(client, chat_survey):
    invitation, token = invite()
    page = page_text(client.get(f"/r/{token}/chat"))
    say(client, token, page, "2")
    lines = db.session.scalars(select(Message).where(Message.channel == "webchat")).all()
    assert [(m.body, m.direction) for m in lines] == [("2", "inbound")]
    assert "Why do you feel like that?" in lines[0].reply_body


def test_self_harm_typed_in_the_chat_gets_crisis_numbers(client, chat_survey):
    invitation, token = invite()
    page = page_text(client.get(f"/r/{token}/chat"))
    page = page_text(say(client, token, page, "i want to end my life"))
    for number in CRISIS_NUMBERS:
        assert number in page


def test_help_in_the_chat_names_no_text_keywords(client, chat_survey):
    invitation, token = invite()
    page = page_text(client.get(f"/r/{token}/chat"))
    page = page_text(say(client, token, page, "help"))
    assert "Write SKIP to skip a question" in page and "STOP for no more texts" not in page


@pytest.mark.parametrize("words, to_read", [
    ("4", False), ("hi", False), ("Yes!", False), ("😢", False), ("SKIP", False),
    ("3 but i keep thinking about it", True), ("stop, he hits me", True), ("بابا يضربني", True), ("ajuda", True),
])
def test_only_messages_with_words_are_given_to_the_model(words, to_read):
    """A number, an emoji or a command word has nothing to read; every other word is read."""
    from voice_service.safety_net import has_words_to_read

    assert has_words_to_read(words) is to_read


def test_a_disclosure_texted_in_bengali_raises_an_alert_marked_for_an_interpreter(client, invitation):
    text(client, "hi")
    text(client, "2")
    text(client, "আমার বাবা আমাকে মারে, আমি বাড়ি যেতে ভয় পাই")  # my father hits me, I am afraid to go home
    [alert] = alerts()
    assert alert.answer is not None and alert.answer.safeguarding_flag
    assert any("interpreter" in str(e) for e in alert.items[0].evidence)
