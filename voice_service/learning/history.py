"""After the meeting, answers are history (pure rules: no Flask, no database).

Views given before a meeting are what the chair read; once the meeting starts they are part of
the record and the private link stops taking changes to them. A person may still add an answer
they had not given, and anything received after the start is shown to staff as "added after
the meeting".
"""
from __future__ import annotations

from datetime import datetime


def meeting_started(starts_at: datetime, now: datetime) -> bool:
    return now >= starts_at


def answer_locked(received_at: datetime | None, starts_at: datetime, now: datetime) -> bool:
    """True when this answer was given before the meeting and the meeting has started."""
    return received_at is not None and received_at < starts_at <= now


def added_after_meeting(received_at: datetime | None, starts_at: datetime) -> bool:
    return received_at is not None and received_at >= starts_at
