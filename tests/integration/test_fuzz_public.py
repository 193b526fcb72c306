"""Random and hostile input through the public form and chat (hypothesis): never a 500, and what is
stored is what was sent (surrounding spaces aside), or nothing, with a clear error.

CSRF stays on except where a test says otherwise: the hostile request carries a real token, as an
attacker with the link would.
"""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.support.public_survey import csrf, current, install_test_survey, invite
from voice_service.extensions import db
from voice_service.models import Answer

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
HOSTILE = [
    "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "{{ 1234*5 }}", "{% for x in range(9) %}x{% endfor %}",
    "'; DROP TABLE answer; --", "1' OR '1'='1", "=HYPERLINK(\"http://x.invalid\",\"click\")", "@SUM(1+1)*cmd|' /C calc'!A0",
    "\x00nul in the middle\x00", "emoji 😀 and rtl \u202e text", "\ufeffbom", "a\r\nb\rc\nd", "\t=tab first",
]
# Text a browser can send: any character but surrogates (not encodable as UTF-8).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)


@pytest.fixture
def app_config():
    return {"PRIVATE_LINK_RATE_LIMIT": "100000 per minute", "STAFF_SIGN_IN_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def person(app):
    install_test_survey(app)
    invitation, token = invite()
    return invitation, token


def _form_token(client, token) -> str:
    return csrf(client.get(f"/r/{token}/q/worries").get_data(as_text=True))


def _stored(invitation, question_id: str) -> Answer | None:
    return current(invitation).get(question_id)


@FUZZ
@given(words=TEXT)
@example(words="x" * 2001)
def test_any_free_text_is_stored_exactly_or_refused_clearly(client, person, words):
    _check_free_text(client, person, words)


@pytest.mark.parametrize("words", HOSTILE)
def test_hostile_free_text_is_stored_exactly(client, person, words):
    _check_free_text(client, person, words)
    assert _stored(person[0], "worries").free_text == words.strip()


def _check_free_text(client, person, words):
    invitation, token = person
    before = db.session.scalar(select(func.count()).select_from(Answer))
    response = client.post(f"/r/{token}/q/worries", data={"csrf_token": _form_token(client, token), "answer": words})
    assert response.status_code in (302, 200), (response.status_code, words)
    if response.status_code == 302:
        stored = _stored(invitation, "worries")
        if words.strip():  # surrounding spaces and blank lines are not kept; everything else is
            assert stored.free_text == words.strip() and not stored.skipped
        else:
            assert stored.skipped and stored.free_text is None
    else:  # refused: a specific message, and nothing stored
        page = response.get_data(as_text=True)
        assert "There is a problem" in page and "characters or fewer" in page
        assert db.session.scalar(select(func.count()).select_from(Answer)) == before


@FUZZ
@given(fields=st.dictionaries(st.text(min_size=1, max_size=20), TEXT, max_size=30))
def test_random_fields_on_every_public_post_never_cause_a_500(client, person, fields):
    invitation, token = person
    fields = dict(fields)
    fields.setdefault("csrf_token", _form_token(client, token))
    for path in (f"/r/{token}/q/feelings", f"/r/{token}/q/activities", f"/r/{token}/q/worries", f"/r/{token}/check",
                 f"/r/{token}/language", f"/r/{token}/chat", f"/r/{token}/q/not-a-question"):
        response = client.post(path, data=fields)
        assert response.status_code < 500, (path, fields)


@FUZZ
@given(question_id=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60),
       token_guess=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80))
def test_random_paths_under_a_link_answer_a_page_or_a_redirect(client, person, question_id, token_guess):
    _invitation, token = person
    for path in (f"/r/{token}/q/{quote(question_id, safe='')}", f"/r/{quote(token_guess, safe='')}",
                 f"/r/{quote(token_guess, safe='')}/check", f"/r/{token}/q/{quote(question_id, safe='')}?change=1"):
        response = client.get(path)
        assert response.status_code in (200, 302, 308, 404, 410), (path, response.status_code)


