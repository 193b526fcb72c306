"""Working days and decent hours, in London time.

Pure functions over dates and aware datetimes: no Flask, no database.

* A *working day* is Monday to Friday and not an England and Wales bank holiday. Bank
  holidays come from the maintained ``holidays`` package (``GB``, subdivision ``ENG``), which
  also knows substitute days (Boxing Day 2026 falls on a Saturday, so Monday 28 December is the
  holiday) and one-off holidays proclaimed by the government.
* *Decent hours* are expressed as :class:`QuietRules`: wall-clock windows in Europe/London when
  nothing may be sent. :func:`next_allowed_time` moves a UTC instant out of any quiet window.
  Wall-clock arithmetic goes through :mod:`zoneinfo`, so the days the clocks change need no
  special cases: 08:00 London is 08:00 UTC in winter and 07:00 UTC in summer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")

# England and Wales share one set of bank holidays; "ENG" is the subdivision the holidays
# package uses for them.
_COUNTRY = "GB"
_SUBDIVISION = "ENG"


@functools.lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year`` (including substitute days)."""
    return frozenset(holidays.country_holidays(_COUNTRY, subdiv=_SUBDIVISION, years=year))


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: date, count: int) -> date:
    """The date ``count`` working days after ``day`` (before it when ``count`` is negative).

    ``day`` itself need not be a working day: 1 working day after a Saturday is the Monday
    (or the Tuesday when that Monday is a bank holiday). ``count == 0`` returns ``day``.
    """
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_before(day: date, count: int) -> date:
    """The date ``count`` working days before ``day``: 3 working days before Monday is Wednesday."""
    if count < 0:
        raise ValueError("count must not be negative")
    return add_working_days(day, -count)


def london_date(moment: datetime) -> date:
    """The calendar date in London at an aware instant."""
    return _require_aware(moment).astimezone(LONDON).date()


def london_to_utc(day: date, wall_time: time) -> datetime:
    """The UTC instant at which London clocks show ``wall_time`` on ``day``.

    On the day the clocks go forward, a wall time inside the missing hour (01:00-02:00) is
    read with the winter offset, i.e. it lands just after the change (01:30 -> 01:30 UTC,
    shown as 02:30 BST). On the day they go back, a repeated wall time means its first
    occurrence (British Summer Time).
    """
    local = datetime.combine(day, wall_time.replace(tzinfo=None), tzinfo=LONDON)
    return local.astimezone(UTC)


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware (UTC)")
    return moment


@dataclass(frozen=True)
class QuietWindow:
    """A daily wall-clock window (London time) when nothing is sent; ``start`` inclusive,
    ``end`` exclusive. A window whose ``end`` is not after its ``start`` runs past midnight
    (20:00-08:00). ``school_days_only`` windows apply only on days that start on a school day
    (see :class:`QuietRules`)."""

    start: time
    end: time
    school_days_only: bool = False

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("a quiet window needs different start and end times")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("quiet window times are London wall-clock times, without tzinfo")

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    def covers(self, wall: time) -> bool:
        if self.crosses_midnight:
            return wall >= self.start or wall < self.end
        return self.start <= wall < self.end


