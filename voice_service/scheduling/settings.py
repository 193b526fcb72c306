"""The schedule's settings from the environment (see the table in ``docs/schedule.md``).

``config.build_settings`` copies these variables into the app config as text
(:func:`read_environ`) and checks them at start-up (:func:`from_config`), so a bad value stops
the service with a ``ConfigError`` naming the variable. ``service.schedule_settings()`` turns
the app config into the planner's :class:`ScheduleSettings` (a ``SCHEDULE_SETTINGS`` object in
the config, as tests use, takes precedence).

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta

from voice_service.config_errors import ConfigError
from voice_service.scheduling.calendar import QuietRules, QuietWindow
from voice_service.scheduling.planner import Override, ScheduleSettings

#: Variable -> default (text, as a person would type it).
DEFAULTS: dict[str, str] = {
    "QUIET_HOURS": "20:00-08:00",
    "CHILD_QUIET_HOURS": "20:00-08:00, school days 08:45-15:15",
    "INVITE_WORKING_DAYS_BEFORE": "immediately",
    "REMINDER_WORKING_DAYS": "5,3",
    "CLOSE_WORKING_DAYS_BEFORE": "3",
    "SEND_TIME": "10:00",
    "CLOSE_TIME": "17:00",
    "MIN_GAP_HOURS": "12",
    "EOS_DAYS_AFTER_CLOSURE": "7",
    "EOS_REMINDER_DAYS": "5",
    "MEETING_QUALITY_DAYS_AFTER": "1",
    "MEETING_QUALITY_REMINDER_DAYS": "4",
}
#: ``CLOSE_WORKING_DAYS_BEFORE_CP_CONFERENCE=5``: the close for one meeting type.
CLOSE_PREFIX = "CLOSE_WORKING_DAYS_BEFORE_"
_NONE_WORDS = {"none", "never", "off", "no"}
_WINDOW = re.compile(r"^(school days\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


class ScheduleConfigError(ConfigError, ValueError):
    """A schedule variable has a value that cannot be used; the message names it."""


def _meeting_types() -> tuple[str, ...]:
    from voice_service.vocab import MEETING_TYPES

    return tuple(MEETING_TYPES)


def read_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The schedule variables from ``environ`` (defaults for the missing ones), as text."""
    values = {key: (environ.get(key) or "").strip() or default for key, default in DEFAULTS.items()}
    for key, value in environ.items():
        if key.startswith(CLOSE_PREFIX) and value.strip():
            values[key] = value.strip()
    return values


def _problem(key: str, value: str, expected: str) -> ScheduleConfigError:
    return ScheduleConfigError(f"{key}={value!r} is not valid: {expected}")


