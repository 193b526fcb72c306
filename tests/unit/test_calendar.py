"""Working days (England and Wales bank holidays) and decent hours in London time."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from voice_service.scheduling.calendar import (
    CHILD_QUIET_RULES,
    DEFAULT_QUIET_RULES,
    LONDON,
    NIGHT,
    QuietRules,
    QuietWindow,
    add_working_days,
    is_allowed_time,
    is_working_day,
    london_to_utc,
    next_allowed_time,
    working_days_before,
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


# ---------------------------------------------------------------- working days


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 3),   # Good Friday
        date(2026, 4, 6),   # Easter Monday
        date(2026, 8, 31),  # late summer bank holiday
        date(2026, 12, 25),  # Christmas Day (Friday)
        date(2026, 12, 28),  # Boxing Day falls on Saturday: Monday 28th is the substitute
        date(2027, 1, 1),
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
        date(2027, 8, 30),  # late summer bank holiday
        date(2027, 12, 27),  # Christmas Day falls on Saturday: substitute Monday
        date(2027, 12, 28),  # Boxing Day falls on Sunday: substitute Tuesday
    ],
)
def test_england_and_wales_bank_holidays_are_not_working_days(day):
    assert day.weekday() < 5
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 12, 24), date(2026, 12, 29), date(2027, 12, 29), date(2026, 4, 7)])
def test_ordinary_weekdays_around_the_holidays_are_working_days(day):
    assert is_working_day(day)


def test_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 3, 28))  # Saturday
    assert not is_working_day(date(2026, 3, 29))  # Sunday


def test_scotland_only_holidays_do_not_count_in_london():
    # 2 January is a bank holiday in Scotland only.
    assert is_working_day(date(2026, 1, 2))


def test_three_working_days_before_a_monday_is_the_previous_wednesday():
    assert working_days_before(date(2026, 3, 16), 3) == date(2026, 3, 11)


def test_counting_back_over_christmas_2026_skips_four_non_working_days():
    # Tue 29 Dec 2026 -> back over Mon 28 (substitute), Sun, Sat, Fri 25 -> Thu 24, Wed 23
    assert working_days_before(date(2026, 12, 29), 1) == date(2026, 12, 24)
    assert working_days_before(date(2026, 12, 29), 2) == date(2026, 12, 23)


def test_counting_back_over_christmas_2027_skips_both_substitute_days():
    # Wed 29 Dec 2027: Tue 28 and Mon 27 are substitutes, the weekend is Christmas itself.
    assert working_days_before(date(2027, 12, 29), 1) == date(2027, 12, 24)


def test_counting_back_over_easter_2026_and_2027():
    # Tue 7 April 2026: Mon 6 (Easter Monday), weekend, Fri 3 (Good Friday) -> Thu 2 April
    assert working_days_before(date(2026, 4, 7), 1) == date(2026, 4, 2)
    # Tue 30 March 2027 -> Thu 25 March 2027
    assert working_days_before(date(2027, 3, 30), 1) == date(2027, 3, 25)
    assert working_days_before(date(2027, 3, 30), 3) == date(2027, 3, 23)


def test_counting_back_over_the_august_bank_holiday():
    assert working_days_before(date(2026, 9, 1), 1) == date(2026, 8, 28)
    assert working_days_before(date(2027, 8, 31), 5) == date(2027, 8, 23)


def test_counting_forward_and_from_a_weekend():
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_working_days(date(2026, 3, 28), 1) == date(2026, 3, 30)  # Saturday -> Monday
    assert working_days_before(date(2026, 3, 28), 1) == date(2026, 3, 27)  # Saturday -> Friday
    assert add_working_days(date(2026, 3, 28), 0) == date(2026, 3, 28)


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        working_days_before(date(2026, 1, 5), -1)


# ---------------------------------------------------------------- london wall time


def test_eight_in_the_morning_london_is_eight_utc_in_winter_and_seven_in_summer():
    assert london_to_utc(date(2026, 1, 5), time(8)) == utc(2026, 1, 5, 8)
    assert london_to_utc(date(2026, 7, 6), time(8)) == utc(2026, 7, 6, 7)


# ---------------------------------------------------------------- decent hours


def test_a_message_during_the_day_goes_at_once():
    moment = utc(2026, 5, 12, 13, 27, 5)
    assert next_allowed_time(moment, DEFAULT_QUIET_RULES) == moment


def test_a_message_due_at_nine_in_the_evening_waits_until_eight_next_morning():
    assert next_allowed_time(london(2026, 1, 14, 21, 0), DEFAULT_QUIET_RULES) == london(2026, 1, 15, 8, 0)


def test_a_message_due_in_the_small_hours_waits_until_eight_the_same_morning():
    assert next_allowed_time(utc(2026, 1, 15, 3, 10), DEFAULT_QUIET_RULES) == utc(2026, 1, 15, 8)


def test_quiet_period_boundaries_eight_is_allowed_twenty_is_not():
    assert is_allowed_time(london(2026, 6, 3, 8, 0), DEFAULT_QUIET_RULES)
    assert is_allowed_time(london(2026, 6, 3, 19, 59, 59), DEFAULT_QUIET_RULES)
    assert not is_allowed_time(london(2026, 6, 3, 20, 0), DEFAULT_QUIET_RULES)
    assert not is_allowed_time(london(2026, 6, 3, 7, 59, 59), DEFAULT_QUIET_RULES)


def test_in_summer_nineteen_thirty_utc_is_already_twenty_thirty_in_london():
    assert next_allowed_time(utc(2026, 7, 1, 19, 30), DEFAULT_QUIET_RULES) == utc(2026, 7, 2, 7, 0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        next_allowed_time(datetime(2026, 1, 1, 12), DEFAULT_QUIET_RULES)


@pytest.mark.parametrize(
    ("forward_day", "back_day"),
    [(date(2026, 3, 29), date(2026, 10, 25)), (date(2027, 3, 28), date(2027, 10, 31))],
)
def test_the_night_ends_at_eight_london_time_on_both_clock_change_days(forward_day, back_day):
    # Clocks go forward at 01:00 UTC: by the morning it is BST, so 08:00 London is 07:00 UTC.
    evening_before = datetime.combine(forward_day - timedelta(days=1), time(21), tzinfo=UTC)
    assert next_allowed_time(evening_before, DEFAULT_QUIET_RULES) == london_to_utc(forward_day, time(8))
    assert london_to_utc(forward_day, time(8)) == datetime.combine(forward_day, time(7), tzinfo=UTC)
    # Clocks go back at 01:00 UTC: 08:00 London is 08:00 UTC again.
    during_repeated_hour = datetime.combine(back_day, time(1, 30), tzinfo=UTC)
    assert next_allowed_time(during_repeated_hour, DEFAULT_QUIET_RULES) == datetime.combine(
        back_day, time(8), tzinfo=UTC
    )


def test_on_the_day_clocks_go_forward_0730_utc_is_0830_bst_and_allowed():
    assert is_allowed_time(utc(2026, 3, 29, 7, 30), DEFAULT_QUIET_RULES)
    assert next_allowed_time(utc(2026, 3, 29, 7, 30), DEFAULT_QUIET_RULES) == utc(2026, 3, 29, 7, 30)
    # The day before it was still GMT: 07:30 UTC was 07:30 in London and too early.
    assert next_allowed_time(utc(2026, 3, 28, 7, 30), DEFAULT_QUIET_RULES) == utc(2026, 3, 28, 8, 0)


def test_on_the_day_clocks_go_back_0730_utc_is_0730_gmt_and_waits_half_an_hour():
    assert not is_allowed_time(utc(2026, 10, 25, 7, 30), DEFAULT_QUIET_RULES)
    assert next_allowed_time(utc(2026, 10, 25, 7, 30), DEFAULT_QUIET_RULES) == utc(2026, 10, 25, 8, 0)
    # The evening before was still BST: 19:30 UTC was 20:30 in London.
    assert next_allowed_time(utc(2026, 10, 24, 19, 30), DEFAULT_QUIET_RULES) == utc(2026, 10, 25, 8, 0)


def test_the_evening_the_clocks_go_back_2027_quiet_starts_at_twenty_gmt():
    assert is_allowed_time(utc(2027, 10, 31, 19, 30), DEFAULT_QUIET_RULES)  # 19:30 GMT
    assert not is_allowed_time(utc(2027, 10, 30, 19, 30), DEFAULT_QUIET_RULES)  # 20:30 BST


def test_a_window_ending_inside_the_missing_spring_hour_lands_just_after_the_change():
    rules = QuietRules(windows=(QuietWindow(time(23), time(1, 30)),))
    # 01:30 London does not exist on 29 March 2026; the first instant after is 01:00 UTC (02:00 BST).
    assert next_allowed_time(utc(2026, 3, 29, 0, 15), rules) == utc(2026, 3, 29, 1, 30)
    assert is_allowed_time(utc(2026, 3, 29, 1, 30), rules)


def test_a_window_ending_inside_the_repeated_autumn_hour_never_goes_backwards():
    rules = QuietRules(windows=(QuietWindow(time(23), time(1, 30)),))
    second_one_oclock = utc(2026, 10, 25, 1, 0)  # 01:00 GMT, the second time London shows 01:00
    result = next_allowed_time(second_one_oclock, rules)
    assert result >= second_one_oclock
    assert is_allowed_time(result, rules)
    assert result.astimezone(LONDON).time() == time(1, 30)


# ---------------------------------------------------------------- children and school hours


def test_a_child_is_not_texted_during_the_school_day():
    # Tuesday 10 March 2026, 10:00 London
    assert next_allowed_time(london(2026, 3, 10, 10, 0), CHILD_QUIET_RULES) == london(2026, 3, 10, 15, 15)
    assert is_allowed_time(london(2026, 3, 10, 8, 30), CHILD_QUIET_RULES)
    assert not is_allowed_time(london(2026, 3, 10, 8, 45), CHILD_QUIET_RULES)


def test_a_child_can_be_texted_at_ten_on_a_saturday_and_on_a_bank_holiday():
    assert is_allowed_time(london(2026, 3, 14, 10, 0), CHILD_QUIET_RULES)
    assert is_allowed_time(london(2026, 8, 31, 10, 0), CHILD_QUIET_RULES)


def test_school_hours_follow_british_summer_time():
    # 09:00 UTC on 1 July 2026 is 10:00 BST: school; allowed again at 15:15 BST = 14:15 UTC.
    assert next_allowed_time(utc(2026, 7, 1, 9, 0), CHILD_QUIET_RULES) == utc(2026, 7, 1, 14, 15)


def test_school_holidays_can_be_configured_to_lift_the_school_hours_window():
    rules = QuietRules(windows=(NIGHT, QuietWindow(time(8, 45), time(15, 15), school_days_only=True)),
                       school_holidays=((date(2026, 7, 22), date(2026, 9, 1)),))
    assert is_allowed_time(london(2026, 8, 12, 11, 0), rules)
    assert not is_allowed_time(london(2026, 9, 2, 11, 0), rules)


def test_a_reminder_due_on_saturday_evening_moves_to_monday_eight_when_weekends_are_quiet():
    rules = QuietRules(windows=(NIGHT,), quiet_on_non_working_days=True)
    saturday_evening = london(2026, 3, 14, 19, 0)
    assert next_allowed_time(saturday_evening, rules) == london(2026, 3, 16, 8, 0)


def test_with_quiet_weekends_the_easter_weekend_waits_until_tuesday():
    rules = QuietRules(windows=(NIGHT,), quiet_on_non_working_days=True)
    assert next_allowed_time(london(2027, 3, 25, 21, 0), rules) == london(2027, 3, 30, 8, 0)


def test_with_default_rules_a_saturday_evening_message_goes_on_sunday_at_eight():
    assert next_allowed_time(london(2026, 3, 14, 21, 0), DEFAULT_QUIET_RULES) == london(2026, 3, 15, 8, 0)


def test_rules_that_leave_no_time_at_all_are_refused():
    with pytest.raises(ValueError):
        QuietRules(windows=(QuietWindow(time(0), time(12)), QuietWindow(time(12), time(0))))
    with pytest.raises(ValueError):
        QuietRules(
            windows=(NIGHT, QuietWindow(time(8), time(20), school_days_only=True)),
            quiet_on_non_working_days=True,
        )
    with pytest.raises(ValueError):
        QuietWindow(time(9), time(9))
