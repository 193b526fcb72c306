"""After each meeting, a questionnaire on how it went, planned by the clock (issue 18, item 2)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from tests.support.factories import make_meeting, make_participant
from voice_service.answers import save_answer
from voice_service.extensions import db
from voice_service.meeting_quality import plan_job
from voice_service.models import Invitation, Meeting, Participant, ScheduledMessage
from voice_service.scheduling.calendar import LONDON

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)  # Wednesday


def _meeting(starts_at, **changes):
    meeting = make_meeting(meeting_type=changes.pop("meeting_type", "cla_review"), age_band=changes.pop("age_band", "13_17"))
    meeting.starts_at = starts_at
    for key, value in changes.items():
        setattr(meeting, key, value)
    return meeting


@pytest.fixture
def meetings(app):
    with time_machine.travel(NOW, tick=False):
        held = _meeting(datetime(2026, 11, 24, 10, tzinfo=timezone.utc))
        make_participant(held, role="child", name="Jordan Example", phone="+447700900201", age_band="13_17")
        make_participant(held, role="parent", name="Alex Example", phone="+447700900202")
        make_participant(held, role="carer", name="Kim Example", phone="+447700900203")
        make_participant(held, role="other", name="Pat Teacher", phone="+447700900204")  # not asked
        little = _meeting(datetime(2026, 11, 23, 14, tzinfo=timezone.utc), age_band="under_8")
        make_participant(little, role="child", name="Mo Example", phone=None, age_band="under_8")
        make_participant(little, role="parent", name="Sam Example", phone="+447700900205")
        cancelled = _meeting(datetime(2026, 11, 24, 9, tzinfo=timezone.utc), status="cancelled")
        make_participant(cancelled, role="parent", phone="+447700900206")
        later = _meeting(datetime(2026, 11, 27, 10, tzinfo=timezone.utc))
        make_participant(later, role="parent", phone="+447700900207")
        db.session.commit()
        yield {"held": held, "little": little, "cancelled": cancelled, "later": later}


def _invitations(meeting):
    return db.session.scalars(select(Invitation).join(Participant).join(Meeting).where(
        Meeting.meeting_ref == f"MQ-{meeting.meeting_ref}").order_by(Invitation.id)).all()


def test_each_person_of_a_held_meeting_gets_the_questionnaire_for_them_the_next_morning(app, meetings):
    with time_machine.travel(NOW, tick=False):
        assert plan_job() == {"meetings": 2, "invitations": 4}
    asked = {i.participant.role: i.survey_id for i in _invitations(meetings["held"])}
    assert asked == {"child": "mq_young_person", "parent": "mq_parent", "carer": "mq_carer"}
    # The child under 8 is not asked; the parent is.
    assert [i.survey_id for i in _invitations(meetings["little"])] == ["mq_parent"]
    assert _invitations(meetings["cancelled"]) == [] and _invitations(meetings["later"]) == []
    parent = next(i for i in _invitations(meetings["held"]) if i.participant.role == "parent")
    steps = db.session.scalars(select(ScheduledMessage).where(ScheduledMessage.invitation_id == parent.id)
                               .order_by(ScheduledMessage.due_at)).all()
    assert [(s.kind, s.due_at.astimezone(LONDON).strftime("%a %d %H:%M")) for s in steps] == [
        ("eos_invite", "Wed 25 12:00"),   # the morning after has passed: at once
        ("eos_reminder", "Sun 29 10:00"),
    ]
    assert parent.participant.phone == "+447700900202" and parent.participant.meeting.starts_at == meetings["held"].starts_at


def test_running_the_clock_again_asks_no_one_twice(app, meetings):
    with time_machine.travel(NOW, tick=False):
        plan_job()
        assert plan_job() == {"meetings": 0, "invitations": 0}
    assert len(_invitations(meetings["held"])) == 3


def test_its_yes_no_answers_feed_the_scorecard(app, meetings):
    from voice_service.learning import scorecard_queries

    with time_machine.travel(NOW, tick=False):
        plan_job()
        for invitation, advocate, report in zip(_invitations(meetings["held"]), ("yes", "no", "yes"),
                                                ("yes", "not_sure", "no")):
            save_answer(invitation, "know_advocate", value=advocate, channel="web")
            save_answer(invitation, "report_in_time", value=report, channel="web")
        db.session.commit()
        card = scorecard_queries.collect("2026-11", "2026-11", threshold=1)
    assert (card.overall["complain_or_advocate"].yes, card.overall["complain_or_advocate"].answered) == (2, 3)
    assert (card.overall["report_in_time"].yes, card.overall["report_in_time"].answered) == (1, 3)  # "not sure" is not yes


def test_its_email_and_letter_say_it_is_about_how_the_meeting_went(app, meetings):
    from voice_service.letters import letter_data, letter_words
    from voice_service.messaging.outreach import compose_email

    with time_machine.travel(NOW, tick=False):
        plan_job()
        parent = next(i for i in _invitations(meetings["held"]) if i.participant.role == "parent")
        _subject, body = compose_email(parent, "eos_invite", "https://example.invalid/r/x")
        assert "how the meeting went for you" in body and "our work with you" not in body
        letter = letter_words(letter_data(parent, "https://example.invalid/r/x"))
        assert "how the meeting on Tuesday 24 November" in letter["why"][0]
        parent.language = "bn"
        assert "মিটিং আপনার কাছে কেমন ছিল" in letter_words(letter_data(parent, "https://example.invalid/r/x"))["why"][0]
        child = next(i for i in _invitations(meetings["held"]) if i.participant.role == "child")
        child.participant.easy_read = True
        assert letter_words(letter_data(child, "https://example.invalid/r/x"))["why"][0] == (
            "We want to know how the meeting went for you.")
