"""The form behind a private link, through the Flask test client against the real database:
every page submit saves at once, follow-ups, skipping, check answers, sending, resuming,
who may see the answers and asking for help."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from voice_service.extensions import db
from voice_service.models import AdvocacyRequest, Answer, Invitation
from tests.support.public_survey import answer, csrf, current, install_test_survey, invite, text


@pytest.fixture
def survey(app):
    return install_test_survey(app)


def test_start_page_says_who_is_asking_and_why_and_marks_the_link_opened(client, survey):
    invitation, token = invite()
    response = client.get(f"/r/{token}")
    body = text(response)
    assert response.status_code == 200
    assert "There will be a meeting about you on" in body
    assert "The people at the meeting want to know what you think." in body
    assert "Questions? Call Family Voice on 020 7946 0000." in body  # placeholders filled in
    assert f'href="/r/{token}/q/feelings"' in body and "Start now" in body
    db.session.refresh(invitation)
    assert invitation.status == "opened"


def test_each_answer_is_saved_the_moment_its_page_is_submitted(client, survey):
    invitation, token = invite()
    response = answer(client, token, "feelings", answer="happy")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/r/{token}/q/feelings_why")  # the follow-up comes next
    saved = current(invitation)
    assert saved["feelings"].value == '"happy"' and saved["feelings"].channel == "web"
    assert db.session.get(Invitation, invitation.id).status == "in_progress"


def test_follow_up_is_only_asked_when_its_question_was_answered(client, survey):
    invitation, token = invite()
    response = answer(client, token, "feelings", skip="1")
    assert response.headers["Location"].endswith("/q/activities")
    assert current(invitation)["feelings"].skipped is True
    # Going to the follow-up directly sends the person to where they are up to instead.
    assert client.get(f"/r/{token}/q/feelings_why").headers["Location"].endswith("/q/activities")


def test_progress_and_back_link(client, survey):
    invitation, token = invite()
    answer(client, token, "feelings", answer="ok")
    body = text(client.get(f"/r/{token}/q/feelings_why"))
    assert "Question 2 of 7" in body
    assert f'href="/r/{token}/q/feelings"' in body and "govuk-back-link" in body
    first = text(client.get(f"/r/{token}/q/feelings"))
    assert "Question 1 of 7" in first and f'<a href="/r/{token}" class="govuk-back-link">' in first


def test_coming_back_carries_on_where_the_person_left_off(client, survey, app):
    invitation, token = invite()
    answer(client, token, "feelings", answer="sad")
    answer(client, token, "feelings_why", answer="I miss my friends")
    with app.app_context():  # a new browser: no cookies, its own request globals
        fresh = app.test_client()
        body = text(fresh.get(f"/r/{token}"))
        again = text(fresh.get(f"/r/{token}/q/feelings"))
    assert "Carry on" in body and f'href="/r/{token}/q/activities"' in body
    assert 'value="sad" checked' in again


def test_a_required_question_left_empty_shows_an_error_summary_and_saves_nothing(client, survey):
    invitation, token = invite()
    response = answer(client, token, "feel_safe")
    body = text(response)
    assert response.status_code == 200
    assert "<title>Error: " in body
    assert 'class="govuk-error-summary"' in body and 'href="#answer"' in body and "Choose an answer" in body
    assert "Skip this question" not in body  # a required question cannot be skipped
    assert "feel_safe" not in current(invitation)


def test_a_tampered_choice_gets_a_clear_message_not_a_400(client, survey):
    invitation, token = invite()
    response = answer(client, token, "feelings", answer="ecstatic")
    assert response.status_code == 200
    assert "Choose one of the answers shown" in text(response)
    assert current(invitation) == {}


def test_unexpected_fields_are_ignored(client, survey):
    invitation, token = invite()
    response = answer(client, token, "feelings", answer="happy", status="completed", invitation_id="1", question="x")
    assert response.status_code == 302
    saved = current(invitation)
    assert list(saved) == ["feelings"]
    assert db.session.get(Invitation, invitation.id).status == "in_progress"


def test_over_long_text_is_refused_with_the_limit_and_the_words_are_kept(client, survey):
    invitation, token = invite()
    answer(client, token, "feelings", answer="ok")
    long_text = "word " * 60  # 300 characters; this question allows 200
    response = answer(client, token, "feelings_why", answer=long_text)
    body = text(response)
    assert "Your answer must be 200 characters or fewer. It is 300 characters now." in body
    assert long_text.strip() in body  # nothing they typed is thrown away
    assert 'data-maxlength="200"' in body
    assert "feelings_why" not in current(invitation)


def test_multiple_choice_and_the_none_option(client, survey):
    invitation, token = invite()
    answer(client, token, "activities", answer=["music", "sport"])
    assert current(invitation)["activities"].value == '["sport", "music"]'
    response = answer(client, token, "advocate", answer=["advocate", "no_thanks"])
    assert "Choose “No thanks” on its own, or untick it" in text(response)


def test_double_submission_stores_one_answer(client, survey):
    invitation, token = invite()
    page = text(client.get(f"/r/{token}/q/feelings"))
    data = {"csrf_token": csrf(page), "revision": "", "answer": "happy"}
    first = client.post(f"/r/{token}/q/feelings", data=data)
    second = client.post(f"/r/{token}/q/feelings", data=data)
    assert first.status_code == second.status_code == 302
    assert "notice" not in second.headers["Location"]  # the same answer twice is not a conflict
    count = db.session.scalar(select(func.count()).select_from(Answer).where(Answer.invitation_id == invitation.id))
    assert count == 1


def test_two_windows_on_one_question_keep_the_latest_and_say_so(client, survey, app):
    invitation, token = invite()
    window_a = text(client.get(f"/r/{token}/q/feelings"))
    with app.app_context():  # a second browser: its own request globals
        assert answer(app.test_client(), token, "feelings", answer="sad").status_code == 302
    response = client.post(f"/r/{token}/q/feelings", data={"csrf_token": csrf(window_a), "revision": "", "answer": "happy"})
    assert "notice=other-window" in response.headers["Location"]
    assert "You also answered that question in another window" in text(client.get(response.headers["Location"]))
    history = db.session.scalars(select(Answer).where(Answer.invitation_id == invitation.id).order_by(Answer.id)).all()
    assert [(a.value, a.is_current) for a in history] == [('"sad"', False), ('"happy"', True)]  # nothing lost


def _answer_all(client, token):
    answer(client, token, "feelings", answer="very_happy")
    answer(client, token, "feelings_why", answer="I like my school")
    answer(client, token, "activities", answer=["games"])
    answer(client, token, "feel_safe", answer="yes")
    answer(client, token, "worries", skip="1")
    answer(client, token, "visibility", answer="worker_and_chair")
    return answer(client, token, "advocate", answer=["advocate", "speak_to_chair"])


def test_check_answers_lists_each_answer_with_a_change_link(client, survey):
    invitation, token = invite()
    last = _answer_all(client, token)
    assert last.headers["Location"].endswith(f"/r/{token}/check")
    body = text(client.get(f"/r/{token}/check"))
    assert "Check your answers" in body
    for words in ("Very happy", "I like my school", "Games", "Yes", "You did not answer this",
                  "My worker and the person who runs the meeting", "An advocate to help me"):
        assert words in body
    assert f'href="/r/{token}/q/worries?change=1"' in body
    # Changing an answer returns to the check page.
    response = answer(client, token, "worries", answer="Nothing really")
    assert response.headers["Location"].endswith("/q/worries") is False
    page = text(client.get(f"/r/{token}/q/worries?change=1"))
    changed = client.post(f"/r/{token}/q/worries?change=1", data={"csrf_token": csrf(page), "answer": "School trips"})
    assert changed.headers["Location"].endswith(f"/r/{token}/check")
    assert current(invitation)["worries"].free_text == "School trips"


def test_changing_an_answer_that_reveals_a_follow_up_asks_it_before_going_back(client, survey):
    invitation, token = invite()
    answer(client, token, "feelings", skip="1")
    page = text(client.get(f"/r/{token}/q/feelings?change=1"))
    response = client.post(f"/r/{token}/q/feelings?change=1", data={"csrf_token": csrf(page), "answer": "ok"})
    assert response.headers["Location"].endswith(f"/r/{token}/q/feelings_why?change=1")


def test_who_may_see_and_asking_for_an_advocate_are_kept_on_the_invitation(client, survey):
    invitation, token = invite()
    _answer_all(client, token)
    db.session.expire_all()
    saved = db.session.get(Invitation, invitation.id)
    assert saved.visibility == "worker_and_chair"
    assert saved.advocate_requested is True and saved.speak_to_chair_alone is True
    requests = db.session.scalars(select(AdvocacyRequest).where(AdvocacyRequest.invitation_id == invitation.id)).all()
    assert len(requests) == 1 and requests[0].status == "open"
    # Asking again makes no second request; taking it back before anyone acts removes it.
    answer(client, token, "advocate", answer=["advocate"])
    assert db.session.scalar(select(func.count()).select_from(AdvocacyRequest)) == 1
    answer(client, token, "advocate", answer=["no_thanks"])
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).advocate_requested is False
    assert db.session.scalar(select(func.count()).select_from(AdvocacyRequest)) == 0


def test_sending_the_answers_completes_the_invitation_once(client, survey):
    invitation, token = invite()
    _answer_all(client, token)
    page = text(client.get(f"/r/{token}/check"))
    sent = client.post(f"/r/{token}/check", data={"csrf_token": csrf(page)})
    assert sent.headers["Location"].endswith(f"/r/{token}/done")
    done = text(client.get(sent.headers["Location"]))
    assert "You have sent your views" in done and "0800 1111" in done and "020 7946 0002" in done
    assert "You asked for an advocate" in done
    db.session.expire_all()
    completed_at = db.session.get(Invitation, invitation.id).completed_at
    assert db.session.get(Invitation, invitation.id).status == "completed" and completed_at is not None
    # Pressing Send again (or from a second tab) changes nothing and says so.
    again = client.post(f"/r/{token}/check", data={"csrf_token": csrf(page)})
    assert "notice=already-sent" in again.headers["Location"]
    assert "We already have your answers" in text(client.get(again.headers["Location"]))
    assert db.session.get(Invitation, invitation.id).completed_at == completed_at
    assert client.get(f"/r/{token}").headers["Location"].endswith(f"/r/{token}/done")


def test_after_sending_an_answer_can_still_be_changed_until_the_link_closes(client, survey):
    invitation, token = invite()
    _answer_all(client, token)
    page = text(client.get(f"/r/{token}/check"))
    client.post(f"/r/{token}/check", data={"csrf_token": csrf(page)})
    assert f'href="/r/{token}/check"' in text(client.get(f"/r/{token}/done"))
    changed = answer(client, token, "feelings", answer="very_sad")
    assert changed.headers["Location"].endswith(f"/r/{token}/check")
    check = text(client.get(f"/r/{token}/check"))
    assert "Very sad" in check and "Send my answers" not in check
    history = db.session.scalars(
        select(Answer).where(Answer.invitation_id == invitation.id, Answer.question_id == "feelings").order_by(Answer.id)
    ).all()
    assert [(a.value, a.is_current) for a in history] == [('"very_happy"', False), ('"very_sad"', True)]
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "completed"


def test_sending_with_a_required_answer_missing_links_to_that_question(client, survey):
    invitation, token = invite()
    answer(client, token, "feelings", answer="ok")
    page = text(client.get(f"/r/{token}/check"))
    response = client.post(f"/r/{token}/check", data={"csrf_token": csrf(page)})
    body = text(response)
    assert "<title>Error: " in body
    assert "Answer this question: Are you safe at home?" in body  # the easy-read wording
    assert f'href="/r/{token}/q/feel_safe?change=1"' in body
    assert db.session.get(Invitation, invitation.id).status != "completed"


def test_easy_read_uses_the_short_wording_symbols_and_offers_read_aloud(client, app):
    install_test_survey(app)
    invitation, token = invite(easy_read=True)
    body = text(client.get(f"/r/{token}/q/feelings"))
    assert "How do you feel?" in body and "How do you feel about your life" not in body
    assert 'class="govuk-radios app-radios--symbols app-radios--easy-read"' in body
    assert '<span class="app-emoji" aria-hidden="true">😀</span><span class="app-emoji__label">Very happy</span>' in body
    assert 'data-module="app-read-aloud"' in body and "read-aloud.js" in body
    assert re.search(r'<p class="app-read-aloud" hidden>', body)  # hidden until the script finds speech


def test_standard_wording_without_easy_read(client, app):
    from tests.support.public_survey import sample_survey

    install_test_survey(app, sample_survey(easy_read=False))
    invitation, token = invite(role="parent")
    body = text(client.get(f"/r/{token}/q/feelings"))
    assert "How do you feel about your life at the moment?" in body
    # Issue 17: read-aloud for every age (hidden until the browser has a voice for the language).
    assert "read-aloud.js" in body and 'class="app-read-aloud" hidden' in body
    assert "There will be a meeting about you" not in text(client.get(f"/r/{token}"))


def test_an_answer_that_raises_a_safeguarding_alert_shows_help_at_once(client, survey):
    invitation, token = invite()
    answer(client, token, "feelings", answer="very_sad")
    response = answer(client, token, "feelings_why", answer="my dad hits me and I am scared to go home")
    saved = current(invitation)["feelings_why"]
    assert saved.safeguarding_flag is True
    assert "notice=help" in response.headers["Location"]
    body = text(client.get(response.headers["Location"]))
    assert "If you are in danger now, call 999." in body and "0800 1111" in body
