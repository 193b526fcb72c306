"""The schedule planner: what each person is sent, and when (times in London)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from voice_service.scheduling.calendar import LONDON, NIGHT, QuietRules, QuietWindow
from voice_service.scheduling.planner import (
    EXPERIENCE_OF_SERVICE,
    Audience,
    Kind,
    Override,
    PlanRequest,
    ScheduleSettings,
    is_missed,
    plan,
)

PHONE = "07911 123456"
PARENT = Audience("parent", "adult")
CHILD = Audience("child", "13_17")


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def request(**kwargs) -> PlanRequest:
    defaults = dict(
        now=london(2026, 3, 2, 9, 30),          # Monday 2 March 2026
        meeting_type="cla_review",
        audience=PARENT,
        meeting_start=london(2026, 3, 20, 10, 0),  # Friday 20 March 2026
        phone=PHONE,
    )
    defaults.update(kwargs)
    return PlanRequest(**defaults)


def schedule(result) -> list[tuple[str, int, datetime]]:
    return [(m.kind.value, m.sequence, m.due_at.astimezone(LONDON).replace(tzinfo=None)) for m in result.messages]


def at(*args) -> datetime:
    return datetime(*args)


# ---------------------------------------------------------------- the usual schedule


def test_a_parent_is_invited_at_once_reminded_at_five_and_three_working_days_and_closed_that_evening():
    result = plan(request())
    assert schedule(result) == [
        ("invite", 0, at(2026, 3, 2, 9, 30)),
        ("reminder", 1, at(2026, 3, 13, 10, 0)),  # Friday, 5 working days before Friday 20th
        ("reminder", 2, at(2026, 3, 17, 10, 0)),  # Tuesday, 3 working days before
        ("close", 0, at(2026, 3, 17, 17, 0)),     # the chair's summary is due that day
    ]
    assert result.reason is None
    assert result.dropped == ()


def test_all_times_are_aware_utc_whole_seconds():
    result = plan(request(now=london(2026, 3, 2, 9, 30, 12, 345678)))
    assert all(m.due_at.tzinfo == UTC and m.due_at.microsecond == 0 for m in result.messages)
    assert result.messages[0].due_at == london(2026, 3, 2, 9, 30, 13)


def test_reminders_count_back_over_christmas_and_new_year_bank_holidays():
    # Meeting Tuesday 5 January 2027; 1 January 2027, 25 and 28 December 2026 are bank holidays.
    result = plan(request(now=london(2026, 12, 1, 12, 0), meeting_start=london(2027, 1, 5, 14, 0)))
    assert schedule(result)[1:] == [
        ("reminder", 1, at(2026, 12, 24, 10, 0)),
        ("reminder", 2, at(2026, 12, 30, 10, 0)),
        ("close", 0, at(2026, 12, 30, 17, 0)),
    ]


def test_reminders_count_back_over_easter_2027():
    # Meeting Thursday 1 April 2027; Good Friday 26 and Easter Monday 29 March are holidays.
    result = plan(request(now=london(2027, 3, 1, 12, 0), meeting_start=london(2027, 4, 1, 10, 0)))
    assert schedule(result)[1:] == [
        ("reminder", 1, at(2027, 3, 23, 10, 0)),
        ("reminder", 2, at(2027, 3, 25, 10, 0)),
        ("close", 0, at(2027, 3, 25, 17, 0)),
    ]


def test_reminders_count_back_over_the_august_bank_holiday_2026():
    # Meeting Thursday 3 September 2026; Monday 31 August is a bank holiday.
    result = plan(request(now=london(2026, 8, 3, 12, 0), meeting_start=london(2026, 9, 3, 10, 0)))
    assert schedule(result)[1:] == [
        ("reminder", 1, at(2026, 8, 26, 10, 0)),
        ("reminder", 2, at(2026, 8, 28, 10, 0)),
        ("close", 0, at(2026, 8, 28, 17, 0)),
    ]


def test_a_reminder_in_the_first_week_of_summer_time_is_at_ten_bst():
    # Meeting Thursday 2 April 2026: 5 working days before is Thursday 26 March (GMT), 3 is
    # Monday 30 March (BST, after the clocks went forward on Sunday 29 March).
    result = plan(request(now=london(2026, 3, 2, 12, 0), meeting_start=london(2026, 4, 2, 10, 0)))
    reminders = [m for m in result.messages if m.kind is Kind.REMINDER]
    assert [m.due_at for m in reminders] == [
        datetime(2026, 3, 26, 10, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
    ]


def test_a_meeting_known_late_at_night_invites_at_eight_next_morning():
    result = plan(request(now=london(2026, 3, 2, 22, 40)))
    assert schedule(result)[0] == ("invite", 0, at(2026, 3, 3, 8, 0))


def test_the_invitation_can_wait_until_a_number_of_working_days_before():
    settings = ScheduleSettings(invite_working_days_before=10)
    result = plan(request(settings=settings))
    assert schedule(result)[0] == ("invite", 0, at(2026, 3, 6, 10, 0))  # Friday 6 March


def test_the_close_day_is_configurable_per_meeting_type():
    settings = ScheduleSettings(
        overrides=(Override({"close_working_days_before": 5}, meeting_type="cp_conference"),)
    )
    cp = plan(request(meeting_type="cp_conference", settings=settings))
    review = plan(request(meeting_type="cla_review", settings=settings))
    assert cp.closes_at == london(2026, 3, 13, 17, 0)
    assert review.closes_at == london(2026, 3, 17, 17, 0)
    # the 5-day reminder would now fall on the close day itself at 10:00: still before 17:00
    assert [m.sequence for m in cp.messages if m.kind is Kind.REMINDER] == [1]
    assert "reminder 2 (3 working days before) would be after the invitation closes" in cp.reason


def test_more_specific_overrides_win_over_general_ones():
    settings = ScheduleSettings(
        overrides=(
            Override({"reminder_working_days_before": (4,)}, role="parent", meeting_type="fgc"),
            Override({"reminder_working_days_before": (6,)}, role="parent"),
        )
    )
    assert settings.resolve("fgc", "parent").reminder_working_days_before == (4,)
    assert settings.resolve("cla_review", "parent").reminder_working_days_before == (6,)
    assert settings.resolve("fgc", "carer").reminder_working_days_before == (5, 3)


def test_unknown_settings_and_impossible_values_are_refused_when_configured():
    with pytest.raises(ValueError, match="unknown schedule setting"):
        Override({"remindr_days": (5,)})
    with pytest.raises(ValueError):
        ScheduleSettings(reminder_working_days_before=(3, 3))
    with pytest.raises(ValueError):
        ScheduleSettings(close_working_days_before=-1)


def test_a_bad_override_value_gives_a_reason_not_a_crash():
    settings = ScheduleSettings(overrides=(Override({"close_working_days_before": -2}, role="parent"),))
    result = plan(request(settings=settings))
    assert result.messages == ()
    assert result.reason.startswith("invalid settings")


# ---------------------------------------------------------------- children


def test_a_child_is_texted_after_school_not_during_it():
    result = plan(request(audience=CHILD))
    assert schedule(result) == [
        ("invite", 0, at(2026, 3, 2, 15, 15)),
        ("reminder", 1, at(2026, 3, 13, 15, 15)),
        ("reminder", 2, at(2026, 3, 17, 15, 15)),
        ("close", 0, at(2026, 3, 17, 17, 0)),
    ]


def test_a_child_invited_on_a_saturday_morning_gets_it_at_once():
    result = plan(request(audience=CHILD, now=london(2026, 3, 7, 10, 0)))
    assert schedule(result)[0] == ("invite", 0, at(2026, 3, 7, 10, 0))


def test_a_young_adult_gets_the_adult_hours_and_roles_can_be_given_their_own():
    assert schedule(plan(request(audience=Audience("young_adult", "18_25"))))[0][2] == at(2026, 3, 2, 9, 30)
    evenings = QuietRules(windows=(NIGHT, QuietWindow(time(9), time(17), school_days_only=True)))
    settings = ScheduleSettings(quiet_rules_by_role={"young_adult": evenings})
    result = plan(request(audience=Audience("young_adult", "18_25"), settings=settings))
    assert schedule(result)[0] == ("invite", 0, at(2026, 3, 2, 17, 0))


def test_a_reminder_pushed_past_the_close_by_school_hours_is_left_out():
    settings = ScheduleSettings(close_time=time(12, 0))
    result = plan(request(audience=CHILD, settings=settings))
    assert [m.sequence for m in result.messages if m.kind is Kind.REMINDER] == [1]
    assert "reminder 2 (3 working days before) would be after the invitation closes" in result.reason


# ---------------------------------------------------------------- late, too close, in the past


def test_a_meeting_too_close_to_fit_the_first_reminder_says_so():
    # Known on Monday 16 March for Friday 20 March: 5 working days before was Friday 13th.
    result = plan(request(now=london(2026, 3, 16, 11, 0)))
    assert schedule(result) == [
        ("invite", 0, at(2026, 3, 16, 11, 0)),
        ("reminder", 2, at(2026, 3, 17, 10, 0)),
        ("close", 0, at(2026, 3, 17, 17, 0)),
    ]
    assert result.reason == "meeting too close to fit reminder 1 (5 working days before)"


def test_a_meeting_known_after_the_summary_deadline_takes_views_until_it_starts():
    result = plan(request(now=london(2026, 3, 18, 11, 0)))
    assert schedule(result) == [
        ("invite", 0, at(2026, 3, 18, 11, 0)),
        ("close", 0, at(2026, 3, 20, 10, 0)),
    ]
    assert "meeting too close to fit reminder 1" in result.reason
    assert "meeting too close to fit reminder 2" in result.reason
    assert result.notes == ("too late for the chair's summary deadline: views are taken until the meeting starts",)


def test_a_meeting_in_an_hour_gets_no_invitation_and_a_clear_reason():
    result = plan(request(now=london(2026, 3, 20, 9, 0)))
    assert result.messages == ()
    assert result.reason.startswith("meeting too close: the earliest decent time to invite is Fri 20 Mar 2026 09:00")


def test_a_meeting_first_thing_tomorrow_learnt_of_tonight_is_too_close():
    result = plan(request(now=london(2026, 3, 19, 21, 0), meeting_start=london(2026, 3, 20, 9, 0)))
    assert result.messages == ()
    assert "Fri 20 Mar 2026 08:00" in result.reason


def test_a_meeting_in_the_past_gets_no_messages_only_a_close_and_a_reason():
    result = plan(request(now=london(2026, 3, 21, 9, 0)))
    assert schedule(result) == [("close", 0, at(2026, 3, 21, 9, 0))]
    assert result.reason == "the meeting has already started"
    assert all(d.missed for d in result.dropped)


def test_after_the_close_an_unsent_invitation_is_missed_not_sent():
    # Planned (or re-planned) on the day after the close, before the meeting.
    result = plan(request(now=london(2026, 3, 18, 9, 0), known_at=london(2026, 3, 2, 9, 30)))
    assert schedule(result) == [("close", 0, at(2026, 3, 18, 9, 0))]
    assert {(d.kind.value, d.sequence, d.missed) for d in result.dropped} == {
        ("invite", 0, True), ("reminder", 1, True), ("reminder", 2, True)
    }


# ---------------------------------------------------------------- catching up


def test_after_downtime_an_overdue_reminder_is_due_now():
    # Invitation created 2 March; the clock was down over Friday 13 March.
    result = plan(request(now=london(2026, 3, 14, 11, 0), known_at=london(2026, 3, 2, 9, 30)))
    assert schedule(result) == [
        ("invite", 0, at(2026, 3, 14, 11, 0)),
        ("reminder", 1, at(2026, 3, 14, 11, 0)),
        ("reminder", 2, at(2026, 3, 17, 10, 0)),
        ("close", 0, at(2026, 3, 17, 17, 0)),
    ]


def test_when_both_reminders_are_overdue_only_the_later_one_is_sent():
    result = plan(request(now=london(2026, 3, 17, 12, 0), known_at=london(2026, 3, 2, 9, 30)))
    assert [(m.kind.value, m.sequence) for m in result.messages] == [("invite", 0), ("reminder", 2), ("close", 0)]
    assert [(d.sequence, d.reason, d.missed) for d in result.dropped] == [
        (1, "overdue, replaced by a later reminder", True)
    ]


def test_an_overdue_reminder_is_skipped_when_the_next_one_is_due_within_hours():
    # Caught up at 01:00 on Tuesday 17 March: reminder 1 (Friday) is overdue, reminder 2 is at 10:00.
    result = plan(request(now=london(2026, 3, 17, 1, 0), known_at=london(2026, 3, 2, 9, 30)))
    assert [(kind, seq) for kind, seq, _ in schedule(result)] == [("invite", 0), ("reminder", 2), ("close", 0)]
    assert [(d.sequence, d.missed) for d in result.dropped] == [(1, True)]


def test_an_overdue_reminder_caught_up_at_night_waits_for_the_morning():
    result = plan(request(now=london(2026, 3, 13, 23, 0), known_at=london(2026, 3, 2, 9, 30)))
    assert ("reminder", 1, at(2026, 3, 14, 8, 0)) in schedule(result)


# ---------------------------------------------------------------- answered, declined, stopped


def test_once_views_are_given_no_reminders_or_close_are_planned():
    result = plan(request(answered=True))
    assert result.messages == ()
    assert result.reason == "views already given"


def test_you_said_we_did_follows_the_outcome_at_a_decent_hour():
    result = plan(
        request(now=london(2026, 3, 24, 21, 30), answered=True, outcome_recorded_at=london(2026, 3, 24, 21, 15))
    )
    # ...and a month later (30 days after the outcome, at the next decent hour) "did it happen?".
    assert schedule(result) == [("you_said_we_did", 0, at(2026, 3, 25, 8, 0)),
                                ("you_said_follow_up", 0, at(2026, 4, 24, 8, 0))]
    assert result.reason == "views already given"


def test_you_said_we_did_is_not_sent_to_someone_who_gave_no_views():
    result = plan(request(now=london(2026, 3, 24, 12, 0), outcome_recorded_at=london(2026, 3, 24, 11, 0)))
    assert not [m for m in result.messages if m.kind is Kind.YOU_SAID_WE_DID]
    assert "no views were given" in result.reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (dict(meeting_cancelled=True), "meeting cancelled"),
        (dict(declined=True), "invitation declined"),
        (dict(opted_out=True), "number opted out (texted STOP)"),
        (dict(phone=None), "no usable contact: no phone number"),
        (dict(phone="020 7946 0000"), "no usable contact: not a mobile number, so it cannot receive texts"),
        (dict(phone="07911 123"), "no usable contact: not a valid phone number"),
        (dict(phone="ring the school"), "no usable contact: not a phone number"),
        (dict(safe_to_text=False), "no usable contact: not marked safe to text"),
    ],
)
def test_stopped_invitations_get_no_messages_and_say_why(change, reason):
    result = plan(request(**change))
    assert result.messages == ()
    assert result.reason == reason
    assert {(d.kind, d.sequence) for d in result.dropped} == {
        (Kind.INVITE, 0), (Kind.REMINDER, 1), (Kind.REMINDER, 2), (Kind.CLOSE, 0), (Kind.YOU_SAID_WE_DID, 0),
        (Kind.YOU_SAID_FOLLOW_UP, 0),
    }


def test_naive_times_give_a_reason_not_an_exception():
    result = plan(request(meeting_start=datetime(2026, 3, 20, 10, 0)))
    assert result.messages == ()
    assert "timezone-aware" in result.reason
    result = plan(request(now=datetime(2026, 3, 2, 9, 30)))
    assert result.messages == ()
    assert "timezone-aware" in result.reason


def test_a_meeting_without_a_start_time_gives_a_reason():
    assert plan(request(meeting_start=None)).reason == "invalid input: the meeting has no start time"


def test_demo_numbers_from_the_ofcom_drama_range_are_accepted_only_when_asked():
    assert plan(request(phone="07700 900123")).messages == ()
    assert plan(request(phone="07700 900123", allow_drama_numbers=True)).messages != ()


# ---------------------------------------------------------------- experience of service


def eos(**kwargs) -> PlanRequest:
    defaults = dict(
        survey=EXPERIENCE_OF_SERVICE,
        meeting_type="experience_of_service",
        meeting_start=None,
        case_closed_on=date(2026, 6, 1),
        now=london(2026, 6, 1, 16, 0),
    )
    defaults.update(kwargs)
    return request(**defaults)


def test_experience_of_service_goes_a_week_after_closure_with_one_reminder_five_days_later():
    assert schedule(plan(eos())) == [
        ("eos_invite", 0, at(2026, 6, 8, 10, 0)),
        ("eos_reminder", 1, at(2026, 6, 13, 10, 0)),
    ]


def test_experience_of_service_delays_are_configurable():
    settings = ScheduleSettings(eos_days_after_closure=14, eos_reminder_days_after=3)
    assert schedule(plan(eos(settings=settings))) == [
        ("eos_invite", 0, at(2026, 6, 15, 10, 0)),
        ("eos_reminder", 1, at(2026, 6, 18, 10, 0)),
    ]


def test_experience_of_service_for_a_child_waits_until_after_school():
    result = plan(eos(audience=CHILD))
    assert schedule(result) == [
        ("eos_invite", 0, at(2026, 6, 8, 15, 15)),  # Monday
        ("eos_reminder", 1, at(2026, 6, 13, 10, 0)),  # Saturday: no school
    ]


def test_experience_of_service_added_late_goes_now_and_reminds_five_days_on():
    result = plan(eos(now=london(2026, 7, 1, 12, 0)))
    assert schedule(result) == [
        ("eos_invite", 0, at(2026, 7, 1, 12, 0)),
        ("eos_reminder", 1, at(2026, 7, 6, 10, 0)),
    ]


def test_experience_of_service_answered_or_without_a_closure_date():
    assert plan(eos(answered=True)).messages == ()
    result = plan(eos(case_closed_on=None))
    assert result.messages == ()
    assert result.reason == "invalid input: the case has no closure date"


# ---------------------------------------------------------------- is_missed


def test_invitations_and_reminders_are_missed_once_the_meeting_has_started():
    start = london(2026, 3, 20, 10, 0)
    assert not is_missed("invite", start, start - timedelta(seconds=1))
    assert is_missed("invite", start, start)
    assert is_missed("reminder", start, start + timedelta(days=2))


def test_invitations_and_reminders_are_missed_once_the_invitation_has_closed():
    start, closes = london(2026, 3, 20, 10, 0), london(2026, 3, 17, 17, 0)
    assert is_missed(Kind.REMINDER, start, closes, closes_at=closes)
    assert not is_missed(Kind.REMINDER, start, closes - timedelta(minutes=1), closes_at=closes)


@pytest.mark.parametrize("kind", ["close", "you_said_we_did", "eos_invite", "eos_reminder", "unknown"])
def test_other_steps_are_never_missed(kind):
    assert not is_missed(kind, london(2026, 3, 20, 10, 0), london(2026, 4, 20, 10, 0))


def test_the_step_names_match_the_stored_vocabulary():
    from voice_service.vocab import SCHEDULED_KINDS, SCHEDULED_STATES
    from voice_service.scheduling import planner

    assert tuple(k.value for k in Kind) == SCHEDULED_KINDS
    assert {planner.PENDING, planner.SENDING, planner.SENT, planner.FAILED, planner.CANCELLED, planner.MISSED} == set(
        SCHEDULED_STATES
    )
