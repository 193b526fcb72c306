"""The Learning Loop's actions (pure: no Flask, no database).

A QA officer turns a finding (a theme, a scorecard measure, a pattern in the review queue) into
an action with an owner, a due date and the scorecard measure it should move. Its status and
notes are kept over time, and its page shows the measure month by month before and after the
action started, on one chart.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

STATUSES = {"open": "Not started", "in_progress": "In progress", "done": "Done", "dropped": "Stopped"}
FINDING_KINDS = {"theme": "A theme", "measure": "A scorecard measure", "review": "A pattern in the review queue"}
MAX_TITLE, MAX_PLAIN = 200, 600


class ActionRefused(ValueError):
    pass


@dataclass(frozen=True)
class NewAction:
    title: str
    finding_kind: str
    finding_ref: str
    measure_id: str
    owner_name: str
    due_on: date
    started_on: date
    plain_words: str | None = None
    service: str | None = None


def check(action: NewAction, measure_ids: Sequence[str]) -> NewAction:
    """The action, tidied, or ActionRefused saying what to fix."""
    title, owner = action.title.strip(), action.owner_name.strip()
    if not title or len(title) > MAX_TITLE:
        raise ActionRefused(f"Enter what will be done, in {MAX_TITLE} characters or fewer")
    if action.finding_kind not in FINDING_KINDS:
        raise ActionRefused("Choose what the finding is")
    if action.measure_id not in measure_ids:
        raise ActionRefused("Choose the measure this action should move")
    if not owner:
        raise ActionRefused("Enter who owns this action")
    if action.due_on < action.started_on:
        raise ActionRefused("The due date must be on or after the start date")
    plain = (action.plain_words or "").strip() or None
    if plain and len(plain) > MAX_PLAIN:
        raise ActionRefused(f"The words for families must be {MAX_PLAIN} characters or fewer")
    return NewAction(title, action.finding_kind, action.finding_ref.strip()[:64] or action.measure_id, action.measure_id,
                     owner, action.due_on, action.started_on, plain, action.service or None)


def past_due(due_on: date, status: str, today: date) -> bool:
    return status in ("open", "in_progress") and today > due_on


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def before_and_after(months: Sequence[str], shares: Mapping[str, float | None], started_on: date
                     ) -> tuple[list[float | None], list[float | None]]:
    """Two series over the same months: the measure before the action's month, and from it on.
    The start month is in both, so the two lines meet."""
    start = month_of(started_on)
    before = [shares.get(m) if m <= start else None for m in months]
    after = [shares.get(m) if m >= start else None for m in months]
    return before, after


def average(values: Sequence[float | None]) -> float | None:
    shown = [v for v in values if v is not None]
    return sum(shown) / len(shown) if shown else None
