"""Feedback from other sources read for risk and reviewed like answers (issue 18's gaps): a
disclosure in a complaint reaches the duty team, words the analysis cannot read wait in the
review queue for an interpreter, a person's correction teaches the model, and the trends and the
monthly pack count it as a source of its own, never showing its words."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.support.insights_data import add_answer
from tests.support.scheduler import london
from tests.support.staff import csrf_token, sign_in_as, staff_user
from voice_service import other_voices
from voice_service.analysis.review import labelled_examples_from_db
from voice_service.extensions import db
from voice_service.models import AuditEvent, LabelledExample, SafeguardingAlert, SourceFeedback

DISCLOSURE = "I made a complaint because my stepdad hits me and nobody did anything"
BENGALI = "আমার সমাজকর্মী আমাকে কখনো ফোন করে না"  # "my social worker never phones me"


def _post_feedback(client, text: str, source: str = "complaint"):
    today = date.today()
    return client.post("/learning/voices", data={
        "csrf_token": csrf_token(client, "/learning/voices"), "source": source,
        "gathered_on": [str(today.day), str(today.month), str(today.year)], "text": text, "service": "cp", "team": ""})


def test_a_complaint_with_a_disclosure_raises_an_alert_for_the_duty_team(app, client):
    qa = staff_user("qa", team=None)
    db.session.commit()
    sign_in_as(client, qa)
    outbox = app.extensions.setdefault("mail_outbox", [])
    told = len(outbox)

    response = _post_feedback(client, DISCLOSURE)

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "the duty team has been sent a safeguarding alert" in page and "follow the safeguarding procedure" in page
    feedback = db.session.scalar(select(SourceFeedback))
    alert = db.session.scalar(select(SafeguardingAlert))
    assert alert.source_feedback_id == feedback.id and alert.status == "open" and alert.notified_at is not None
    assert [item.source_feedback_id for item in alert.items] == [feedback.id]
    assert "hits me" in alert.items[0].evidence
    # the duty team is told where to look, never the words
    assert len(outbox) == told + 1 and f"/staff/alerts/{alert.id}" in outbox[-1]["body"]
    assert "stepdad" not in outbox[-1]["body"]
    # the duty team reads the words in the inbox, with where they came from
    sign_in_as(client, staff_user("admin", team=None))
    db.session.commit()
    assert "Feedback from another source" in client.get("/staff/alerts").get_data(as_text=True)
    alert_page = client.get(f"/staff/alerts/{alert.id}").get_data(as_text=True)
    assert "stepdad hits me" in alert_page and "Feedback staff recorded from another source: Complaint" in alert_page
    viewed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "alert_source_feedback_viewed"))
    assert viewed is not None and viewed.detail == {"source_feedback_id": feedback.id}   # audited as what was read


def test_an_imported_row_with_a_disclosure_raises_an_alert_too(app, runner, tmp_path):
    path = tmp_path / "voices.csv"
    path.write_text("source,gathered_on,text\n"
                    f"complaint,2026-10-03,{DISCLOSURE}\n"
                    "compliment,2026-10-05,Our social worker is kind and always listens to us\n", encoding="utf-8")
    outbox = app.extensions.setdefault("mail_outbox", [])
    told = len(outbox)
    result = runner.invoke(args=["voices", "import", str(path)])
    assert result.exit_code == 0, result.output
    alerts = db.session.scalars(select(SafeguardingAlert)).all()
    assert len(alerts) == 1 and alerts[0].source_feedback.source == "complaint"
    assert len(outbox) == told + 1


def test_words_about_suicide_give_the_recorder_the_crisis_numbers(app, client):
    sign_in_as(client, staff_user("qa", team=None))
    db.session.commit()
    response = _post_feedback(client, "At the forum a young person said they want to kill myself", "children_in_care_council")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Samaritans: 116 123" in page and "Childline 0800 1111" in page
    assert db.session.scalar(select(func.count()).select_from(SafeguardingAlert)) == 1


def test_a_bengali_line_waits_in_the_review_queue_for_an_interpreter(app, client):
    qa = staff_user("qa", team=None)
    db.session.commit()
    sign_in_as(client, qa)
    response = _post_feedback(client, BENGALI, "parent_carer_panel")
    feedback = db.session.scalar(select(SourceFeedback))
    assert feedback.language == "bn" and feedback.needs_interpreter is True
    # a person must read it today, as for an answer nobody here can read
    assert db.session.scalar(select(SafeguardingAlert.source_feedback_id)) == feedback.id
    assert response.status_code == 302

    queue = client.get("/insights/review").get_data(as_text=True)
    card = queue.split(f'id="feedback-{feedback.id}"')[1].split("</li>")[0]
    assert "Parent and Carer panel" in card and "Needs an interpreter" in card and "Written in Bengali" in card
    assert f"/insights/review/feedback/{feedback.id}" in card
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "source_feedback_viewed_in_review_queue"))
    page = client.get(f"/insights/review/feedback/{feedback.id}").get_data(as_text=True)
    assert BENGALI in page and "Needs an interpreter" in page and "Written in Bengali" in page


def test_a_correction_becomes_a_labelled_example_and_feeds_the_trends(app, client):
    qa = staff_user("qa", team=None)
    db.session.commit()
    sign_in_as(client, qa)
    _post_feedback(client, BENGALI, "parent_carer_panel")
    feedback = db.session.scalar(select(SourceFeedback))
    url = f"/insights/review/feedback/{feedback.id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "themes": ["worker_relationship", "communication"],
                                      "sentiment": "negative", "safeguarding": "no"})
    assert response.status_code == 302
    assert f"Feedback {feedback.id} reviewed" in client.get("/insights/review").get_data(as_text=True)
    db.session.expire_all()
    feedback = db.session.get(SourceFeedback, feedback.id)
    assert feedback.themes == ["worker_relationship", "communication"] and feedback.sentiment_source == "person"
    assert feedback.reviewed_by_id == qa.id
    assert f'id="feedback-{feedback.id}"' not in client.get("/insights/review").get_data(as_text=True)
    example = db.session.scalar(select(LabelledExample).where(LabelledExample.source_feedback_id == feedback.id))
    assert example.themes == ["worker_relationship", "communication"] and example.safeguarding is False
    assert any(e["text"] == BENGALI and e["sentiment"] == "negative" for e in labelled_examples_from_db())
    # the alert it raised stays open: only the duty team closes it
    assert db.session.scalar(select(SafeguardingAlert.status)) == "open"


def test_marking_feedback_as_a_disclosure_in_review_raises_an_alert(app, client):
    sign_in_as(client, staff_user("qa", team=None))
    db.session.commit()
    other_voices.record(None, "learning_conversation", date.today(), "zzzz qqqq")  # unreadable: the analysis is unsure
    db.session.commit()
    feedback = db.session.scalar(select(SourceFeedback))
    assert feedback.review_reason == "low_confidence" and not feedback.safeguarding
    assert "The analysis is unsure" in client.get("/insights/review").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SafeguardingAlert)) == 0
    url = f"/insights/review/feedback/{feedback.id}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "sentiment": "negative", "safeguarding": "yes"})
    alert = db.session.scalar(select(SafeguardingAlert))
    assert alert.source_feedback_id == feedback.id and alert.evidence == ["marked by a person in the review queue"]


def test_feedback_the_analysis_is_sure_of_does_not_wait_for_a_person(app):
    item = other_voices.record(None, "compliment", date.today(), "Our social worker is kind and always listens to us")
    db.session.commit()
    assert item.review_reason is None and item.themes and item.redacted_text


def _feedback(month_day: date, source: str, sentiment: str, themes: list[str], n: int, text: str):
    for _ in range(n):
        db.session.add(SourceFeedback(source=source, gathered_on=month_day, text=text, themes=themes,
                                      sentiment=sentiment, sentiment_source="model"))


@pytest.fixture
def november_feedback(app, time_machine):
    time_machine.move_to(london(2026, 12, 2, 9, 0))
    app.config["SUPPRESSION_THRESHOLD"] = 5
    november = date(2026, 11, 10)
    _feedback(november, "complaint", "negative", ["communication"], 6, "Nobody rang Ms Quill back about the letter")
    _feedback(november, "complaint", "neutral", ["communication", "meetings"], 5, "The meeting letter came late again")
    _feedback(november, "compliment", "positive", ["worker_relationship"], 7, "Our worker Ms Quill is always kind")
    _feedback(november, "compliment", "neutral", ["worker_relationship"], 5, "The worker was fine with us")
    _feedback(date(2026, 10, 10), "complaint", "negative", ["communication"], 5, "October words not for November")
    for _ in range(6):
        add_answer(month="2026-11", text="Nobody tells me anything", themes=("communication",), sentiment="negative")
    db.session.commit()


def test_the_monthly_pack_counts_other_sources_on_their_own(client, november_feedback):
    sign_in_as(client, staff_user("qa", team=None))
    db.session.commit()
    html = client.get("/insights/pack/2026-11.html").get_data(as_text=True)
    assert "From learning conversations, complaints and forums: 23" in html
    section = html.split('id="other-sources"')[1].split("<h2")[0]
    assert "Complaint" in section and "Compliment" in section and "Being kept informed" in section
    # nothing of the words, and the answers' own count stays the answers'
    for words in ("Ms Quill", "letter came late", "always kind", "October words"):
        assert words not in html
    rows = list(csv.reader(io.StringIO(client.get("/insights/pack/2026-11.csv").get_data(as_text=True))))
    heading = "From learning conversations, complaints and forums"
    assert ["other sources", heading, "pieces of feedback", "23"] in rows
    assert ["other sources", heading, "theme: Being kept informed", "11"] in rows
    assert ["other sources", heading, "sentiment: Positive", "7"] in rows
    assert ["other sources", heading, "theme: The meeting itself", "5"] in rows
    assert not any("Quill" in cell for row in rows for cell in row)


def test_the_monthly_audit_report_counts_other_sources_on_their_own(runner, tmp_path, november_feedback):
    result = runner.invoke(args=["report", "monthly", "--month", "2026-11", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text()
    section = html.split('id="other-sources"')[1].split("<h2")[0]
    assert "From learning conversations, complaints and forums: 23" in section
    assert "Complaint" in section and "Compliment" in section
    rows = list(csv.reader(io.StringIO((tmp_path / "other_sources.csv").read_text())))
    assert rows[0] == ["measure", "count"]
    assert ["pieces of feedback", "23"] in rows and ["theme: Being kept informed", "11"] in rows
    everything = html + "".join(p.read_text() for p in tmp_path.glob("*.csv"))
    for words in ("Ms Quill", "letter came late", "always kind", "October words"):
        assert words not in everything


def test_small_numbers_from_other_sources_are_hidden(client, november_feedback, app):
    app.config["SUPPRESSION_THRESHOLD"] = 6
    sign_in_as(client, staff_user("qa", team=None))
    db.session.commit()
    rows = list(csv.reader(io.StringIO(client.get("/insights/pack/2026-11.csv").get_data(as_text=True))))
    heading = "From learning conversations, complaints and forums"
    assert ["other sources", heading, "theme: The meeting itself", "[c]"] in rows  # 5, under the threshold of 6


def test_the_family_advisory_group_sees_the_counts_and_never_the_words(client, november_feedback):
    sign_in_as(client, staff_user("family_advisory", team=None))
    db.session.commit()
    page = client.get("/insights/?period=3").get_data(as_text=True)
    assert "From learning conversations, complaints and forums: 28" in page  # October and November
    for words in ("Ms Quill", "letter came late", "always kind", "October words", "Nobody rang"):
        assert words not in page
    assert client.get("/insights/review").status_code == 403
    assert client.get("/learning/voices").status_code == 403


def test_closing_its_alert_as_not_a_concern_teaches_the_flag_with_the_redacted_words(app):
    from voice_service.alerts import record_not_a_concern

    alerts: list = []
    feedback = other_voices.record(None, "complaint", date.today(), "My worker Zara Quill hits the table when she is cross",
                                   alerts=alerts)
    db.session.commit()
    assert len(alerts) == 1 and alerts[0].source_feedback_id == feedback.id
    assert record_not_a_concern(alerts[0], staff_user("admin", team=None), "About furniture, not a person") == 1
    db.session.commit()
    example = db.session.scalar(select(LabelledExample).where(LabelledExample.source_feedback_id == feedback.id))
    assert example.safeguarding is False and example.text == feedback.redacted_text and "Quill" not in example.text
