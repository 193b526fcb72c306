"""Learning Loop action rules: checks, past due, before and after."""
from datetime import date

import pytest

from voice_service.learning import actions


def _new(**kw):
    base = dict(title="Send reports three working days before", finding_kind="measure", finding_ref="report_in_time",
                measure_id="report_in_time", owner_name="Head of conferences", due_on=date(2026, 12, 31),
                started_on=date(2026, 10, 1))
    return actions.NewAction(**{**base, **kw})


def test_a_good_action_is_kept_and_a_bad_one_says_what_to_fix():
    assert actions.check(_new(), ["report_in_time"]).title == "Send reports three working days before"
    with pytest.raises(actions.ActionRefused, match="measure"):
        actions.check(_new(measure_id="nope"), ["report_in_time"])
    with pytest.raises(actions.ActionRefused, match="due date"):
        actions.check(_new(due_on=date(2026, 9, 1)), ["report_in_time"])
    with pytest.raises(actions.ActionRefused, match="owns"):
        actions.check(_new(owner_name="  "), ["report_in_time"])


def test_past_due_only_while_not_done():
    assert actions.past_due(date(2026, 11, 1), "open", date(2026, 11, 2))
    assert not actions.past_due(date(2026, 11, 1), "done", date(2026, 11, 2))
    assert not actions.past_due(date(2026, 11, 1), "in_progress", date(2026, 11, 1))


def test_before_and_after_share_the_start_month_so_the_lines_meet():
    months = ["2026-08", "2026-09", "2026-10", "2026-11"]
    shares = {"2026-08": 0.4, "2026-09": 0.5, "2026-10": None, "2026-11": 0.8}
    before, after = actions.before_and_after(months, shares, date(2026, 9, 15))
    assert before == [0.4, 0.5, None, None]
    assert after == [None, 0.5, None, 0.8]
    assert actions.average(before) == pytest.approx(0.45) and actions.average([None]) is None
