"""Voices from other sources: recorded or imported by staff, coded into the same themes, counted
by source (issue 18, item 8)."""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from tests.support.staff import csrf_token, sign_in_as, staff_user
from voice_service import other_voices
from voice_service.extensions import db
from voice_service.models import AuditEvent, SourceFeedback

CSV = """source,gathered_on,text,service,team
complaint,2026-10-03,Nobody called me back for three weeks and I never got the letter,cp,north
compliment,2026-10-05,Our social worker is kind and always listens to us,cin,
children_in_care_council,2026-10-10,We want to see our brothers and sisters more often,,
rumour,2026-10-11,Something,,
complaint,2026-13-01,Bad date,,
complaint,2026-10-12,,,
"""


def test_a_csv_is_coded_into_the_same_themes_and_each_bad_row_is_named(app):
    report = other_voices.import_csv(io.StringIO(CSV))
    db.session.commit()
    assert (report.rows, report.imported) == (6, 3)
    assert [p.split(":")[0] for p in report.problems] == ["line 5", "line 6", "line 7"]
    assert "source: must be one of" in report.problems[0] and "YYYY-MM-DD" in report.problems[1]
    items = {f.source: f for f in db.session.scalars(select(SourceFeedback))}
    assert "communication" in items["complaint"].themes and items["complaint"].sentiment == "negative"
    assert "family_contact" in items["children_in_care_council"].themes
    assert items["compliment"].sentiment == "positive"
    counts = other_voices.trends_by_source(date(2026, 10, 1), date(2026, 10, 31))
    assert counts["complaint"]["n"] == 1 and counts["complaint"]["themes"]["communication"] == 1
    assert other_voices.trends_by_source(date(2026, 11, 1), date(2026, 11, 30)) == {}


def test_qa_record_feedback_on_the_web_and_see_it_by_source_without_the_words(app, client):
    qa = staff_user("qa", team=None)
    db.session.commit()
    sign_in_as(client, qa)
    today = date.today()
    response = client.post("/learning/voices", data={
        "csrf_token": csrf_token(client, "/learning/voices"), "source": "family_advisory_group",
        "gathered_on": [str(today.day), str(today.month), str(today.year)],  # day, month, year boxes
        "text": "Parents said the reports arrive the night before the meeting", "service": "cp", "team": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Family Advisory Group" in page and "meetings (1)" in page
    assert "the night before" not in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "source_feedback_recorded"))
    assert event.user_id == qa.id


def test_words_that_may_mean_a_child_is_at_risk_are_pointed_out(app, client):
    sign_in_as(client, staff_user("admin", team=None))
    db.session.commit()
    today = date.today()
    response = client.post("/learning/voices", data={
        "csrf_token": csrf_token(client, "/learning/voices"), "source": "learning_conversation",
        "gathered_on": [str(today.day), str(today.month), str(today.year)], "text": "my dad hits me when he is drunk"})
    assert "follow the safeguarding procedure" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(SourceFeedback.safeguarding)) is True


def test_the_page_is_for_qa_and_admins_only(app, client):
    for role in ("chair", "worker"):
        sign_in_as(client, staff_user(role))
        db.session.commit()
        assert client.get("/learning/voices").status_code == 403


def test_the_command_line_imports_a_file(app, runner, tmp_path):
    path = tmp_path / "voices.csv"
    path.write_text(CSV.split("rumour")[0], encoding="utf-8")
    result = runner.invoke(args=["voices", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 of 3 rows." in result.output


def test_retention_removes_old_words_and_keeps_the_counts(app):
    from datetime import datetime, timezone

    from voice_service.data_protection import apply_retention

    other_voices.import_csv(io.StringIO(CSV))
    db.session.commit()
    counts = apply_retention(now=datetime(2028, 10, 4, tzinfo=timezone.utc), days=730)  # cut-off 5 October 2026
    assert counts["source_feedback"] == 1
    complaint = db.session.scalar(select(SourceFeedback).where(SourceFeedback.source == "complaint"))
    assert complaint.text == other_voices.FORGOTTEN and "communication" in complaint.themes
    assert complaint.redacted_text is None  # the redacted copy of the words goes with them
    assert "kind" in db.session.scalar(select(SourceFeedback.text).where(SourceFeedback.source == "compliment"))
    assert apply_retention(now=datetime(2028, 10, 4, tzinfo=timezone.utc), days=730)["source_feedback"] == 0
