"""The inbound SMS webhook, as Twilio and a person texting would see it. Every request is signed
the way Twilio signs it: RequestValidator(token).compute_signature(url, params)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from twilio.request_validator import RequestValidator

from tests.support.answers import save_answer_and_commit
from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.sms import BASE, PHONE, TOKEN, new_sid, reply_of, signed_post, text, twilio_params  # noqa: F401
from tests.support.surveys import sample_survey
from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.models import AdvocacyRequest, Answer, Message, OptOut, SafeguardingAlert, utcnow
from voice_service.surveys import SurveyRegistry

@pytest.fixture
def survey(app):
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


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# Signatures --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/sms/inbound", "/sms/status"])
@pytest.mark.parametrize("how", ["missing", "wrong", "other_url", "other_token", "tampered"])
def test_unsigned_or_wrongly_signed_requests_are_refused(client, invitation, path, how):
    params = twilio_params("4") if path == "/sms/inbound" else {"MessageSid": new_sid(), "MessageStatus": "delivered"}
    if how == "missing":
        response = signed_post(client, path, params, signature=False)
    elif how == "wrong":
        response = signed_post(client, path, params, signature="bm90IGEgc2lnbmF0dXJl")
    elif how == "other_url":
        response = signed_post(client, path, params, url="https://attacker.example" + path)
    elif how == "other_token":
        response = signed_post(client, path, params, token="someone-elses-token")
    else:
        signature = RequestValidator(TOKEN).compute_signature(BASE + path, params)
        response = signed_post(client, path, {**params, "Body" if "Body" in params else "MessageStatus": "failed"},
                               signature=signature)
    assert response.status_code == 403
    assert count(Message) == 0 and count(Answer) == 0


def test_signature_is_checked_against_the_public_url_not_the_host_asked(client, invitation):
    params = twilio_params("hello")
    signature = RequestValidator(TOKEN).compute_signature(BASE + "/sms/inbound", params)
    response = client.post("/sms/inbound", data=params, headers={"X-Twilio-Signature": signature},
                           base_url="http://internal-proxy:8000")
    assert response.status_code == 200


def test_a_request_that_is_not_a_message_is_a_clear_400(client, invitation):
    params = twilio_params("hi")
    del params["MessageSid"]
    params["SmsSid"] = ""
    response = signed_post(client, "/sms/inbound", params)
    assert response.status_code == 400 and "MessageSid" in response.get_data(as_text=True)
    assert count(Message) == 0


# The conversation by text ------------------------------------------------------------------

def test_a_whole_consultation_by_text(client, invitation, survey):
    first = text(client, "Hi")
    assert "(1/8) How do you feel about the meeting?" in first and "SKIP" in first
    replies = [text(client, t) for t in ("5", "Everyone was kind", "yeah", "b", "1 2", "no", "a", "3")]
    assert "Why did you choose that?" in replies[0]
    assert replies[-1].startswith("Thank you. Your answers have been saved.")
    stored = answers(invitation.id)
    assert set(stored) == {q.id for q in survey.questions}
    assert stored["feel"].value == '"5"' and stored["feel_why"].free_text == "Everyone was kind"
    assert all(a.channel == "sms" and a.provider_message_id.startswith("SM") for a in stored.values())
    db.session.refresh(invitation)
    assert invitation.status == "completed" and invitation.visibility == "chair_only"
    assert invitation.conversation_state["finished"] is True
    # Every inbound text is stored (encrypted) with the reply we gave, linked to the invitation.
    inbound = db.session.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()
    assert len(inbound) == 9 and all(m.invitation_id == invitation.id and m.reply_body for m in inbound)


def test_resumes_days_later_where_it_stopped(client, invitation, time_machine):
    time_machine.move_to(utcnow(), tick=True)
    invitation_id = invitation.id
    text(client, "hello")
    text(client, "4")
    db.session.remove()  # a new request days later: nothing kept in memory
    time_machine.shift(timedelta(days=3))
    reply = text(client, "It was OK")
    assert "Do you know why we are meeting?" in reply
    assert answers(invitation_id)["feel_why"].free_text == "It was OK"


def test_a_retry_gets_the_same_reply_and_records_nothing_twice(client, invitation):
    text(client, "hi")
    sid = new_sid()
    first = text(client, "4", sid=sid)
    again = text(client, "4", sid=sid)
    assert again == first and "Why did you choose that?" in first
    assert count(Message, Message.provider_sid == sid) == 1
    assert count(Answer, Answer.question_id == "feel") == 1
    assert invitation.conversation_state["current"] == "feel_why"


def test_when_answering_fails_the_text_is_still_kept_and_a_retry_answers_it(app, client, invitation, monkeypatch):
    """The raw message is written first and committed even when what follows fails: nothing a
    person sent is lost, the failure is not a reply, and Twilio's retry gets the real answer."""
    from voice_service.messaging import inbound

    text(client, "hi")
    sid = new_sid()
    real_converse = inbound._converse

    def broken(*args, **kwargs):
        raise RuntimeError("the engine fell over")

    monkeypatch.setattr(inbound, "_converse", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failed = signed_post(client, "/sms/inbound", twilio_params("4", sid=sid))
    assert failed.status_code == 500
    kept = db.session.scalars(select(Message).where(Message.provider_sid == sid)).one()
    assert kept.body == "4" and kept.reply_body is None
    assert "feel" not in answers(invitation.id)

    monkeypatch.setattr(inbound, "_converse", real_converse)
    assert "Why did you choose that?" in text(client, "4", sid=sid)
    assert count(Message, Message.provider_sid == sid) == 1
    assert count(Answer, Answer.question_id == "feel") == 1


def test_an_answer_by_text_replaces_one_given_on_the_web_form(client, invitation):
    save_answer_and_commit(invitation, "feel", value="2", channel="web")
    text(client, "hi")
    text(client, "4")
    feel = db.session.scalars(select(Answer).where(Answer.question_id == "feel").order_by(Answer.id)).all()
    assert [(a.channel, a.value, a.is_current) for a in feel] == [("web", '"2"', False), ("sms", '"4"', True)]


def test_an_answer_that_races_the_web_form_is_answered_again_not_lost(client, invitation, monkeypatch):
    """The text retires the question's current answer, then inserts its own; if the web form
    answers the same question in between, the unique current answer refuses the text's answer,
    and the text is answered again from the start instead of failing. The interleaving is made
    by letting the web answer stand through the text's first retire."""
    from voice_service.store import answers as answers_module

    text(client, "hi")
    save_answer_and_commit(invitation, "feel", value="2", channel="web")
    real = answers_module.retire_current_answer
    calls = []

    def web_answer_lands_after_the_retire(invitation_id, question_id):
        calls.append(question_id)
        if len(calls) > 1:
            real(invitation_id, question_id)

    monkeypatch.setattr(answers_module, "retire_current_answer", web_answer_lands_after_the_retire)
    sid = new_sid()
    assert "Why did you choose that?" in text(client, "4", sid=sid)
    assert len(calls) == 2  # refused once, answered on the second go
    assert count(Message, Message.provider_sid == sid) == 1
    feel = db.session.scalars(select(Answer).where(Answer.question_id == "feel").order_by(Answer.id)).all()
    assert [(a.channel, a.is_current) for a in feel] == [("web", False), ("sms", True)]


def test_whatsapp_addresses_work_and_the_channel_is_recorded(client, invitation):
    text(client, "hi", sender="whatsapp:" + PHONE)
    reply = text(client, "2 nobody listens", sender="whatsapp:" + PHONE)
    assert "Why did you choose that?" in reply
    answer = answers(invitation.id)["feel"]
    assert answer.channel == "whatsapp" and answer.free_text == "2 nobody listens"
    assert {m.channel for m in db.session.scalars(select(Message))} == {"whatsapp"}


def test_an_unknown_number_gets_a_polite_reply_that_reveals_nothing(client, invitation):
    reply = text(client, "hello who is this", sender="+447700900555")
    assert "020 7946 0000" in reply
    for secret in ("Alex", "meeting on", "How do you feel", "conference", "child"):
        assert secret not in reply
    message = db.session.scalar(select(Message))
    assert message.invitation_id is None and message.body == "hello who is this"


def test_a_number_whose_invitations_are_closed_gets_the_same_reply_as_a_stranger(client, invitation):
    stranger = text(client, "hello", sender="+447700900555")
    invitation.status = "completed"
    db.session.commit()
    assert text(client, "hello") == stranger


def test_a_parent_with_two_open_invitations_is_asked_which_first_by_date(client, survey):
    soon, later = make_meeting(meeting_type="cla_review", days_ahead=3), make_meeting(meeting_type="cp_conference", days_ahead=9)
    first, _ = make_invitation(make_participant(later, phone=PHONE, channel="sms"), survey.id, channel="sms")
    second, _ = make_invitation(make_participant(soon, phone=PHONE, channel="sms"), survey.id, channel="sms")
    prompt = text(client, "hello")
    assert "2 sets of questions" in prompt
    assert "Reply 1 for the meeting on" in prompt and "Reply 2 for the meeting on" in prompt
    for word in ("review", "conference", "looked", "protection"):
        assert word not in prompt.lower()
    assert text(client, "what?") == prompt  # unclear: asked again
    reply = text(client, "2")
    assert "(1/8)" in reply
    text(client, "4")
    assert set(answers(first.id)) == {"feel"} and answers(second.id) == {}  # #2 is the later meeting


def test_finishing_one_set_mentions_the_other(client, survey):
    soon, later = make_meeting(days_ahead=3), make_meeting(days_ahead=9)
    make_invitation(make_participant(soon, phone=PHONE, channel="sms"), survey.id, channel="sms")
    make_invitation(make_participant(later, phone=PHONE, channel="sms"), survey.id, channel="sms")
    text(client, "hi")
    text(client, "1")
    last = [text(client, "skip") for _ in range(7)][-1]
    assert "another set of questions" in last
    assert "(1/8)" in text(client, "ok")


def test_a_disclosure_raises_an_alert_at_once_and_the_reply_signposts_help_calmly(client, invitation, app):
    text(client, "hi")
    text(client, "2")
    reply = text(client, "my dad hits me and I am scared to go home")
    alert = db.session.scalar(select(SafeguardingAlert))
    assert alert is not None and alert.status == "open"
    assert alert.answer.free_text == "my dad hits me and I am scared to go home"
    assert reply.startswith("Thank you for telling us. If you want to talk, call 020 7946 0000")
    assert "Do you know why we are meeting?" in reply  # the conversation carries on
    for alarming in ("safeguarding", "abuse", "alert", "police", "social worker"):
        assert alarming not in reply.lower()


def test_asking_for_an_advocate_by_text_opens_a_request(client, invitation):
    text(client, "hi")
    for _ in range(5):  # feel (its follow-up is passed), know_why, where, helps, say
        text(client, "skip")
    text(client, "2")  # visibility: the meeting
    text(client, "1 2")  # an advocate, and to speak to the chair alone
    db.session.refresh(invitation)
    assert invitation.visibility == "meeting"
    assert invitation.advocate_requested and invitation.speak_to_chair_alone
    assert count(AdvocacyRequest, AdvocacyRequest.invitation_id == invitation.id) == 1


def test_a_very_long_joined_multipart_message_is_kept_whole(client, invitation):
    text(client, "hi")
    text(client, "3")
    long = ("This is a long message that arrived in many parts. " * 60).strip()
    text(client, long)
    assert answers(invitation.id)["feel_why"].free_text == long


# Opt-out -----------------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["STOP", "stop", "Stop!", " 'STOP' ", "stopall", "Unsubscribe.", "cancel", "END",
                                  "quit", "Stop please", "STOP ALL"])