def _whole(key: str, value: str, *, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _problem(key, value, "use a whole number") from None
    if number < minimum:
        raise _problem(key, value, f"use a whole number of at least {minimum}")
    return number


def _clock(key: str, value: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise _problem(key, value, "use a 24-hour London time like 10:00")
    return time(int(match[1]), int(match[2]))


def parse_quiet_hours(key: str, value: str) -> QuietRules:
    """``20:00-08:00`` (a window may run past midnight), several separated by commas,
    ``school days 08:45-15:15`` for a window on school days only, or ``none``."""
    text = value.strip().lower()
    if text in _NONE_WORDS:
        return QuietRules()
    windows = []
    for part in (p.strip() for p in text.split(",")):
        match = _WINDOW.match(part)
        if not match:
            raise _problem(key, value, "use London times like 20:00-08:00, several separated by commas, "
                                       "'school days 08:45-15:15' for school days only, or 'none'")
        school, h1, m1, h2, m2 = match.groups()
        if int(h1) > 23 or int(h2) > 23 or int(m1) > 59 or int(m2) > 59:
            raise _problem(key, value, "hours go from 00 to 23 and minutes from 00 to 59")
        try:
            windows.append(QuietWindow(time(int(h1), int(m1)), time(int(h2), int(m2)), school_days_only=bool(school)))
        except ValueError as error:
            raise _problem(key, value, str(error)) from None
    try:
        return QuietRules(windows=tuple(windows))
    except ValueError as error:
        raise _problem(key, value, str(error)) from None


def _reminder_days(key: str, value: str) -> tuple[int, ...]:
    text = value.strip().lower()
    if text in _NONE_WORDS:
        return ()
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isdigit() for part in parts):
        raise _problem(key, value, "use whole numbers of working days separated by commas, like 5,3, or 'none'")
    days = tuple(int(part) for part in parts)
    if len(set(days)) != len(days):
        raise _problem(key, value, "each number of working days may appear once")
    return days


def _invite_days(key: str, value: str) -> int | None:
    if value.strip().lower() in {"immediately", "now", "at once", "0h"}:
        return None
    return _whole(key, value)


def from_config(config: Mapping[str, object]) -> ScheduleSettings:
    """The planner's settings from the schedule variables in ``config`` (text, or already
    parsed values). Raises :class:`ScheduleConfigError` naming the first bad variable."""
    def text(key: str) -> str:
        value = config.get(key)
        return DEFAULTS[key] if value is None or str(value).strip() == "" else str(value)

    quiet = parse_quiet_hours("QUIET_HOURS", text("QUIET_HOURS"))
    child_quiet = parse_quiet_hours("CHILD_QUIET_HOURS", text("CHILD_QUIET_HOURS"))
    overrides = []
    known = _meeting_types()
    for key in sorted(k for k in config if isinstance(k, str) and k.startswith(CLOSE_PREFIX)):
        meeting_type = key[len(CLOSE_PREFIX):].lower()
        if meeting_type not in known:
            raise _problem(key, str(config[key]), f"there is no meeting type '{meeting_type}'; "
                                                  f"use one of: {', '.join(t.upper() for t in known)}")
        overrides.append(Override({"close_working_days_before": _whole(key, str(config[key]))},
                                  meeting_type=meeting_type))
    values = dict(
        invite_working_days_before=_invite_days("INVITE_WORKING_DAYS_BEFORE", text("INVITE_WORKING_DAYS_BEFORE")),
        reminder_working_days_before=_reminder_days("REMINDER_WORKING_DAYS", text("REMINDER_WORKING_DAYS")),
        close_working_days_before=_whole("CLOSE_WORKING_DAYS_BEFORE", text("CLOSE_WORKING_DAYS_BEFORE")),
        send_time=_clock("SEND_TIME", text("SEND_TIME")),
        close_time=_clock("CLOSE_TIME", text("CLOSE_TIME")),
        min_gap=timedelta(hours=_whole("MIN_GAP_HOURS", text("MIN_GAP_HOURS"))),
        eos_days_after_closure=_whole("EOS_DAYS_AFTER_CLOSURE", text("EOS_DAYS_AFTER_CLOSURE")),
        eos_reminder_days_after=_whole("EOS_REMINDER_DAYS", text("EOS_REMINDER_DAYS"), minimum=1),
        meeting_quality_days_after=_whole("MEETING_QUALITY_DAYS_AFTER", text("MEETING_QUALITY_DAYS_AFTER")),
        meeting_quality_reminder_days=_whole("MEETING_QUALITY_REMINDER_DAYS", text("MEETING_QUALITY_REMINDER_DAYS"),
                                             minimum=1),
        quiet_rules=quiet,
        quiet_rules_by_role={"child": child_quiet},
        overrides=tuple(overrides),
    )
    try:
        return ScheduleSettings(**values)
    except ValueError as error:  # a combination the planner refuses
        raise ScheduleConfigError(f"schedule settings: {error}") from None


def cache_key(config: Mapping[str, object]) -> tuple:
    """What :func:`from_config` depends on, to re-read settings only when they change."""
    return tuple(sorted(
        (key, str(value)) for key, value in config.items()
        if isinstance(key, str) and (key in DEFAULTS or key.startswith(CLOSE_PREFIX))
    ))

__all__ = ["CLOSE_PREFIX", "DEFAULTS", "ScheduleConfigError", "cache_key", "from_config", "parse_quiet_hours",
           "read_environ"]
