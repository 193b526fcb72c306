"""The Learning Loop's pages in Chromium with axe (WCAG 2.2 AA): "you said, we did" behind a
private link, the staff routes page, the scorecard, the actions list and one action. 0 violations."""
from __future__ import annotations

import re

import pytest

from tests.support.browser import axe_check, staff_sign_in
from tests.support.staff import CHILD_WORDS, past_meeting, staff_user
from voice_service.extensions import db
from voice_service.invitations import link_token
from voice_service.learning import action_records
from voice_service.learning.actions import NewAction
from voice_service.meetings.changes import record_outcome
from voice_service.models import utcnow


@pytest.fixture
def server(live_server):
    live_server.app.config["STAFF_SIGN_IN_RATE_LIMIT"] = "1000 per minute"
    return live_server


def test_the_learning_loop_pages_are_accessible(app, server, page):
    chair = staff_user("chair")
    qa = staff_user("qa", team=None)
    meeting, invitations = past_meeting(chair=chair)
    record_outcome(meeting, chair, "Living with nan", "Nan's house will be assessed", invitations["child"].id)
    today = utcnow().date()
    action = action_records.create(NewAction(
        title="Explain plans in plain words", finding_kind="measure", finding_ref="understand_why",
        measure_id="understand_why", owner_name="IRO manager", due_on=today, started_on=today.replace(day=1),
        plain_words="You said plans were hard to follow, so we explain them."), qa)
    db.session.commit()
    token = link_token(invitations["child"])
    db.session.commit()
    page.goto(f"{server.url}/r/{token}/you-said-we-did")
    assert CHILD_WORDS in page.content()
    axe_check(page)
    staff_sign_in(page, server, qa)
    for path in (f"/learning/meetings/{meeting.meeting_ref}/you-said-we-did", "/learning/scorecard",
                 "/learning/actions", f"/learning/actions/{action.id}", "/insights/you-said-we-did"):
        page.goto(server.url + path)
        assert not re.search(r"<title>(Page not found|You cannot)", page.content()), path
        axe_check(page)
