"""Security finding 3: a quote names nobody the service knows for that meeting, and reaches the
Family Advisory Group only after a person has read and approved it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.staff import csrf_token, sign_in_as, staff_user
from voice_service.answers import save_answer
from voice_service.extensions import db
from voice_service.models import AuditEvent, SharedQuote, ThemeTag

WORDS = "Maya Quill misses her nan so much and Priya Okafor was kind to us at Oakfield Primary"


@pytest.fixture
def meeting_quote(app):
    """A parent's shareable answer that names the child, the chair and a school."""
    app.config["SUPPRESSION_THRESHOLD"] = 1  # one answer is enough to show its theme here
    app.config["INSIGHTS_CACHE_SECONDS"] = 0
    chair = staff_user("chair", name="Priya Okafor")
    meeting = make_meeting(chair=chair, days_ahead=-1)
    make_participant(meeting, role="child", name="Maya Quill", phone=None)
    mum = make_participant(meeting, role="parent", name="Dana Lewis", phone="+447700900131")
    invitation, _ = make_invitation(mum, "parent_survey_for_tests")
    invitation.visibility = "meeting"
    answer = save_answer(invitation, "what_matters", free_text=WORDS, channel="web")
    if not answer.tags:  # whatever the model says, the quote needs a theme to be shown under
        db.session.add(ThemeTag(answer=answer, theme_id="family_contact", source="person"))
    db.session.commit()
    return answer


def _fag_page(client):
    sign_in_as(client, staff_user("family_advisory", team=None))
    return client.get("/insights/?period=1").get_data(as_text=True)


def test_the_analysis_takes_out_every_name_held_for_the_meeting(meeting_quote):
    redacted = meeting_quote.redacted_text
    assert "Maya" not in redacted and "Quill" not in redacted       # the child, named by her mum
    assert "Priya" not in redacted and "Okafor" not in redacted     # the chair
    assert "misses her nan" in redacted


def test_an_unapproved_quote_is_not_shared_and_qa_is_told_it_waits(client, meeting_quote):
    assert "misses her nan" not in _fag_page(client)
    sign_in_as(client, staff_user("qa", team=None))
    dashboard = " ".join(client.get("/insights/?period=1").get_data(as_text=True).split())
    assert "1 quote is waiting for approval" in dashboard
    queue = client.get("/insights/quotes").get_data(as_text=True)
    assert "misses her nan" in queue and "Maya" not in queue and "Okafor" not in queue
    assert db.session.scalar(select(AuditEvent.object_id).where(
        AuditEvent.action == "answer_viewed_for_quote_approval")) == str(meeting_quote.id)


def test_the_dashboard_counts_waiting_quotes_only_so_far_and_then_says_or_more(client, meeting_quote, monkeypatch):
    from voice_service.store import quotes

    monkeypatch.setattr(quotes, "WAITING_COUNTED_UP_TO", 1)
    sign_in_as(client, staff_user("qa", team=None))
    dashboard = " ".join(client.get("/insights/?period=1").get_data(as_text=True).split())
    assert "1 or more quotes are waiting for approval" in dashboard
    assert "1 quote is waiting" not in dashboard


def test_approved_words_are_shared_as_approved_and_cannot_put_a_known_name_back(client, meeting_quote):
    qa = staff_user("qa", team=None)
    sign_in_as(client, qa)
    url = f"/insights/quotes/{meeting_quote.id}"
    form = client.get(url).get_data(as_text=True)
    assert "misses her nan" in form and "Maya" not in form and "Okafor" not in form   # the words to start from
    # The officer takes out the school, and (by mistake) types the child's name back in.
    edited = "Maya misses her nan so much and the chair was kind to us at school"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "decision": "approved", "text": edited})
    assert response.status_code == 302
    quote = db.session.scalar(select(SharedQuote).where(SharedQuote.answer_id == meeting_quote.id))
    assert (quote.decision, quote.decided_by_id) == ("approved", qa.id)
    assert quote.text == "[name] misses her nan so much and the chair was kind to us at school"
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "quote_approved")) == {"edited": True}
    shared = _fag_page(client)
    assert "[name] misses her nan so much and the chair was kind to us at school" in shared
    assert "Maya" not in shared and "Oakfield" not in shared
    # Decided: it has left the queue, and cannot be decided twice.
    sign_in_as(client, qa)
    assert "0 quotes are waiting" in " ".join(client.get("/insights/quotes").get_data(as_text=True).split())
    assert client.get(url).status_code == 404


def test_a_withheld_quote_is_never_shared(client, meeting_quote):
    sign_in_as(client, staff_user("admin", team=None))
    url = f"/insights/quotes/{meeting_quote.id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "decision": "withheld", "text": "anything"})
    assert response.status_code == 302
    quote = db.session.scalar(select(SharedQuote).where(SharedQuote.answer_id == meeting_quote.id))
    assert (quote.decision, quote.text) == ("withheld", None)
    assert "misses her nan" not in _fag_page(client)


@pytest.mark.parametrize("data, message", [
    ({"decision": "approved", "text": "  "}, "Give the words to share, or choose not to share this quote"),
    ({"decision": "approved", "text": "word " * 60}, "Shorten the quote to 280 characters or fewer"),
    ({"text": "misses her nan"}, "Choose whether this quote may be shared"),
])
def test_a_bad_decision_is_refused_clearly_and_nothing_is_stored(client, meeting_quote, data, message):
    sign_in_as(client, staff_user("qa", team=None))
    url = f"/insights/quotes/{meeting_quote.id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(SharedQuote)) is None


@pytest.mark.parametrize("role", ["family_advisory", "worker", "chair"])
def test_only_qa_and_admins_approve_quotes(client, meeting_quote, role):
    sign_in_as(client, staff_user(role))
    assert client.get("/insights/quotes").status_code == 403
    assert client.get(f"/insights/quotes/{meeting_quote.id}").status_code == 403


def test_answers_that_may_not_be_quoted_never_wait_for_approval(client, meeting_quote):
    meeting_quote.invitation.visibility = "worker_and_chair"
    db.session.commit()
    sign_in_as(client, staff_user("qa", team=None))
    assert "misses her nan" not in client.get("/insights/quotes").get_data(as_text=True)
    assert client.get(f"/insights/quotes/{meeting_quote.id}").status_code == 404
