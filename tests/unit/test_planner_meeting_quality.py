"""The questionnaire on how a meeting went: planned the day after the meeting, one reminder later."""

from datetime import UTC, datetime

from voice_service.scheduling.calendar import LONDON
from voice_service.scheduling.planner import MEETING_QUALITY, Audience, PlanRequest, ScheduleSettings, plan


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def request(**kwargs) -> PlanRequest:
    defaults = dict(
        now=london(2026, 3, 17, 12, 0), meeting_type="meeting_quality", audience=Audience("parent", "adult"),
        meeting_start=london(2026, 3, 17, 10, 0),  # Tuesday 17 March 2026
        phone="07911 123456", survey=MEETING_QUALITY,
    )
    defaults.update(kwargs)
    return PlanRequest(**defaults)


def schedule(result):
    return [(m.kind.value, m.sequence, m.due_at.astimezone(LONDON).replace(tzinfo=None)) for m in result.messages]


def test_it_goes_the_morning_after_the_meeting_with_one_reminder_four_days_later():
    assert schedule(plan(request())) == [
        ("eos_invite", 0, datetime(2026, 3, 18, 10, 0)),
        ("eos_reminder", 1, datetime(2026, 3, 22, 10, 0)),
    ]


def test_the_days_come_from_the_settings():
    settings = ScheduleSettings(meeting_quality_days_after=2, meeting_quality_reminder_days=3)
    assert [m.due_at.astimezone(LONDON).day for m in plan(request(settings=settings)).messages] == [19, 22]


def test_nothing_after_it_is_answered_or_the_meeting_cancelled_or_without_a_start():
    answered = plan(request(answered=True))
    assert answered.messages == () and "already completed" in answered.reason
    assert plan(request(meeting_cancelled=True)).reason.startswith("meeting cancelled")
    assert "no start time" in plan(request(meeting_start=None)).reason


def test_planned_late_it_goes_at_once_not_in_the_past():
    late = plan(request(now=london(2026, 3, 19, 15, 0)))
    assert schedule(late)[0] == ("eos_invite", 0, datetime(2026, 3, 19, 15, 0))
