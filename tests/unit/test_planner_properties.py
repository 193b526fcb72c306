"""Properties that hold for any meeting time, any planning time and any audience."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from voice_service.scheduling.calendar import (
    CHILD_QUIET_RULES,
    DEFAULT_QUIET_RULES,
    is_allowed_time,
    next_allowed_time,
)
from voice_service.scheduling.planner import (
    EXPERIENCE_OF_SERVICE,
    Audience,
    ExistingScheduled,
    Kind,
    PlanRequest,
    ScheduleSettings,
    plan,
    replan,
)

# 2025-2028 covers four spring and four autumn clock changes and every bank holiday kind.
instants = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2028, 1, 31), timezones=st.just(UTC)
)
audiences = st.sampled_from(
    [Audience("child", "8_12"), Audience("child", "13_17"), Audience("young_adult", "18_25"),
     Audience("parent", "adult"), Audience("carer", "adult"), Audience("other", None)]
)
meeting_types = st.sampled_from(["cp_conference", "cla_review", "cin_review", "ehcp_review", "fgc", "yj_panel"])
setting_choices = st.builds(
    ScheduleSettings,
    invite_working_days_before=st.one_of(st.none(), st.integers(0, 15)),
    reminder_working_days_before=st.sampled_from([(5, 3), (3, 5), (7,), (), (10, 6, 2)]),
    close_working_days_before=st.integers(0, 6),
)


@st.composite
def requests(draw) -> PlanRequest:
    now = draw(instants)
    survey = draw(st.sampled_from(["meeting", "meeting", "meeting", EXPERIENCE_OF_SERVICE]))
    outcome = draw(st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=20))))
    return PlanRequest(
        now=now,
        known_at=now - draw(st.timedeltas(timedelta(0), timedelta(days=30))),
        meeting_type=draw(meeting_types),
        audience=draw(audiences),
        meeting_start=draw(instants),
        phone="07911 123456",
        answered=draw(st.booleans()),
        outcome_recorded_at=None if outcome is None else now - outcome,
        case_closed_on=draw(instants).date(),
        survey=survey,
        settings=draw(setting_choices),
    )


def rows_for(result) -> list[ExistingScheduled]:
    """The rows a first replan would store: planned steps pending, recorded ones closed."""
    changes = replan([], result)
    assert [m.key for m in changes.add] == [m.key for m in result.messages]
    assert not (changes.move or changes.cancel or changes.missed)
    rows = [ExistingScheduled(i, m.kind.value, m.sequence, m.due_at, "pending") for i, m in enumerate(changes.add)]
    rows += [
        ExistingScheduled(100 + i, d.kind.value, d.sequence, result.planned_at, "missed" if d.missed else "cancelled")
        for i, d in enumerate(changes.record)
    ]
    return rows


@settings(max_examples=600, deadline=None)
@given(requests())
def test_every_plan_is_decent_ordered_in_the_future_and_stable(request):
    result = plan(request)
    rules = CHILD_QUIET_RULES if request.audience.role == "child" else DEFAULT_QUIET_RULES
    now = result.planned_at
    dues = [m.due_at for m in result.messages]

    assert dues == sorted(dues)
    assert all(due >= now for due in dues)
    assert all(is_allowed_time(m.due_at, rules) for m in result.messages if m.kind.sends_text)
    assert len({m.key for m in result.messages}) == len(result.messages)
    assert result.messages or result.reason

    closes = result.closes_at
    for message in result.messages:
        if message.kind in (Kind.INVITE, Kind.REMINDER):
            assert message.due_at < request.meeting_start
            assert closes is not None and message.due_at < closes
        if message.kind is Kind.CLOSE:
            assert message.due_at <= max(request.meeting_start, now)
    reminders = [m.due_at for m in result.messages if m.kind is Kind.REMINDER]
    assert all(b - a >= request.settings.min_gap for a, b in zip(reminders, reminders[1:]))

    assert replan(rows_for(result), result).is_empty
    assert replan(rows_for(result), plan(request)).is_empty


@settings(max_examples=300, deadline=None)
@given(instants, st.sampled_from([DEFAULT_QUIET_RULES, CHILD_QUIET_RULES]))
def test_next_allowed_time_is_the_earliest_allowed_instant(moment, rules):
    result = next_allowed_time(moment, rules)
    assert result >= moment
    assert is_allowed_time(result, rules)
    if result > moment:
        assert not is_allowed_time(result - timedelta(seconds=1), rules)
    assert result - moment < timedelta(days=1)
