"""The schedule follows what happens, at once: STOP and START by text, an invitation completed
or declined. (A meeting moved or cancelled through the API: test_api_meetings.py; an outcome
recorded on the meeting page: test_staff_meeting.py.)"""
from __future__ import annotations

from sqlalchemy import select

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.staff import sign_in_as, staff_user
from tests.support.sms import text
from voice_service.extensions import db
from voice_service.invitations import mark_completed, mark_declined
from voice_service.models import ScheduledMessage
from voice_service.scheduling.service import plan_invitation_messages

PHONE = "+447700900123"  # the number the webhook tests text from


def planned_invitation(chair=None, phone=PHONE):
    """An invitation three weeks before its meeting, planned: invite, two reminders, close."""
    meeting = make_meeting(meeting_type="cla_review", days_ahead=21, chair=chair)
    participant = make_participant(meeting, role="parent", name="Jo Example", phone=phone, channel="sms")
    invitation, _ = make_invitation(participant, "parent_survey_for_tests", status="scheduled")
    plan_invitation_messages(invitation)
    db.session.commit()
    return meeting, invitation


def states(invitation) -> dict[tuple[str, int], tuple[str, str | None]]:
    db.session.expire_all()
    return {
        (row.kind, row.sequence): (row.state, row.reason)
        for row in db.session.scalars(select(ScheduledMessage).where(ScheduledMessage.invitation_id == invitation.id))
    }


STEPS = {("invite", 0), ("reminder", 1), ("reminder", 2), ("close", 0)}


def test_texting_stop_cancels_the_pending_texts_at_once_and_staff_see_why(client):
    chair = staff_user("chair")
    meeting, invitation = planned_invitation(chair=chair)
    assert set(states(invitation)) == STEPS and {s for s, _ in states(invitation).values()} == {"pending"}

    text(client, "STOP")

    assert set(states(invitation).values()) == {("cancelled", "number opted out (texted STOP)")}
    sign_in_as(client, chair)
    page = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert "Texts to Jo Example" in page
    assert page.count("Cancelled: number opted out (texted STOP)") == len(STEPS)


def test_texting_start_plans_the_texts_again(client):
    _, invitation = planned_invitation()
    text(client, "STOP")
    assert {state for state, _ in states(invitation).values()} == {"cancelled"}
    text(client, "START")
    assert {state for state, _ in states(invitation).values()} == {"pending"}


def test_stop_from_another_number_changes_nothing(client):
    _, invitation = planned_invitation()
    text(client, "STOP", sender="+447700900999")
    assert {state for state, _ in states(invitation).values()} == {"pending"}


def test_completing_cancels_the_reminders_and_the_close(app):
    _, invitation = planned_invitation()
    mark_completed(invitation)
    db.session.commit()
    found = states(invitation)
    assert found[("reminder", 1)] == found[("reminder", 2)] == ("cancelled", "views already given")
    assert found[("close", 0)] == ("cancelled", "views already given")


def test_declining_cancels_everything_pending_the_close_included(app):
    _, invitation = planned_invitation()
    mark_declined(invitation)
    db.session.commit()
    assert set(states(invitation).values()) == {("cancelled", "invitation declined")}
