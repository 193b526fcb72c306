"""Re-planning: a moved, cancelled or answered meeting changes pending rows, never sent ones."""

from dataclasses import replace
from datetime import UTC, datetime

from voice_service.scheduling.calendar import LONDON
from voice_service.scheduling.planner import (
    Audience,
    Changes,
    ExistingScheduled,
    Kind,
    PlanRequest,
    plan,
    replan,
)

CREATED = datetime(2026, 3, 2, 9, 30, tzinfo=LONDON).astimezone(UTC)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def request(**kwargs) -> PlanRequest:
    defaults = dict(
        now=CREATED,
        known_at=CREATED,
        meeting_type="cla_review",
        audience=Audience("parent", "adult"),
        meeting_start=london(2026, 3, 20, 10, 0),
        phone="+447911123456",
    )
    defaults.update(kwargs)
    return PlanRequest(**defaults)


def store(changes: Changes, rows: list[ExistingScheduled] | None = None) -> list[ExistingScheduled]:
    """Apply changes as the database layer would."""
    rows = list(rows or [])
    by_id = {row.id: row for row in rows}
    for move in changes.move:
        row = by_id[move.row_id]
        by_id[row.id] = replace(row, due_at=move.due_at, state="pending" if move.reopen else row.state)
    for cancel in changes.cancel:
        by_id[cancel.row_id] = replace(by_id[cancel.row_id], state="cancelled")
    for miss in changes.missed:
        by_id[miss.row_id] = replace(by_id[miss.row_id], state="missed")
    next_id = max(by_id, default=0) + 1
    for message in changes.add:
        by_id[next_id] = ExistingScheduled(next_id, message.kind.value, message.sequence, message.due_at, "pending")
        next_id += 1
    for dropped in changes.record:
        state = "missed" if dropped.missed else "cancelled"
        by_id[next_id] = ExistingScheduled(next_id, dropped.kind.value, dropped.sequence, CREATED, state)
        next_id += 1
    return sorted(by_id.values(), key=lambda r: r.id)


def mark(rows, kind, sequence, state):
    return [replace(r, state=state) if (r.kind, r.sequence) == (kind, sequence) else r for r in rows]


def row(rows, kind, sequence=0):
    return next(r for r in rows if (r.kind, r.sequence) == (kind, sequence))


def test_a_new_invitation_adds_every_planned_row():
    changes = replan([], plan(request()))
    assert [(m.kind, m.sequence) for m in changes.add] == [
        (Kind.INVITE, 0), (Kind.REMINDER, 1), (Kind.REMINDER, 2), (Kind.CLOSE, 0)
    ]
    assert not (changes.move or changes.cancel or changes.missed)


def test_replanning_twice_changes_nothing_the_second_time():
    rows = store(replan([], plan(request())))
    assert replan(rows, plan(request())).is_empty
    later = request(now=london(2026, 3, 10, 12, 0))
    rows = store(replan(rows, plan(later)), rows)
    assert replan(rows, plan(later)).is_empty


def test_a_meeting_moved_a_week_later_moves_pending_reminders_and_close_not_the_sent_invitation():
    rows = mark(store(replan([], plan(request()))), "invite", 0, "sent")
    moved = request(now=london(2026, 3, 4, 12, 0), meeting_start=london(2026, 3, 27, 10, 0))
    changes = replan(rows, plan(moved))
    assert not changes.add and not changes.cancel and not changes.missed
    assert {(row(rows, "reminder", 1).id, london(2026, 3, 20, 10, 0)),
            (row(rows, "reminder", 2).id, london(2026, 3, 24, 10, 0)),
            (row(rows, "close").id, london(2026, 3, 24, 17, 0))} == {(m.row_id, m.due_at) for m in changes.move}
    assert row(rows, "invite").id not in {m.row_id for m in changes.move}
    assert replan(store(changes, rows), plan(moved)).is_empty


def test_a_meeting_brought_forward_drops_the_reminders_that_no_longer_fit():
    rows = mark(store(replan([], plan(request()))), "invite", 0, "sent")
    # Moved from Friday 20 to Thursday 5 March, three days after the invitation went.
    earlier = request(now=london(2026, 3, 3, 12, 0), meeting_start=london(2026, 3, 5, 10, 0))
    changes = replan(rows, plan(earlier))
    assert [(c.row_id, c.reason) for c in changes.cancel] == [
        (row(rows, "reminder", 1).id, "meeting too close to fit reminder 1 (5 working days before)"),
        (row(rows, "reminder", 2).id, "meeting too close to fit reminder 2 (3 working days before)"),
    ]
    # too late for the usual summary deadline: the link stays open until the meeting
    assert [(m.row_id, m.due_at) for m in changes.move] == [(row(rows, "close").id, london(2026, 3, 5, 10, 0))]


def test_a_meeting_brought_forward_sends_the_reminder_whose_new_time_has_passed_now():
    rows = mark(store(replan([], plan(request()))), "invite", 0, "sent")
    # Moved to Friday 13 March: 5 working days before is Friday 6th, already past on Monday 9th.
    earlier = request(now=london(2026, 3, 9, 12, 0), meeting_start=london(2026, 3, 13, 10, 0))
    changes = replan(rows, plan(earlier))
    assert {(m.row_id, m.due_at) for m in changes.move} == {
        (row(rows, "reminder", 1).id, london(2026, 3, 9, 12, 0)),
        (row(rows, "reminder", 2).id, london(2026, 3, 10, 10, 0)),
        (row(rows, "close").id, london(2026, 3, 10, 17, 0)),
    }
    assert not changes.cancel


