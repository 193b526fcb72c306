"""'You said, we did' behind each person's own link, by their route, and the follow-up."""
from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from tests.support.staff import (
    CHILD_WORDS, PARENT_WORDS, RISK_WORDS, SECRET_WORDS, csrf_token, past_meeting, sign_in_as, staff_user,
)
from voice_service.extensions import db
from voice_service.invitations import link_token
from voice_service.meetings.changes import record_outcome
from voice_service.models import AuditEvent, ScheduledMessage, YouSaidWeDid, utcnow


def _outcome(meeting, invitations, chair):
    record_outcome(meeting, chair, "Maya wants to live with her nan", "Nan's house will be assessed this month",
                   invitations["child"].id)
    record_outcome(meeting, chair, "Dad's worry about his brother", "Dad will meet the worker", invitations["dad"].id)
    record_outcome(meeting, chair, "School", "The school will get the plan")
    db.session.commit()


def _page(client, invitation):
    return client.get(f"/r/{link_token(invitation)}/you-said-we-did")


def test_the_child_sees_their_own_words_and_what_was_decided_but_not_others_points(client, app):
    chair = staff_user("chair")
    meeting, invitations = past_meeting(chair=chair)
    _outcome(meeting, invitations, chair)
    body = _page(client, invitations["child"]).get_data(as_text=True)
    assert "You said, we did" in body
    assert CHILD_WORDS in body
    assert RISK_WORDS not in body  # flagged as a possible disclosure: never shown again here
    assert "Nan&#39;s house will be assessed this month" in body and "You raised this" in body
    assert "The school will get the plan" in body
    assert "Dad will meet the worker" not in body and SECRET_WORDS not in body
    assert 'data-module="app-read-aloud"' in body  # easy-read with read-aloud for a child
    record = db.session.scalar(select(YouSaidWeDid).where(YouSaidWeDid.invitation_id == invitations["child"].id))
    assert record.first_viewed_at is not None and record.route == "in_person"


def test_the_page_works_after_the_link_has_closed_and_an_unknown_link_gets_404(client):
    chair = staff_user("chair")
    meeting, invitations = past_meeting(chair=chair)
    _outcome(meeting, invitations, chair)
    mum = invitations["mum"]
    mum.status, mum.expires_at = "expired", utcnow() - timedelta(days=1)
    db.session.commit()
    assert _page(client, mum).status_code == 200
    assert PARENT_WORDS in _page(client, mum).get_data(as_text=True)
    assert client.get("/r/not-a-real-token/you-said-we-did").status_code == 404


def test_before_the_outcome_the_page_says_it_is_coming_and_the_form_link_leads_there_after(client):
    chair = staff_user("chair")
    meeting, invitations = past_meeting(chair=chair)
    assert "has not been written up yet" in _page(client, invitations["child"]).get_data(as_text=True)
    _outcome(meeting, invitations, chair)
    response = client.get(f"/r/{link_token(invitations['child'])}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/you-said-we-did")


def test_the_text_links_straight_to_the_page_and_a_follow_up_is_planned_a_month_later(app):
    from tests.support.factories import make_invitation, make_meeting, make_participant
    from voice_service.messaging.texts import compose_scheduled

    chair = staff_user("chair")
    meeting = make_meeting(days_ahead=-1, chair=chair)
    parent = make_participant(meeting, role="parent", name="Sam Example", phone="+447700900155")
    invitation, _token = make_invitation(parent, "cp_conference_parent", status="completed")
    record_outcome(meeting, chair, "Housing", "The worker will call the housing team", invitation.id)
    db.session.commit()
    rows = {r.kind: r for r in db.session.scalars(select(ScheduledMessage).where(
        ScheduledMessage.invitation_id == invitation.id))}
    assert rows["you_said_we_did"].state == "pending"
    follow = rows["you_said_follow_up"]
    assert follow.state == "pending"
    assert follow.due_at - meeting.outcome_recorded_at >= timedelta(days=30)
    assert re.search(r"/r/[^ ]+/you-said-we-did$", compose_scheduled(rows["you_said_we_did"], invitation))
    assert "Did it happen?" in compose_scheduled(follow, invitation)


def test_a_month_later_the_person_says_whether_it_happened(client):
    chair = staff_user("chair")
    meeting, invitations = past_meeting(chair=chair)
    _outcome(meeting, invitations, chair)
    mum = invitations["mum"]
    assert "Did what was decided happen?" not in _page(client, mum).get_data(as_text=True)
    with time_machine.travel(utcnow() + timedelta(days=31), tick=False):
        html = _page(client, mum).get_data(as_text=True)
        assert "Did what was decided happen?" in html
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        url = f"/r/{link_token(mum)}/you-said-we-did"
        empty = client.post(url, data={"csrf_token": token})
        assert empty.status_code == 400 and "Choose whether what was decided happened" in empty.get_data(as_text=True)
        done = client.post(url, data={"csrf_token": token, "happened": "partly"})
        assert done.status_code == 302
    record = db.session.scalar(select(YouSaidWeDid).where(YouSaidWeDid.invitation_id == mum.id))
    assert record.follow_up_answer == "partly"


def test_staff_see_each_route_print_a_letter_and_record_it_given(client):
    chair = staff_user("chair")
    meeting, invitations = past_meeting(chair=chair)
    _outcome(meeting, invitations, chair)
    worker = staff_user("worker", team="north")
    sign_in_as(client, worker)
    url = f"/learning/meetings/{meeting.meeting_ref}/you-said-we-did"
    body = client.get(url).get_data(as_text=True)
    assert "By their worker, in person" in body and "To give or post" in body  # Maya has no phone
    assert "By text message" in body  # her mum is safe to text
    child_id = invitations["child"].id
    letter = client.get(f"{url}/{child_id}/letter").get_data(as_text=True)
    assert CHILD_WORDS in letter and "/you-said-we-did" in letter
    response = client.post(f"{url}/{child_id}/handed-over", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert "Given or posted" in client.get(url).get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"you_said_we_did_letter_printed", "you_said_we_did_handed_over"} <= actions
    other = staff_user("worker", team="south")
    sign_in_as(client, other)
    assert client.get(url).status_code == 403


def test_a_letter_prints_a_persons_words_only_for_a_reader_they_allowed(client):
    """Security finding 2: mum chose that only the chair may read her words; a worker who prints
    her letter gets it without them, the chair gets it with them."""
    chair = staff_user("chair")
    meeting, invitations = past_meeting(chair=chair, parent_visibility="chair_only")
    _outcome(meeting, invitations, chair)
    url = f"/learning/meetings/{meeting.meeting_ref}/you-said-we-did/{invitations['mum'].id}/letter"
    sign_in_as(client, staff_user("worker", team="north"))
    letter = client.get(url).get_data(as_text=True)
    assert PARENT_WORDS not in letter
    assert "Your own words are not printed in this letter" in letter
    sign_in_as(client, chair)
    letter = client.get(url).get_data(as_text=True)
    assert PARENT_WORDS in letter and "Your own words are not printed" not in letter
