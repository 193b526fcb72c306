"""`flask demo`: what a newcomer sees first must be true, repeatable and harmless."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from voice_service.extensions import db
from voice_service.models import Answer, Invitation, Meeting, Participant, SafeguardingAlert, ScheduledMessage, User
from voice_service.vocab import MEETING_TYPES, STAFF_ROLES

LINK = re.compile(r"http://localhost/r/([A-Za-z0-9_-]{32})(?![/A-Za-z0-9_-])")  # form links, not "you said, we did" pages


def _counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Meeting, Participant, Invitation, Answer, User, ScheduledMessage, SafeguardingAlert)}


def test_demo_loads_a_week_of_meetings_with_working_links(app, runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    tokens = LINK.findall(result.output)
    counts = _counts()
    upcoming = db.session.scalar(select(func.count()).select_from(Invitation).join(Invitation.participant)
                                 .join(Participant.meeting).where(Meeting.status == "scheduled"))
    assert len(tokens) == upcoming >= 12  # every upcoming invitation's link is printed
    # every meeting type, Experience of Service included (a closed case's questionnaires)
    assert {m.meeting_type for m in db.session.scalars(select(Meeting))} == set(MEETING_TYPES)
    assert {u.role for u in db.session.scalars(select(User))} == set(STAFF_ROLES)
    assert counts["SafeguardingAlert"] >= 1 and counts["Answer"] >= 3
    assert counts["ScheduledMessage"] > 0
    # SMS participants are listed with their fictional numbers, from Ofcom's drama range
    numbers = re.findall(r"phone (\+\d+)", result.output)
    assert numbers and all(n.startswith("+447700900") for n in numbers)
    # each person is marked open or sent, and the texting hint names a phone that can still answer
    hinted = re.search(r'text "hi" as an open phone, e\.g\. (\+\d+)', result.output).group(1)
    hinted_row = next(line for line in result.output.splitlines() if f"phone {hinted}" in line)
    assert " open " in hinted_row
    sent_rows = [line for line in result.output.splitlines() if " sent " in line and "/r/" in line]
    assert sent_rows and len(sent_rows) == db.session.scalar(
        select(func.count()).select_from(Invitation).join(Invitation.participant).join(Participant.meeting)
        .where(Meeting.status == "scheduled", Invitation.status == "completed"))
    assert "password: demo-password-1" in result.output and "/dev/sms" in result.output
    assert all(client.get(f"/r/{t}", follow_redirects=True).status_code == 200 for t in tokens)


def test_demo_is_idempotent_and_its_links_stay_the_same(app, runner, client):
    first = runner.invoke(args=["demo"])
    before = _counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert _counts() == before
    assert LINK.findall(first.output) == LINK.findall(second.output)
    assert client.get(f"/r/{LINK.findall(second.output)[0]}", follow_redirects=True).status_code == 200


def test_the_link_in_the_texts_is_the_link_the_demo_printed(app, runner, client):
    from voice_service.messaging.senders import get_sender
    from voice_service.messaging.texts import compose_scheduled
    from voice_service.models import Message
    from voice_service.scheduling.dispatch import dispatch_due

    printed = set(LINK.findall(runner.invoke(args=["demo"]).output))
    # the invitations go out at the next decent hour: dispatch as the clock would then
    first_texts_due = db.session.scalar(select(func.max(ScheduledMessage.due_at)).where(ScheduledMessage.kind == "invite"))
    dispatch_due(get_sender(app), compose_scheduled, now=first_texts_due + timedelta(minutes=1))
    texted = {m for body in db.session.scalars(select(Message.body).where(Message.direction == "outbound"))
              for m in LINK.findall(body or "")}
    assert texted and texted <= printed
    for token in texted:
        assert client.get(f"/r/{token}", follow_redirects=True).status_code == 200


def test_unknown_meeting_type_is_refused_and_changes_nothing(app, runner):
    result = runner.invoke(args=["demo", "--meeting-types", "cp_conference,school_trip"])
    assert result.exit_code != 0
    assert "unknown meeting type 'school_trip'" in result.output
    assert "cp_conference" in result.output  # says what to choose from
    assert all(v == 0 for v in _counts().values())


def test_demo_history_gives_the_trends_page_figures_above_the_threshold(app, runner, client):
    import time

    assert runner.invoke(args=["demo"]).exit_code == 0
    held = db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.status == "held"))
    assert held >= 60
    fag = db.session.scalar(select(User).where(User.role == "family_advisory"))
    with client.session_transaction() as session:
        session["user_id"], session["seen"] = fag.id, time.time()
    page = client.get("/insights/").get_data(as_text=True)
    assert "Every figure for" not in page  # not everything hidden
    assert "Family time and contact" in page or "family_contact" in page


def test_demo_has_a_meeting_whose_people_can_open_you_said_we_did_and_two_actions(app, runner, client):
    from voice_service.models import LearningAction

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    links = re.findall(r"http://localhost(/r/[A-Za-z0-9_-]{32}/you-said-we-did)", result.output)
    assert len(links) == 2
    page = client.get(links[0]).get_data(as_text=True)
    assert "You said, we did" in page and "has not been written up yet" not in page
    actions = list(db.session.scalars(select(LearningAction)))
    assert len(actions) == 2 and any(a.published for a in actions)
    again = runner.invoke(args=["demo"])  # repeatable: nothing doubled
    assert again.exit_code == 0 and db.session.scalar(select(func.count()).select_from(LearningAction)) == 2


def test_demo_has_last_months_pack_with_an_exception_for_qa(app, runner, client, tmp_path):
    from tests.support.staff import sign_in_as, staff_user

    app.config["REPORTS_DIR"] = str(tmp_path / "reports")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    found = re.search(r"http://localhost(/insights/pack/(\d{4}-\d\d)\.html)", result.output)
    assert found, result.output
    assert (tmp_path / "reports" / found.group(2) / "pack.pdf").is_file()
    sign_in_as(client, staff_user("qa", team=None))
    html = client.get(found.group(1)).get_data(as_text=True)
    assert "1. Exceptions report" in html and "No exceptions this month" not in html
    assert "Actions past their due date" in html and "Chairs ask each child how they want to take part" in html
