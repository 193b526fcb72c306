"""The review queue: QA officers confirm or correct suggestions; every view of answers is audited."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.support.factories import make_user
from tests.support.insights_data import add_answer
from voice_service.analysis.evaluate import load_labelled
from voice_service.analysis.review import labelled_examples_from_db
from voice_service.extensions import db
from voice_service.models import AuditEvent, LabelledExample, SafeguardingAlert, ThemeTag, utcnow


def sign_in(client, role):
    user = make_user(role=role)
    db.session.commit()
    with client.session_transaction() as s:
        s["user_id"] = user.id
        s["seen"] = utcnow().timestamp()
    return user


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def answer():
    a = add_answer(text="Maisie Quill never visits and I miss my brother", redacted="[name] never visits and I miss my brother",
                   themes=("worker_relationship", "safety"), sentiment="positive")
    db.session.commit()
    return a


def test_the_queue_lists_answers_waiting_and_audits_each_one_shown(client, answer):
    other = add_answer(text="School is good", themes=("education",))
    db.session.commit()
    qa = sign_in(client, "qa")
    html = client.get("/insights/review").get_data(as_text=True)
    assert "2 answers are waiting" in html
    assert "[name] never visits and I miss my brother" in html
    assert "Maisie" not in html                       # the list shows redacted words
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answer_viewed_in_review_queue")).all()
    assert {(e.user_id, e.object_type, e.object_id) for e in events} == {(qa.id, "answer", str(answer.id)), (qa.id, "answer", str(other.id))}


def test_opening_an_answer_shows_its_words_and_is_audited(client, answer):
    qa = sign_in(client, "qa")
    html = client.get(f"/insights/review/{answer.id}").get_data(as_text=True)
    assert "Maisie Quill never visits" in html
    assert 'value="worker_relationship" checked' in html and 'value="safety" checked' in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answer_viewed_for_review"))
    assert (event.user_id, event.object_type, event.object_id) == (qa.id, "answer", str(answer.id))


def test_a_correction_updates_tags_and_becomes_a_labelled_example(client, answer, tmp_path):
    qa = sign_in(client, "qa")
    token = csrf(client.get(f"/insights/review/{answer.id}").get_data(as_text=True))
    response = client.post(f"/insights/review/{answer.id}", data={
        "csrf_token": token, "themes": ["worker_relationship", "family_contact"], "sentiment": "negative", "safeguarding": "no"})
    assert response.status_code == 302
    tags = {t.theme_id: t for t in db.session.scalars(select(ThemeTag).where(ThemeTag.answer_id == answer.id))}
    assert tags["worker_relationship"].confirmed_by_id == qa.id and not tags["worker_relationship"].rejected
    assert tags["safety"].rejected and tags["safety"].confirmed_by_id == qa.id
    assert tags["family_contact"].source == "person" and tags["family_contact"].confirmed_at is not None
    db.session.refresh(answer)
    assert (answer.sentiment, answer.sentiment_source, answer.reviewed_by_id) == ("negative", "person", qa.id)
    example = db.session.scalar(select(LabelledExample).where(LabelledExample.answer_id == answer.id))
    assert example.text == "[name] never visits and I miss my brother"       # redacted words only
    assert example.themes == ["worker_relationship", "family_contact"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answer_reviewed")).detail["added"] == 1
    # The queue says so, and the answer has left it.
    html = client.get("/insights/review").get_data(as_text=True)
    assert "1 themes confirmed, 1 added, 1 removed" in html and "0 answers are waiting" in html

    # `flask analyse train` can read what labelled_examples_from_db gives.
    records = labelled_examples_from_db()
    assert records == [{"id": f"db-{example.id}", "text": "[name] never visits and I miss my brother", "question": None,
                        "themes": ["worker_relationship", "family_contact"], "sentiment": "negative", "safeguarding": False}]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert load_labelled(path)[0]["themes"] == ["worker_relationship", "family_contact"]


def test_reviewing_again_replaces_the_label_not_duplicates_it(client, answer):
    sign_in(client, "qa")
    for sentiment in ("negative", "neutral"):
        token = csrf(client.get(f"/insights/review/{answer.id}").get_data(as_text=True))
        client.post(f"/insights/review/{answer.id}", data={"csrf_token": token, "themes": ["safety"],
                                                            "sentiment": sentiment, "safeguarding": "no"})
    rows = labelled_examples_from_db()
    assert len(rows) == 1 and rows[0]["sentiment"] == "neutral"
    kept = db.session.scalars(select(ThemeTag).where(ThemeTag.answer_id == answer.id, ThemeTag.rejected.is_(False))).all()
    assert [t.theme_id for t in kept] == ["safety"]


def test_marking_a_disclosure_raises_an_alert_for_the_duty_team(client, answer):
    sign_in(client, "qa")
    token = csrf(client.get(f"/insights/review/{answer.id}").get_data(as_text=True))
    client.post(f"/insights/review/{answer.id}", data={"csrf_token": token, "themes": ["safety"],
                                                        "sentiment": "negative", "safeguarding": "yes"})
    alert = db.session.scalar(select(SafeguardingAlert).where(SafeguardingAlert.answer_id == answer.id))
    assert alert is not None and alert.status == "open"


def test_a_form_with_no_sentiment_is_refused_and_stores_nothing(client, answer):
    sign_in(client, "qa")
    token = csrf(client.get(f"/insights/review/{answer.id}").get_data(as_text=True))
    response = client.post(f"/insights/review/{answer.id}", data={"csrf_token": token, "themes": ["safety"], "safeguarding": "no"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html and "Choose the sentiment of the answer" in html
    assert db.session.scalar(select(LabelledExample)) is None
    db.session.refresh(answer)
    assert answer.reviewed_at is None


def test_an_unknown_theme_is_refused(client, answer):
    sign_in(client, "qa")
    token = csrf(client.get(f"/insights/review/{answer.id}").get_data(as_text=True))
    response = client.post(f"/insights/review/{answer.id}", data={"csrf_token": token, "themes": ["made_up"],
                                                                   "sentiment": "neutral", "safeguarding": "no"})
    assert response.status_code == 200
    assert db.session.scalar(select(LabelledExample)) is None


def test_an_unknown_answer_is_not_found(client):
    sign_in(client, "admin")
    assert client.get("/insights/review/999999").status_code == 404


@pytest.mark.parametrize("role", ["family_advisory", "chair", "worker"])
def test_only_qa_and_admin_can_review(client, answer, role):
    sign_in(client, role)
    assert client.get("/insights/review").status_code == 403
    assert client.post(f"/insights/review/{answer.id}", data={"sentiment": "neutral"}).status_code in (400, 403)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("answer_%"))) is None


# Finding 2: the review queue keeps to the meeting page's visibility rule --------------------------

@pytest.mark.parametrize("role", ["qa", "admin"])
def test_words_only_the_chair_may_read_are_not_shown_in_the_review_queue(client, role):
    add_answer(text="Only the chair should know that mum cries at night", visibility="chair_only")
    add_answer(text="Only my worker and the chair should hear about my dad", visibility="worker_and_chair")
    shown = add_answer(text="Everyone can hear that school is good", visibility="meeting")
    db.session.commit()
    sign_in(client, role)
    html = client.get("/insights/review").get_data(as_text=True)
    assert "1 answer is waiting" in html
    assert "Everyone can hear that school is good" in html
    assert "mum cries" not in html and "my dad" not in html
    assert "2 more answers are waiting that you cannot read here" in html
    # Nor are the held-back answers audited as viewed: they were not shown.
    viewed = db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "answer_viewed_in_review_queue")).all()
    assert viewed == [str(shown.id)]


def test_opening_a_chair_only_answer_for_review_is_refused_without_showing_it(client):
    hidden = add_answer(text="Only the chair should know that mum cries at night", visibility="chair_only")
    unchosen = add_answer(text="I have not said who may read this yet", visibility=None)
    open_to_all = add_answer(text="Everyone can hear that school is good", visibility="meeting")
    db.session.commit()
    sign_in(client, "qa")
    token = csrf(client.get(f"/insights/review/{open_to_all.id}").get_data(as_text=True))
    for answer in (hidden, unchosen):
        response = client.get(f"/insights/review/{answer.id}")
        assert response.status_code == 404
        assert "mum cries" not in response.get_data(as_text=True)
        refused = client.post(f"/insights/review/{answer.id}", data={
            "csrf_token": token, "themes": ["safety"], "sentiment": "negative", "safeguarding": "no"})
        assert refused.status_code == 404
        db.session.refresh(answer)
        assert answer.reviewed_at is None


def test_the_review_queue_rule_is_the_meeting_page_rule_for_every_role_and_choice(app):
    """The SQL form of the rule agrees with meetings.can_see_answers everywhere."""
    from voice_service.store.review import answers_visible_to
    from voice_service.meetings.rules import ANSWER_VISIBILITY, can_see_answers
    from voice_service.models import Invitation
    from voice_service.vocab import VISIBILITY

    choices = [*VISIBILITY, None, "something_else"]
    by_choice = {c: add_answer(text=f"words for {c}", visibility=c) for c in choices}
    db.session.commit()
    for role in ANSWER_VISIBILITY:
        seen = set(db.session.scalars(select(Invitation.visibility).where(
            Invitation.id.in_([a.invitation_id for a in by_choice.values()]), answers_visible_to(role))))
        assert seen == {c for c in choices if can_see_answers(role, c)}, role


def test_an_answer_in_a_language_the_analysis_cannot_read_is_marked_needs_an_interpreter(client):
    """Real analysis, no stubs: a Portuguese answer is named as Portuguese in the queue and on
    the answer's page, so the reviewer knows whom to ask; an English one is not marked."""
    from tests.support.answers import save_answer_and_commit
    from tests.support.staff import meeting_with_views

    _meeting, invitations = meeting_with_views(secret_parent=False)
    save_answer_and_commit(invitations["mum"], "what_matters", channel="web",
                           free_text="A minha filha está feliz na escola mas sente falta do pai")
    sign_in(client, "qa")
    html = client.get("/insights/review").get_data(as_text=True)
    assert html.count("Needs an interpreter") == 1
    assert "Written in Portuguese, which the service cannot read" in html
    [portuguese] = [a for a in invitations["mum"].answers if a.is_current and "escola" in (a.free_text or "")]
    page = client.get(f"/insights/review/{portuguese.id}").get_data(as_text=True)
    assert "Needs an interpreter" in page and "Written in Portuguese" in page