def test_opt_out_keywords_opt_the_number_out(client, invitation, word):
    reply = text(client, word)
    assert "no more texts" in reply and "START" in reply
    assert count(OptOut, OptOut.phone_hash == phone_hash(PHONE)) == 1
    assert count(Answer) == 0


def test_stop_comes_before_the_conversation_and_start_opts_back_in(client, invitation):
    text(client, "hi")
    text(client, "STOP")
    assert text(client, "4") == ""  # nothing is texted back to a number that said STOP
    assert count(Answer) == 0
    assert "texts from" in text(client, "start")
    assert count(OptOut) == 0
    assert "Why did you choose that?" in text(client, "4")


def test_a_sentence_containing_stop_is_an_answer_not_an_opt_out(client, invitation):
    text(client, "hi")
    text(client, "2")
    text(client, "I want the arguing to stop")
    assert count(OptOut) == 0
    assert answers(invitation.id)["feel_why"].free_text == "I want the arguing to stop"


def test_help_says_who_we_are_and_a_phone_number_even_to_strangers(client, invitation):
    reply = text(client, "HELP", sender="+447700900555")
    assert "Family Voice" in reply and "020 7946 0000" in reply
    text(client, "hi")
    reply = text(client, "help")
    assert "020 7946 0000" in reply and "How do you feel" in reply


def test_an_expired_or_cancelled_invitation_takes_no_answers(client, invitation):
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    text(client, "hi")
    assert count(Answer) == 0


def test_a_name_in_a_texted_answer_is_taken_out_of_what_the_analysis_keeps(client, invitation):
    """The participant's own name (read with the invitation, not loaded again) is redacted from
    the copy of free text that trends and reviewers see; the answer itself is kept as sent."""
    text(client, "hi")
    text(client, "5")
    text(client, "Alex said the plan was explained well")
    why = answers(invitation.id)["feel_why"]
    assert why.free_text == "Alex said the plan was explained well"
    assert why.redacted_text == "[name] said the plan was explained well"