@FUZZ
@given(target=st.one_of(TEXT, st.sampled_from([
    "//evil.example/r/", "https://evil.example/", "/\\evil.example", "/r/{token}/\r\nSet-Cookie: a=b",
    "/r/{token}/check\nLocation: https://evil.example", "/r/{token}/../../staff/", "javascript:alert(1)", "/r/{token}/%0d%0a",
])), language=st.one_of(TEXT, st.sampled_from(["en", "ar", "bn", "so", "xx", "../../etc"])))
def test_the_language_switch_only_ever_goes_back_to_a_page_behind_the_same_link(client, person, target, language):
    invitation, token = person
    target = target.replace("{token}", token)
    response = client.post(f"/r/{token}/language",
                           data={"csrf_token": _form_token(client, token), "language": language, "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"/r/{token}"), location
    assert "\r" not in location and "\n" not in location
    db.session.refresh(invitation)
    assert invitation.language in ("en", "ar", "bn", "so")


@FUZZ
@given(message=TEXT)
def test_any_chat_message_gets_a_page_and_free_text_is_kept_exactly(client, person, message):
    invitation, token = person
    # The same invitation serves every example: start each chat afresh, so earlier examples that
    # happened to answer every question (and finish the chat) cannot change what this one meets.
    invitation.conversation_state = None
    invitation.status = "sent"
    db.session.commit()
    page = client.get(f"/r/{token}/chat")
    assert page.status_code == 200, page.status_code
    before = db.session.scalar(select(func.max(Answer.id))) or 0
    response = client.post(f"/r/{token}/chat", data={"csrf_token": csrf(page.get_data(as_text=True)), "message": message})
    assert response.status_code in (200, 302), response.status_code
    db.session.expire_all()
    for answer in db.session.scalars(select(Answer).where(Answer.id > before)):
        assert answer.free_text in (None, message.strip()), (answer.free_text, message)


def test_a_huge_number_of_fields_is_harmless_within_the_size_limit_and_refused_beyond_it(client, person):
    invitation, token = person
    fields = {f"f{i}": "x" for i in range(5000)}
    fields.update(csrf_token=_form_token(client, token), answer="my own words")
    response = client.post(f"/r/{token}/q/worries", data=fields)
    assert response.status_code == 302 and _stored(invitation, "worries").free_text == "my own words"
    fields = {f"field{i}": "x" * 10 for i in range(20_000)}  # past MAX_CONTENT_LENGTH
    fields.update(csrf_token=_form_token(client, token), answer="other words")
    response = client.post(f"/r/{token}/q/worries", data=fields)
    assert response.status_code == 413 and "Your answer was too long to send" in response.get_data(as_text=True)
    assert _stored(invitation, "worries").free_text == "my own words"


def test_an_oversized_body_gets_the_plain_too_long_page_and_nothing_is_stored(client, person):
    invitation, token = person
    response = client.post(f"/r/{token}/q/worries",
                           data={"csrf_token": _form_token(client, token), "answer": "x" * 200_000})
    assert response.status_code == 413
    assert "Your answer was too long to send" in response.get_data(as_text=True)
    assert _stored(invitation, "worries") is None


@pytest.mark.parametrize("raw", [b"answer=%FF%FE%FD", b"answer=\xff\xfe\xfd", b"answer=ok%C3%28broken", b"answer=%ED%A0%80"])
def test_a_form_that_is_not_utf8_is_refused_plainly_and_nothing_is_stored(client, person, raw):
    """Found by this test: werkzeug kept the undecodable bytes as the text "%FF%FE%FD" and that
    was saved as the person's answer. Now the body is refused whole (security.Utf8Request)."""
    invitation, token = person
    body = b"csrf_token=" + _form_token(client, token).encode() + b"&" + raw
    response = client.post(f"/r/{token}/q/worries", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Your answer has not been saved yet" in response.get_data(as_text=True)
    assert _stored(invitation, "worries") is None


def test_the_language_switch_with_a_line_end_in_next_is_not_a_500(client, person):
    """Found by hypothesis: a `next` with a line end reached the Location header (a 500)."""
    _invitation, token = person
    response = client.post(f"/r/{token}/language", data={
        "csrf_token": _form_token(client, token), "language": "en", "next": f"/r/{token}/check\r\nSet-Cookie: a=b"})
    assert response.status_code == 302 and response.headers["Location"] == f"/r/{token}"
    assert "Set-Cookie" not in response.headers
