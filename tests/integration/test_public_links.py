"""Private links that cannot be used, guessing, security tokens, oversized posts and languages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import Answer, Invitation
from tests.support.public_survey import answer, csrf, expire, install_test_survey, invite, text


@pytest.fixture
def survey(app):
    return install_test_survey(app)


def test_an_unknown_link_gets_a_plain_404_page(client, survey):
    invite()
    response = client.get("/r/" + "A" * 32)
    body = text(response)
    assert response.status_code == 404
    assert "This link does not work" in body and "020 7946 0000" in body
    assert "Maya" not in body and "CASE-" not in body and "meeting about you" not in body


@pytest.mark.parametrize("path", ["", "/q/feelings", "/check", "/done"])
def test_an_expired_link_gets_a_plain_410_page_that_reveals_nothing(client, survey, path):
    invitation, token = invite()
    expire(invitation)
    response = client.get(f"/r/{token}{path}")
    body = text(response)
    assert response.status_code == 410
    assert "This link has closed" in body and "020 7946 0000" in body
    assert "Maya" not in body and "meeting about you" not in body and "How do you feel" not in body


def test_a_link_for_a_cancelled_meeting_is_closed(client, survey):
    invitation, token = invite()
    invitation.participant.meeting.status = "cancelled"
    db.session.commit()
    assert client.get(f"/r/{token}").status_code == 410


def test_answers_posted_to_an_expired_link_are_refused_plainly(client, survey):
    invitation, token = invite()
    page = text(client.get(f"/r/{token}/q/feelings"))
    expire(invitation)
    response = client.post(f"/r/{token}/q/feelings", data={"csrf_token": csrf(page), "answer": "happy"})
    assert response.status_code == 410
    assert db.session.scalars(select(Answer)).all() == []


class TestGuessing:
    @pytest.fixture
    def app_config(self):
        return {"PRIVATE_LINK_RATE_LIMIT": "5 per minute"}

    def test_the_sixth_unknown_link_in_a_minute_gets_a_plain_429_page(self, client, survey):
        for n in range(5):
            assert client.get(f"/r/guess{n:027d}").status_code == 404
        response = client.get("/r/guess-number-six-xxxxxxxxxxxxxx")
        assert response.status_code == 429
        body = text(response)
        assert "Please wait a minute" in body and "<html" in body
        assert 1 <= int(response.headers["Retry-After"]) <= 61
        assert not any(h.startswith("X-RateLimit") for h in response.headers.keys())

    def test_real_links_do_not_use_up_the_allowance(self, client, survey):
        invitation, token = invite()
        for _ in range(8):
            assert client.get(f"/r/{token}/q/feelings").status_code == 200

    def test_a_familys_link_still_works_after_others_on_the_network_used_up_the_allowance(self, client, survey):
        """Issue 19, finding 11: once guessers on the same address had used the budget, a
        family's valid link got 429 too. Only unknown links are limited now."""
        invitation, token = invite()
        for n in range(6):
            client.get(f"/r/guess{n:027d}")
        assert client.get("/r/guess-number-seven-xxxxxxxxxxxxx").status_code == 429
        assert client.get(f"/r/{token}/q/feelings").status_code == 200
        assert client.get(f"/r/{token}").status_code in (200, 302)


def test_a_missing_security_token_keeps_the_answer_on_the_page_to_send_again(client, survey):
    invitation, token = invite()
    response = client.post(f"/r/{token}/q/feelings_why", data={"answer": "x"})  # not shown yet: any page works
    assert response.status_code == 400
    answer(client, token, "feelings", answer="ok")
    response = client.post(f"/r/{token}/q/feelings_why", data={"csrf_token": "tampered", "answer": "I miss my nan"})
    body = text(response)
    assert response.status_code == 400
    assert "Your answer has not been saved yet. Check it, then press Continue again." in body
    assert "I miss my nan" in body  # nothing lost
    assert "feelings_why" not in {a.question_id for a in db.session.scalars(select(Answer))}
    # Pressing Continue again on that page works.
    again = client.post(f"/r/{token}/q/feelings_why", data={"csrf_token": csrf(body), "answer": "I miss my nan"})
    assert again.status_code == 302
    assert db.session.scalar(select(Answer).where(Answer.question_id == "feelings_why")).free_text == "I miss my nan"


def test_a_bad_security_token_on_sending_gets_a_clear_page(client, survey):
    invitation, token = invite()
    response = client.post(f"/r/{token}/check", data={"csrf_token": "nope"})
    body = text(response)
    assert response.status_code == 400
    assert "Sorry, something went wrong" in body and f'href="/r/{token}"' in body
    assert db.session.get(Invitation, invitation.id).status != "completed"


