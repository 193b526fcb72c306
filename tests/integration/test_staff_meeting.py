"""The chair's pages: upcoming meetings, the meeting page, print view, read, outcome, advocacy."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.staff import (
    CHILD_WORDS, PARENT_WORDS, RISK_WORDS, csrf_token, meeting_with_views, past_meeting, sign_in_as, users,
)
from voice_service.extensions import db
from voice_service.models import AdvocacyRequest, AuditEvent, Action, Message, ScheduledMessage, utcnow


@pytest.fixture
def people(app):
    return users()


def test_the_meeting_page_puts_the_childs_own_words_first_with_labels_and_flags(client, people):
    meeting, _ = meeting_with_views(chair=people["chair"])
    sign_in_as(client, people["chair"])
    body = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert body.index("Maya") < body.index("Dana Lewis") < body.index("Chris Lewis")
    assert body.index(CHILD_WORDS) < body.index(PARENT_WORDS)
    # Within the child's column: own words before the scale answers.
    assert body.index(CHILD_WORDS) < body.index("Very sad")
    # The scale answer is shown with its label, the question in the survey's words.
    assert "Very sad" in body and "very_sad" not in body
    assert "Possible safeguarding concern" in body
    assert "Themes: Safety" in body
    assert "Who may see: My social worker and the chair" in body
    assert "Meeting " + meeting.meeting_ref in body


def test_the_upcoming_list_shows_each_invitation_state_and_whether_views_are_in(client, people):
    meeting = make_meeting(days_ahead=2, chair=people["chair"])
    states = {
        "Ali": ("scheduled", None, "Not sent"),
        "Bo": ("sent", "delivered", "Delivered"),
        "Cy": ("sent", "undelivered", "Delivery failed"),
        "Di": ("completed", "delivered", "Completed"),
        "Ed": ("opted_out", None, "Opted out"),
        "Fi": ("declined", None, "Declined"),
        "Gus": ("opened", "delivered", "Opened"),
        "Hal": ("sent", "sent", "Sent"),
    }
    for name, (status, message_status, _label) in states.items():
        participant = make_participant(meeting, role="parent", name=name)
        invitation, _ = make_invitation(participant, "parent_survey_for_tests", status=status)
        if message_status:
            db.session.add(Message(direction="outbound", invitation_id=invitation.id, status=message_status))
    later = make_meeting(days_ahead=20, chair=people["chair"])
    db.session.commit()
    sign_in_as(client, people["chair"])
    body = client.get("/staff/meetings").get_data(as_text=True)
    for name, (_status, _message, label) in states.items():
        row = body[body.index(f"{name} <span"):]
        row = row[: row.index("</tr>")]
        assert label in row, name
    assert "Views in" in body and "No views yet" in body
    assert later.meeting_ref not in body
    assert later.meeting_ref in client.get("/staff/meetings?days=28").get_data(as_text=True)


def test_a_chair_sees_their_own_meetings_by_default_and_can_see_all(client, people):
    mine = make_meeting(days_ahead=1, chair=people["chair"])
    other = make_meeting(days_ahead=1)
    db.session.commit()
    sign_in_as(client, people["chair"])
    body = client.get("/staff/meetings").get_data(as_text=True)
    assert mine.meeting_ref in body and other.meeting_ref not in body
    body = client.get("/staff/meetings?scope=all").get_data(as_text=True)
    assert mine.meeting_ref in body and other.meeting_ref in body


def test_the_print_view_is_dated_and_has_the_views(client, people):
    meeting, _ = meeting_with_views(chair=people["chair"])
    sign_in_as(client, people["chair"])
    body = client.get(f"/staff/meetings/{meeting.meeting_ref}/print").get_data(as_text=True)
    assert "Printed " in body and str(utcnow().year) in body
    assert CHILD_WORDS in body and PARENT_WORDS in body
    assert "govuk-service-navigation" not in body
    response = client.get("/static/staff.css")
    assert "@media print" in response.get_data(as_text=True)
    response.close()


def test_the_chair_marks_the_views_as_read(client, people):
    meeting, _ = meeting_with_views(chair=people["chair"])
    sign_in_as(client, people["chair"])
    url = f"/staff/meetings/{meeting.meeting_ref}"
    assert client.post(url + "/read").status_code == 400  # no CSRF token
    response = client.post(url + "/read", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    db.session.refresh(meeting)
    assert meeting.views_read_by_id == people["chair"].id and meeting.views_read_at is not None
    assert "Yes, by " + people["chair"].name in client.get(url).get_data(as_text=True)


def test_a_worker_cannot_mark_views_read_or_record_an_outcome(client, people):
    meeting, _ = past_meeting(chair=people["chair"])
    sign_in_as(client, people["worker"])
    url = f"/staff/meetings/{meeting.meeting_ref}"
    token = csrf_token(client, url)
    assert client.post(url + "/read", data={"csrf_token": token}).status_code == 403
    assert client.post(url + "/outcome", data={"csrf_token": token, "point": "p", "decision": "d"}).status_code == 403
    assert db.session.scalar(select(Action.id)) is None


def test_recording_an_outcome_plans_you_said_we_did_for_those_who_gave_views(client, people):
    meeting, invitations = past_meeting(chair=people["chair"])
    sign_in_as(client, people["chair"])
    url = f"/staff/meetings/{meeting.meeting_ref}"
    response = client.post(url + "/outcome", data={
        "csrf_token": csrf_token(client, url), "raised_by": str(invitations["mum"].id),
        "point": "Mum said the flat is damp", "decision": "Housing referral made this week",
    })
    assert response.status_code == 302
    action = db.session.scalar(select(Action))
    assert action.invitation_id == invitations["mum"].id and action.recorded_by_id == people["chair"].id
    said = db.session.scalars(select(ScheduledMessage).where(ScheduledMessage.kind == "you_said_we_did")).all()
    pending = {r.invitation_id for r in said if r.state == "pending"}
    assert pending == {invitations["mum"].id}  # mum completed and has a phone; dad did not finish
    assert all(r.due_at <= utcnow() + timedelta(days=1) for r in said if r.state == "pending")
    body = client.get(url).get_data(as_text=True)
    assert "Housing referral made this week" in body and "raised by Dana Lewis" in body
    # A second point adds no second message.
    client.post(url + "/outcome", data={"csrf_token": csrf_token(client, url), "raised_by": "",
                                        "point": "School", "decision": "Meeting with the school"})
    again = db.session.scalars(select(ScheduledMessage).where(ScheduledMessage.kind == "you_said_we_did",
                                                              ScheduledMessage.state == "pending")).all()
    assert len(again) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "outcome_recorded")) is not None


def test_an_outcome_cannot_be_recorded_before_the_meeting_or_without_words(client, people):
    meeting, _ = meeting_with_views(chair=people["chair"])
    sign_in_as(client, people["chair"])
    url = f"/staff/meetings/{meeting.meeting_ref}"
    body = client.get(url).get_data(as_text=True)
    assert "once the meeting has started" in body
    response = client.post(url + "/outcome", data={"csrf_token": csrf_token(client, url), "point": "x", "decision": "y"})
    assert response.status_code == 400
    assert "once the meeting has started" in response.get_data(as_text=True)
    meeting.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    response = client.post(url + "/outcome", data={"csrf_token": csrf_token(client, url), "point": "", "decision": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: " in body and "Enter the point that was discussed" in body
    assert "govuk-error-summary" in body
    assert db.session.scalar(select(Action.id)) is None


def test_an_advocacy_request_shows_until_it_is_handled(client, people):
    meeting, invitations = meeting_with_views(chair=people["chair"])
    invitations["mum"].advocate_requested = True
    db.session.add(AdvocacyRequest(invitation_id=invitations["mum"].id, status="open"))
    db.session.commit()
    sign_in_as(client, people["chair"])
    url = f"/staff/meetings/{meeting.meeting_ref}"
    body = client.get(url).get_data(as_text=True)
    assert "Requests for an advocate" in body and "Asked for an advocate" in body
    request_id = db.session.scalar(select(AdvocacyRequest.id))
    response = client.post(f"/staff/advocacy/{request_id}/handled", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert "Requests for an advocate" not in client.get(url).get_data(as_text=True)
    assert db.session.get(AdvocacyRequest, request_id).handled_by_id == people["chair"].id


def test_the_message_plan_is_on_the_meeting_page(client, people):
    meeting, invitations = meeting_with_views(chair=people["chair"])
    db.session.add(ScheduledMessage(invitation_id=invitations["mum"].id, kind="reminder", sequence=1,
                                    due_at=utcnow() + timedelta(days=1), state="pending"))
    db.session.add(ScheduledMessage(invitation_id=invitations["dad"].id, kind="invite", sequence=0,
                                    due_at=utcnow() - timedelta(days=1), state="failed", reason="provider refused"))
    db.session.commit()
    sign_in_as(client, people["chair"])
    body = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert "Texts to Dana Lewis" in body and "Reminder 1" in body
    assert "Failed: provider refused" in body


def test_an_unknown_meeting_is_a_plain_404(client, people):
    sign_in_as(client, people["chair"])
    response = client.get("/staff/meetings/NO-SUCH-MEETING")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_flagged_words_reach_the_page_only_for_those_allowed(client, people):
    meeting, _ = meeting_with_views(chair=people["chair"], child_visibility="chair_only")
    sign_in_as(client, people["worker"])
    body = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert RISK_WORDS not in body and "Possible safeguarding concern" not in body
