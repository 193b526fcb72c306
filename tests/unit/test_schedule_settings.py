"""The schedule's settings from the environment: defaults, overrides and clear errors."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from voice_service.config import ConfigError, build_settings
from voice_service.scheduling.calendar import LONDON, QuietRules, QuietWindow
from voice_service.scheduling.planner import Audience, Kind, PlanRequest, ScheduleSettings, plan
from voice_service.scheduling.settings import DEFAULTS, from_config, parse_quiet_hours


def settings_from(environ: dict) -> ScheduleSettings:
    return from_config(build_settings("test", environ))


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def test_the_defaults_are_the_planners_defaults():
    assert from_config(DEFAULTS) == ScheduleSettings()
    assert settings_from({}) == ScheduleSettings()


def test_every_variable_reaches_the_planner():
    settings = settings_from({
        "QUIET_HOURS": "21:30-07:00", "CHILD_QUIET_HOURS": "21:00-07:30, school days 09:00-15:00",
        "INVITE_WORKING_DAYS_BEFORE": "10", "REMINDER_WORKING_DAYS": "4", "CLOSE_WORKING_DAYS_BEFORE": "2",
        "CLOSE_WORKING_DAYS_BEFORE_CP_CONFERENCE": "5", "SEND_TIME": "11:15", "CLOSE_TIME": "16:00",
        "MIN_GAP_HOURS": "24", "EOS_DAYS_AFTER_CLOSURE": "14", "EOS_REMINDER_DAYS": "3",
    })
    assert settings.quiet_rules == QuietRules(windows=(QuietWindow(time(21, 30), time(7)),))
    assert settings.quiet_rules_by_role["child"] == QuietRules(windows=(
        QuietWindow(time(21), time(7, 30)), QuietWindow(time(9), time(15), school_days_only=True)))
    assert (settings.invite_working_days_before, settings.reminder_working_days_before) == (10, (4,))
    assert (settings.send_time, settings.close_time, settings.min_gap) == (time(11, 15), time(16), timedelta(hours=24))
    assert (settings.eos_days_after_closure, settings.eos_reminder_days_after) == (14, 3)
    assert settings.resolve("cp_conference", "parent").close_working_days_before == 5
    assert settings.resolve("cla_review", "parent").close_working_days_before == 2


def test_none_turns_quiet_hours_and_reminders_off():
    settings = settings_from({"QUIET_HOURS": "none", "REMINDER_WORKING_DAYS": "none"})
    assert settings.quiet_rules == QuietRules() and settings.reminder_working_days_before == ()


@pytest.mark.parametrize("variable, value, says", [
    ("QUIET_HOURS", "8pm-8am", "use London times like 20:00-08:00"),
    ("QUIET_HOURS", "20:00-25:00", "hours go from 00 to 23"),
    ("QUIET_HOURS", "00:00-12:00, 12:00-00:00", "leave no time at which a message may be sent"),
    ("CHILD_QUIET_HOURS", "school 08:45-15:15", "'school days 08:45-15:15'"),
    ("REMINDER_WORKING_DAYS", "5;3", "whole numbers of working days separated by commas"),
    ("REMINDER_WORKING_DAYS", "5,5", "each number of working days may appear once"),
    ("CLOSE_WORKING_DAYS_BEFORE", "three", "use a whole number"),
    ("CLOSE_WORKING_DAYS_BEFORE_CP_CONFRENCE", "5", "there is no meeting type 'cp_confrence'"),
    ("INVITE_WORKING_DAYS_BEFORE", "-1", "at least 0"),
    ("SEND_TIME", "10am", "24-hour London time"),
    ("MIN_GAP_HOURS", "12.5", "use a whole number"),
    ("EOS_REMINDER_DAYS", "0", "at least 1"),
])
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value, says):
    with pytest.raises(ConfigError) as error:
        build_settings("test", {variable: value})
    assert str(error.value).startswith(f"{variable}={value!r} is not valid")
    assert says in str(error.value)


def test_quiet_hours_change_when_an_evening_invitation_goes():
    created = london(2027, 3, 1, 21, 30)  # a Monday evening

    def invite_due(quiet: str) -> datetime:
        request = PlanRequest(
            now=created, meeting_type="cla_review", audience=Audience("parent", "adult"),
            meeting_start=london(2027, 3, 19, 10), phone="+447700900123", allow_drama_numbers=True,
            settings=from_config({"QUIET_HOURS": quiet}),
        )
        return next(m.due_at for m in plan(request).messages if m.kind is Kind.INVITE)

    assert invite_due("20:00-08:00") == london(2027, 3, 2, 8, 0)
    assert invite_due("22:00-07:00") == created
    assert invite_due("none") == created


def test_school_day_windows_follow_the_calendar():
    rules = parse_quiet_hours("CHILD_QUIET_HOURS", "school days 09:00-15:00")
    assert rules.windows[0].school_days_only
    assert rules.is_school_day(date(2027, 3, 1)) and not rules.is_school_day(date(2027, 3, 6))