def test_sent_and_sending_rows_are_never_touched_even_when_the_meeting_is_cancelled():
    rows = store(replan([], plan(request())))
    rows = mark(mark(rows, "invite", 0, "sent"), "reminder", 1, "sending")
    changes = replan(rows, plan(request(now=london(2026, 3, 13, 10, 1), meeting_cancelled=True)))
    touched = {c.row_id for c in changes.cancel} | {m.row_id for m in changes.move}
    assert touched == {row(rows, "reminder", 2).id, row(rows, "close").id}
    assert {c.reason for c in changes.cancel} == {"meeting cancelled"}


def test_an_answer_cancels_the_reminders_and_close():
    rows = mark(store(replan([], plan(request()))), "invite", 0, "sent")
    changes = replan(rows, plan(request(now=london(2026, 3, 5, 19, 0), answered=True)))
    assert {(c.row_id, c.reason) for c in changes.cancel} == {
        (row(rows, "reminder", 1).id, "views already given"),
        (row(rows, "reminder", 2).id, "views already given"),
        (row(rows, "close").id, "views already given"),
    }
    assert not changes.add and not changes.missed


def test_opting_out_cancels_and_opting_back_in_reopens():
    rows = mark(store(replan([], plan(request()))), "invite", 0, "sent")
    stop_time = london(2026, 3, 5, 19, 0)
    changes = replan(rows, plan(request(now=stop_time, opted_out=True)))
    assert {c.reason for c in changes.cancel} == {"number opted out (texted STOP)"}
    rows = store(changes, rows)
    changes = replan(rows, plan(request(now=london(2026, 3, 6, 9, 0))))
    assert {m.row_id for m in changes.move if m.reopen} == {
        row(rows, "reminder", 1).id, row(rows, "reminder", 2).id, row(rows, "close").id
    }
    rows = store(changes, rows)
    assert {r.state for r in rows} == {"sent", "pending"}
    assert replan(rows, plan(request(now=london(2026, 3, 6, 9, 0)))).is_empty


def test_pending_messages_left_when_the_meeting_has_happened_are_marked_missed():
    rows = store(replan([], plan(request())))  # nothing was ever sent: the clock was down
    changes = replan(rows, plan(request(now=london(2026, 3, 21, 9, 0))))
    assert {m.row_id for m in changes.missed} == {
        row(rows, "invite").id, row(rows, "reminder", 1).id, row(rows, "reminder", 2).id
    }
    assert {m.reason for m in changes.missed} == {"the meeting has already started"}
    # the close is still due: it expires the link
    assert [m.row_id for m in changes.move] == []
    assert not changes.cancel


def test_an_overdue_pending_row_is_not_moved_to_a_later_now():
    rows = store(replan([], plan(request())))
    # Friday 13 March 10:00 reminder not sent yet (clock down); re-planned at 11:00 and 11:05.
    at_11 = store(replan(rows, plan(request(now=london(2026, 3, 13, 11, 0)))), rows)
    assert replan(at_11, plan(request(now=london(2026, 3, 13, 11, 5)))).is_empty


def test_recording_the_outcome_adds_you_said_we_did():
    rows = store(replan([], plan(request())))
    rows = [replace(r, state="sent") for r in rows if r.kind in ("invite", "reminder")] + [
        replace(r, state="cancelled") for r in rows if r.kind == "close"
    ]
    after = request(now=london(2026, 3, 23, 14, 0), answered=True, outcome_recorded_at=london(2026, 3, 23, 13, 0))
    changes = replan(rows, plan(after))
    assert [(m.kind, m.due_at) for m in changes.add] == [(Kind.YOU_SAID_WE_DID, london(2026, 3, 23, 14, 0)),
                                                         (Kind.YOU_SAID_FOLLOW_UP, london(2026, 4, 22, 14, 0))]
    assert not changes.move and not changes.cancel


def test_naive_stored_times_are_read_as_utc():
    rows = store(replan([], plan(request())))
    naive = [replace(r, due_at=r.due_at.replace(tzinfo=None)) for r in rows]
    assert replan(naive, plan(request())).is_empty


def test_an_invitation_that_cannot_be_sent_is_recorded_once_with_its_reason():
    changes = replan([], plan(request(phone="020 7946 0000")))
    assert not changes.add
    assert [(d.kind, d.reason, d.missed) for d in changes.record] == [
        (Kind.INVITE, "no usable contact: not a mobile number, so it cannot receive texts", False)
    ]
    rows = store(changes)
    assert replan(rows, plan(request(phone="020 7946 0000"))).is_empty
    # the number is corrected: the recorded row is reopened and the rest is added
    fixed = replan(rows, plan(request()))
    assert [m.reopen for m in fixed.move] == [True]
    assert [(m.kind, m.sequence) for m in fixed.add] == [(Kind.REMINDER, 1), (Kind.REMINDER, 2), (Kind.CLOSE, 0)]


def test_an_invitation_for_a_meeting_already_held_is_recorded_as_missed():
    changes = replan([], plan(request(now=london(2026, 3, 21, 9, 0))))
    assert [(d.kind, d.missed) for d in changes.record] == [(Kind.INVITE, True)]
