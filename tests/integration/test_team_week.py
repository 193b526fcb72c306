"""The team managers' weekly view: per team, counts only (issue 18, item 7)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.staff import sign_in_as, staff_user
from voice_service.answers import save_answer
from voice_service.extensions import db
from voice_service.models import SafeguardingAlert

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)  # a Wednesday; the week is 23 to 29 November


def at(day, hour=10):
    return datetime(2026, 11, day, hour, 0, tzinfo=timezone.utc)


def _meeting(team, starts_at, **changes):
    meeting = make_meeting(team=team)
    meeting.starts_at = starts_at
    for key, value in changes.items():
        setattr(meeting, key, value)
    return meeting


@pytest.fixture
def week(app):
    with time_machine.travel(NOW, tick=False):
        read_in_time = _meeting("north", at(23), views_read_at=at(22))
        maya = make_participant(read_in_time, role="child", name="Maya Quinton", phone=None)
        dana = make_participant(read_in_time, role="parent", name="Dana Quinton")
        answered, _ = make_invitation(maya, "cp_conference_child_8_12", status="in_progress")
        save_answer(answered, "going_well", free_text="I like my new school", channel="web")
        make_invitation(dana, "parent_survey_for_tests", status="sent")
        make_invitation(make_participant(read_in_time, role="carer", name="Kim Carer"), "parent_survey_for_tests",
                        status="scheduled")  # not sent yet: not counted
        _meeting("north", at(24), views_read_at=at(24, 15))  # read, but after it began
        _meeting("north", at(27))  # later this week
        _meeting("north", at(26), status="cancelled")
        south = _meeting("south", at(26))
        make_invitation(make_participant(south, role="parent", name="Sam Other"), "parent_survey_for_tests", status="sent")
        _meeting("south", datetime(2026, 11, 15, 10, tzinfo=timezone.utc))  # held 10 days ago, no outcome
        _meeting("north", datetime(2026, 11, 15, 10, tzinfo=timezone.utc), outcome_recorded_at=at(16))
        _meeting("north", datetime(2026, 5, 1, 10, tzinfo=timezone.utc))  # long ago: history, not backlog
        _meeting("north", datetime(2026, 11, 5, 10, tzinfo=timezone.utc), meeting_type="experience_of_service")
        _meeting("north", at(24), meeting_type="meeting_quality")  # the questionnaire after: not a meeting
        db.session.add(SafeguardingAlert(participant_id=maya.id, status="open", raised_at=at(24, 6)))
        db.session.add(SafeguardingAlert(participant_id=maya.id, status="actioned", raised_at=at(20, 6)))
        db.session.add(SafeguardingAlert(participant_id=south.participants[0].id, status="acknowledged", raised_at=at(25, 9)))
        db.session.commit()
        yield


def _table(client, user, url="/staff/teams/week"):
    sign_in_as(client, user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _cells(html, team):
    import re

    row = re.search(rf'<th scope="row" class="govuk-table__header">{team}</th>(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_each_team_s_week_in_counts(app, client, week):
    html = _table(client, staff_user("chair"))
    assert "week of 23 November 2026" in html
    # meetings, sent, answered, read before, open alerts, oldest, acknowledged, overdue outcomes
    assert _cells(html, "north") == ["3", "2", "1 (50%)", "1 of 2", "1", "30 hours", "0", "0"]
    assert _cells(html, "south") == ["1", "1", "0 (0%)", "None held yet", "0", "", "1", "1"]


def test_no_name_or_answer_is_on_the_page(app, client, week):
    html = _table(client, staff_user("qa", team=None))
    for private in ("Maya", "Quinton", "Dana", "Sam Other", "new school", "CASE-T", "MTG-T"):
        assert private not in html


def test_a_worker_sees_their_own_team_only_and_the_family_advisory_group_none(app, client, week):
    html = _table(client, staff_user("worker", team="south"))
    assert ">south<" in html and ">north<" not in html
    sign_in_as(client, staff_user("family_advisory", team=None))
    assert client.get("/staff/teams/week").status_code == 403


def test_an_earlier_week_counts_its_own_meetings_and_what_is_open_now(app, client, week):
    html = _table(client, staff_user("chair"), "/staff/teams/week?week=2026-11-11")
    assert "week of 9 November 2026" in html and "Next week" in html
    assert _cells(html, "north") == ["1", "0", "0", "0 of 1", "1", "30 hours", "0", "0"]
    assert _cells(html, "south") == ["1", "0", "0", "0 of 1", "0", "", "1", "1"]
    assert "Next week" not in _table(client, staff_user("chair"))
