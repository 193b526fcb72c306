"""Issue 17: the start, check-your-answers and confirmation pages in easy read for children under 8
(and anyone with easy_read): one short idea a line, a picture beside it, read-aloud offered."""
from __future__ import annotations

from tests.support.public_survey import answer, csrf, install_test_survey, invite, sample_survey, text


def _send(client, token):
    answer(client, token, "feelings", answer="4")
    answer(client, token, "feel_safe", answer="yes")
    page = text(client.get(f"/r/{token}/check"))
    return client.post(f"/r/{token}/check", data={"csrf_token": csrf(page)})


def test_under_8_start_page_is_easy_read_one_idea_a_line_with_pictures(client, app):
    install_test_survey(app)
    _, token = invite(age_band="under_8")
    body = text(client.get(f"/r/{token}"))
    assert 'class="govuk-list app-easy-read"' in body
    assert "You can skip a question." in body and "You can stop and come back later." in body
    assert '<span class="app-easy-read__picture" aria-hidden="true">⏭️</span>' in body
    assert "You can skip any question you do not want to answer." not in body  # the standard wording
    assert 'data-module="app-read-aloud"' in body and "Read this page out loud" in body


def test_under_8_check_and_confirmation_pages_are_easy_read(client, app):
    install_test_survey(app)
    _, token = invite(age_band="under_8")
    answer(client, token, "feelings", answer="4")
    check = text(client.get(f"/r/{token}/check"))
    assert "Press the green button to send them." in check and "Press Change to change an answer." in check
    assert "When you press the button, we will send your answers" not in check
    assert "app-easy-read__button" in check  # the large Send button
    sent = _send(client, token)
    done = text(client.get(sent.headers["Location"]))
    assert "The chair will read your answers." in done and "Childline is free. Call 0800 1111." in done
    assert "What happens next" not in done


def test_easy_read_pages_are_in_the_person_s_language(client, app):
    install_test_survey(app)
    _, token = invite(language="bn")
    assert "তুমি একটি প্রশ্ন বাদ দিতে পারো।" in text(client.get(f"/r/{token}"))
    assert "পাঠাতে সবুজ বোতাম চাপো।" in text(client.get(f"/r/{token}/check"))
    _, token = invite(language="ar")
    assert "يمكنك تخطي سؤال." in text(client.get(f"/r/{token}"))
    _, token = invite(language="so")
    assert "Su'aal waad ka boodi kartaa." in text(client.get(f"/r/{token}"))


def test_an_adult_with_easy_read_gets_easy_read_pages_with_adult_help(client, app):
    install_test_survey(app, sample_survey(easy_read=False))
    _, token = invite(role="parent", easy_read=True)
    assert "You can skip a question." in text(client.get(f"/r/{token}"))
    done = text(client.get(_send(client, token).headers["Location"]))
    assert "Samaritans: call 116 123" in done and "Childline is free" not in done


def test_without_easy_read_the_standard_pages_are_shown(client, app):
    install_test_survey(app, sample_survey(easy_read=False))
    _, token = invite(role="parent")
    body = text(client.get(f"/r/{token}"))
    assert "app-easy-read" not in body and "You can skip any question you do not want to answer." in body


def test_a_real_under_8_survey_starts_and_checks_in_easy_read(client):
    """The shipped under-8 questionnaire (not only the test survey) gets the easy-read pages."""
    from tests.support.factories import make_invitation, make_meeting, make_participant

    meeting = make_meeting(age_band="under_8")
    child = make_participant(meeting, role="child", name="Mia Test", phone=None, age_band="under_8")
    _invitation, token = make_invitation(child, "cp_conference_child_under_8")
    start = text(client.get(f"/r/{token}"))
    assert 'class="govuk-list app-easy-read"' in start and "You can skip a question." in start
    check = text(client.get(f"/r/{token}/check"))
    assert "Press the green button to send them." in check
