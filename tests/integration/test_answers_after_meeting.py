"""After the meeting starts, the views given before it are history: the link stops taking
changes to them, anything added later is marked on the chair's page and in the print view."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from tests.support.staff import sign_in_as, staff_user
from tests.support.public_survey import answer, csrf, current, install_test_survey, invite, sample_survey, text
from voice_service.extensions import db
from voice_service.learning.history import added_after_meeting, answer_locked
from voice_service.models import utcnow


@pytest.fixture
def survey(app):
    return install_test_survey(app)


def _meeting_under_way(invitation):
    """The clock an hour after the meeting started (the link is still open)."""
    return time_machine.travel(invitation.participant.meeting.starts_at + timedelta(hours=1), tick=False)


def test_rules_lock_only_answers_given_before_a_started_meeting():
    start = utcnow()
    before, after = start - timedelta(minutes=5), start + timedelta(minutes=5)
    assert answer_locked(before, start, after)          # given before, meeting under way
    assert not answer_locked(before, start, before)     # meeting not started yet
    assert not answer_locked(after, start, after)       # added after the start: not locked
    assert added_after_meeting(after, start) and not added_after_meeting(before, start)


def test_an_answer_given_before_the_meeting_cannot_be_changed_once_it_starts(client, survey):
    invitation, token = invite(days_valid=30)
    answer(client, token, "feelings", answer="happy")
    old_tab = text(client.get(f"/r/{token}/q/feelings"))
    with _meeting_under_way(invitation):
        page = client.get(f"/r/{token}/q/feelings")
        assert "This answer can no longer be changed" in text(page)
        assert 'name="answer"' not in text(page)  # no form to change it
        # A post from a page opened before the meeting (an old tab) is refused; nothing saved.
        response = client.post(f"/r/{token}/q/feelings", data={"csrf_token": csrf(old_tab), "answer": "very_sad"})
    assert response.status_code == 409
    assert current(invitation)["feelings"].value == '"happy"'


@pytest.mark.parametrize("easy_read, says", [
    (False, "can no longer be changed"),
    (True, "The meeting has started. You cannot change these answers now."),   # the easy-read check page
])
def test_the_check_page_offers_no_change_link_for_answers_that_are_history(client, app, easy_read, says):
    install_test_survey(app, sample_survey(easy_read=easy_read))
    invitation, token = invite(days_valid=30)
    answer(client, token, "feelings", answer="happy")
    with _meeting_under_way(invitation):
        body = text(client.get(f"/r/{token}/check"))
    assert says in body
    assert f"/r/{token}/q/feelings?change=1" not in body
    assert f"/r/{token}/q/activities?change=1" in body  # not answered yet: can still be added


def test_something_added_after_the_start_is_saved_and_marked_for_the_chair(client, survey):
    invitation, token = invite(days_valid=30)
    answer(client, token, "feelings", answer="happy")
    with _meeting_under_way(invitation):
        response = answer(client, token, "worries", answer="Nobody asked me about my brother")
        assert response.status_code == 302
        assert current(invitation)["worries"].free_text == "Nobody asked me about my brother"
        invitation.visibility = "meeting"
        chair = staff_user("chair")
        meeting = invitation.participant.meeting
        meeting.chair_id = chair.id
        db.session.commit()
        sign_in_as(client, chair)
        pages = [text(client.get(url)) for url in (f"/staff/meetings/{meeting.meeting_ref}",
                                                   f"/staff/meetings/{meeting.meeting_ref}/print")]
    for url, html in zip(("meeting page", "print view"), pages):
        marked = re.findall(r"(?s)app-question\">(.*?)</p>|summary-list__key\">(.*?)</dt>", html)
        flat = ["".join(m) for m in marked]
        worries = [m for m in flat if "worried" in m]
        feelings = [m for m in flat if "feel about your life" in m]
        assert worries and "Added after the meeting" in worries[0], url
        assert feelings and "Added after the meeting" not in feelings[0], url


def test_before_the_meeting_answers_can_still_be_changed(client, survey):
    invitation, token = invite(days_valid=30)
    answer(client, token, "feelings", answer="happy")
    with time_machine.travel(utcnow() + timedelta(days=1), tick=False):
        response = answer(client, token, "feelings", answer="sad", change="1")
    assert response.status_code == 302
    assert current(invitation)["feelings"].value == '"sad"'
