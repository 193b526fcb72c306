"""Meetings for staff, by concern:

* `meetings.rules` (pure): who may open a meeting or see answers, invitation states, masking;
* `meetings.views`: the view models of the upcoming list and the meeting page;
* `voice_service.store.meetings`: the queries that build them (`upcoming_meetings`,
  `meeting_by_ref`, `load_meeting_page`);
* `meetings.changes`: `mark_views_read`, `record_outcome` (which plans "you said, we did").

`record_outcome` is importable from here as well (voice_service/learning/demo.py uses this path),
loaded only when asked for, so that importing the pure `meetings.rules` loads no ORM or Flask.
"""
from __future__ import annotations

_FROM_CHANGES = ("OutcomeRefused", "record_outcome")


def __getattr__(name: str):
    if name in _FROM_CHANGES:
        from voice_service.meetings import changes

        return getattr(changes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