def test_an_enormous_post_gets_a_plain_413_page(client, survey, app):
    invitation, token = invite()
    response = client.post(f"/r/{token}/q/feelings", data={"answer": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413
    assert "Your answer was too long to send" in text(response)


def test_switching_language_keeps_the_answers_and_turns_the_page_right_to_left(client, survey):
    invitation, token = invite()
    answer(client, token, "feelings", answer="happy")
    page = text(client.get(f"/r/{token}/q/feelings"))
    response = client.post(
        f"/r/{token}/language", data={"csrf_token": csrf(page), "language": "ar", "next": f"/r/{token}/q/feelings"}
    )
    assert response.headers["Location"].endswith(f"/r/{token}/q/feelings")
    arabic = text(client.get(response.headers["Location"]))
    assert '<html lang="ar"' in arabic and 'dir="rtl"' in arabic
    assert 'value="happy" checked' in arabic  # the answer is still there
    assert db.session.get(Invitation, invitation.id).language == "ar"
    assert "This is a draft translation" not in arabic  # said in Arabic, not English
    assert "مسودة" in arabic  # "draft"


def test_the_language_switcher_only_goes_back_to_pages_behind_the_same_link(client, survey):
    invitation, token = invite()
    page = text(client.get(f"/r/{token}"))
    response = client.post(
        f"/r/{token}/language", data={"csrf_token": csrf(page), "language": "so", "next": "https://evil.example/"}
    )
    assert response.headers["Location"].endswith(f"/r/{token}")


def test_an_unoffered_language_is_ignored(client, survey):
    invitation, token = invite()
    page = text(client.get(f"/r/{token}"))
    client.post(f"/r/{token}/language", data={"csrf_token": csrf(page), "language": "xx", "next": f"/r/{token}"})
    assert db.session.get(Invitation, invitation.id).language == "en"


def test_pages_are_not_cached_and_send_no_referrer(client, survey):
    invitation, token = invite()
    response = client.get(f"/r/{token}")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_every_question_of_every_real_survey_renders(client, app):
    """The real survey files: each question page renders in each offered (or draft) language."""
    from voice_service.surveys import registry

    from tests.support.factories import make_invitation, make_meeting, make_participant

    surveys = registry(app).latest()
    assert surveys, "no surveys found"
    for survey in surveys:
        meeting = make_meeting(meeting_type=survey.meeting_types[0])
        role = survey.roles[0]
        participant = make_participant(meeting, role=role, phone=None)
        invitation, token = make_invitation(participant, survey.id, survey.version)
        for language in survey.languages + survey.draft_languages:
            invitation.language = language
            db.session.commit()
            for question in survey.questions:
                if question.follow_up_of:
                    continue
                response = client.get(f"/r/{token}/q/{question.id}")
                assert response.status_code == 200, (survey.id, language, question.id)
                assert re.search(r"<h1[^>]*>", text(response))


def test_the_real_parent_form_is_offered_in_draft_arabic_bengali_and_somali(client, app):
    from tests.support.factories import make_invitation, make_meeting, make_participant

    participant = make_participant(make_meeting(), role="parent", language="ar")
    invitation, token = make_invitation(participant, "cp_conference_parent")
    body = text(client.get(f"/r/{token}"))
    assert "رأيك قبل مؤتمر حماية الطفل" in body  # the survey title, translated
    assert "هذه مسودة ترجمة" in body  # and marked as a draft
    assert "{phone}" not in body and "020 7946 0000" in body  # the intro's placeholder, filled in
    for code, name in (("bn", "বাংলা"), ("so", "Soomaali"), ("en", "English")):
        assert f'value="{code}" lang="{code}">{name}</button>' in body
    question = text(client.get(f"/r/{token}/q/understand_why"))
    assert "إلى أي مدى تفهم لماذا تعمل خدمات الأطفال مع عائلتك؟" in question


def test_a_survey_that_used_to_be_english_only_is_offered_in_draft_arabic(client, app):
    """Issue 17: every survey is in four languages now (cin_review_parent was English only)."""
    from tests.support.factories import make_invitation, make_meeting, make_participant

    participant = make_participant(make_meeting(meeting_type="cin_review"), role="parent", language="ar")
    invitation, token = make_invitation(participant, "cin_review_parent")
    body = text(client.get(f"/r/{token}"))
    assert '<html lang="ar"' in body and 'name="language"' in body
    assert "هذه مسودة ترجمة" in body  # marked as a draft
    assert "Samaritans" in body and "116 123" in body  # a parent's help is for adults