@dataclass(frozen=True)
class QuietRules:
    """When messages must not arrive, in London wall-clock time.

    * ``windows``: daily quiet windows (see :class:`QuietWindow`).
    * ``quiet_on_non_working_days``: if true, weekends and bank holidays are quiet all day.
    * ``school_holidays``: inclusive ``(first, last)`` date ranges on which school-day windows
      do not apply. School days are otherwise working days (Monday to Friday, not a bank
      holiday): term dates differ between schools, so by default school-hours windows apply on
      every working day, which errs on the side of not texting a child in class.
    """

    windows: tuple[QuietWindow, ...] = ()
    quiet_on_non_working_days: bool = False
    school_holidays: tuple[tuple[date, date], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "windows", tuple(self.windows))
        object.__setattr__(self, "school_holidays", tuple(tuple(r) for r in self.school_holidays))
        for first, last in self.school_holidays:
            if last < first:
                raise ValueError("a school holiday range ends before it starts")
        if not self._some_time_allowed():
            raise ValueError("these quiet rules leave no time at which a message may be sent")

    def is_school_day(self, day: date) -> bool:
        if not is_working_day(day):
            return False
        return not any(first <= day <= last for first, last in self.school_holidays)

    def _some_time_allowed(self) -> bool:
        """Whether some minute of some day is outside every window (else planning never ends).

        A week always has both a working day and a non-working day, so it is enough to find an
        allowed minute on a school day (all windows) or on a non-working day (everyday windows,
        unless non-working days are quiet).
        """
        minutes = [time(m // 60, m % 60) for m in range(24 * 60)]
        everyday = [w for w in self.windows if not w.school_days_only]
        if any(not any(w.covers(t) for w in self.windows) for t in minutes):
            return True
        if self.quiet_on_non_working_days:
            return False
        return any(not any(w.covers(t) for w in everyday) for t in minutes)

    def _window_end(self, local: datetime) -> datetime | None:
        """If ``local`` (London wall time) is quiet, the UTC instant the quiet spell it is in
        ends (only the first window found; callers loop). Otherwise None."""
        day, wall = local.date(), local.time().replace(tzinfo=None, fold=0)
        if self.quiet_on_non_working_days and not is_working_day(day):
            return london_to_utc(day + timedelta(days=1), time(0))
        for window in self.windows:
            if not window.covers(wall):
                continue
            started_yesterday = window.crosses_midnight and wall < window.end
            start_day = day - timedelta(days=1) if started_yesterday else day
            if window.school_days_only and not self.is_school_day(start_day):
                continue
            end_day = day if started_yesterday or not window.crosses_midnight else day + timedelta(days=1)
            return london_to_utc(end_day, window.end)
        return None


NIGHT = QuietWindow(time(20, 0), time(8, 0))
SCHOOL_HOURS = QuietWindow(time(8, 45), time(15, 15), school_days_only=True)

#: Adults: nothing between 20:00 and 08:00 London time, any day of the week.
DEFAULT_QUIET_RULES = QuietRules(windows=(NIGHT,))
#: Children: the night window, and not during the school day (08:45-15:15) on school days,
#: so a phone does not buzz in class and a child is not asked about home life at school.
CHILD_QUIET_RULES = QuietRules(windows=(NIGHT, SCHOOL_HOURS))


def is_allowed_time(moment: datetime, rules: QuietRules) -> bool:
    """Whether a message may arrive at ``moment`` (aware) under ``rules``."""
    return rules._window_end(_require_aware(moment).astimezone(LONDON)) is None


def next_allowed_time(moment: datetime, rules: QuietRules) -> datetime:
    """The earliest instant at or after ``moment`` that is outside every quiet window, in UTC.

    ``moment`` must be timezone-aware. A moment already allowed comes back unchanged (as UTC).
    """
    current = _require_aware(moment).astimezone(UTC)
    # Each step moves to the end of one quiet spell; rules are validated so an allowed time
    # exists within a week, and a week has at most a few spells per day.
    for _ in range(24 * 7 * max(1, len(rules.windows) + 1)):
        end = rules._window_end(current.astimezone(LONDON))
        if end is None:
            return current
        if end <= current:  # a window ending inside a repeated hour: never step backwards
            end = current + timedelta(minutes=1)
        current = end
    raise RuntimeError("no allowed time found within a week; quiet rules are inconsistent")


__all__ = [
    "CHILD_QUIET_RULES",
    "DEFAULT_QUIET_RULES",
    "LONDON",
    "NIGHT",
    "QuietRules",
    "QuietWindow",
    "SCHOOL_HOURS",
    "add_working_days",
    "bank_holidays",
    "is_allowed_time",
    "is_bank_holiday",
    "is_working_day",
    "london_date",
    "london_to_utc",
    "next_allowed_time",
    "working_days_before",
]

