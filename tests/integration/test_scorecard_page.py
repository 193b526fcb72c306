"""The scorecard on the QA pages, from real survey answers in the database."""
from __future__ import annotations

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.staff import sign_in_as, staff_user
from tests.support.answers import save_answer_and_commit
from voice_service.extensions import db


def _parents(n: int, value: str, service="cp", team="north"):
    for i in range(n):
        meeting = make_meeting(days_ahead=-1, service=service, team=team)
        parent = make_participant(meeting, role="parent", name=f"Parent {i}", phone=None)
        invitation, _ = make_invitation(parent, "cp_conference_parent", status="completed")
        save_answer_and_commit(invitation, "listened_to", value=value, channel="web")
        save_answer_and_commit(invitation, "complain", value="yes", channel="web", skipped=False)
    db.session.commit()


def test_qa_see_the_share_who_feel_listened_to_and_small_groups_hidden(client, app):
    app.config["SUPPRESSION_THRESHOLD"] = 5
    _parents(9, "agree", team="north")
    _parents(6, "disagree", team="north")
    _parents(2, "agree", team="south")
    sign_in_as(client, staff_user("qa", team=None))
    body = client.get("/learning/scorecard?period=1").get_data(as_text=True)
    assert "What good looks like" in body
    assert "Feel listened to" in body and "Know how to complain or get an advocate" in body
    # 11 of 17 agree overall (65%); 9 of 15 in the north team (60%); the south team's 2 are hidden.
    assert "65%" in body
    assert "[c]" in body


def test_only_qa_and_admins_see_the_scorecard(client):
    for role in ("chair", "worker"):
        sign_in_as(client, staff_user(role))
        assert client.get("/learning/scorecard").status_code == 403
    sign_in_as(client, staff_user("family_advisory", team=None))
    assert client.get("/learning/scorecard").status_code == 403


def test_the_monthly_report_carries_the_scorecard_in_its_page_and_a_csv(app):
    from flask import render_template

    from voice_service.analysis.report import build_monthly, csv_files
    from voice_service.models import utcnow

    _parents(6, "strongly_agree")
    _parents(5, "disagree")
    month = utcnow().strftime("%Y-%m")
    report = build_monthly(month, 5)
    assert report.scorecard.overall["listened_to"].share == 6 / 11
    csv = csv_files(report)["scorecard.csv"]
    assert "All,All,Feel listened to,6,11,54.5%" in csv
    html = render_template("reports/monthly.html", report=report)
    assert "What good looks like" in html and "Feel listened to" in html
