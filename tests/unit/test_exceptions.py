"""The exceptions report's rules: each fires past its line and not at or inside it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from voice_service.analysis import exceptions as ex
from voice_service.analysis.exceptions import Thresholds

T = Thresholds()


def test_a_fall_of_the_set_points_or_more_is_an_exception_and_a_hidden_rate_never_is():
    current = {"service:cp": ("Service: Child protection", 0.60), "route:text": ("Route: text", 0.65),
               "role:child": ("Who: child", None)}
    previous = {"service:cp": 0.70, "route:text": 0.70, "role:child": 0.90}
    found = ex.response_rate_fell(current, previous, T)
    assert [f.group for f in found] == ["Service: Child protection"]
    assert found[0].detail == "70% last month, 60% this month"
    assert ex.response_rate_fell(current, previous, Thresholds(response_drop_points=11)) == []


def test_late_alerts_count_the_slow_and_the_never_acknowledged():
    raised = datetime(2026, 11, 3, 10, tzinfo=UTC)
    rows = [{"raised_at": raised, "acknowledged_at": raised + timedelta(minutes=59)},
            {"raised_at": raised, "acknowledged_at": raised + timedelta(minutes=61)},
            {"raised_at": raised, "acknowledged_at": None}]
    late = ex.late_alerts(rows, 60, as_of=raised + timedelta(days=30))
    assert late == 2
    assert ex.alerts_acknowledged_late(late, 3, T)[0].detail == "2 of 3 alerts were not acknowledged within 60 minutes"
    assert ex.alerts_acknowledged_late(late, 3, Thresholds(alerts_late_max=2)) == []


def test_views_not_read_needs_enough_meetings_to_show_a_share():
    assert ex.views_not_read({"cp": ("Child protection", 10, 8)}, T)[0].detail == "views read before 80% of 10 meetings"
    assert ex.views_not_read({"cp": ("Child protection", 10, 9)}, T) == []
    assert ex.views_not_read({"cp": ("Child protection", 4, 0)}, T) == []  # under the suppression threshold


def test_reports_shared_late_from_what_people_said():
    assert [f.group for f in ex.reports_shared_late({"all": ("All services", 0.79), "cp": ("CP", None)}, T)] == ["All services"]
    assert ex.reports_shared_late({"all": ("All services", 0.8)}, T) == []


def test_you_said_overdue_writes_small_counts_as_fewer_than_the_threshold():
    assert ex.you_said_overdue(0, T) == []
    assert ex.you_said_overdue(3, T)[0].detail.startswith("fewer than 5 people")
    assert ex.you_said_overdue(12, T)[0].detail.startswith("12 people")


def test_actions_past_due_lists_the_first_five():
    titles = [f"Action {i}" for i in range(7)]
    found = ex.actions_past_due(titles, T)
    assert found[0].detail == "7 past due: Action 0; Action 1; Action 2; Action 3; Action 4; and more"
    assert ex.actions_past_due(titles, Thresholds(actions_past_due_max=7)) == []


def test_thresholds_come_from_the_settings():
    t = Thresholds.from_config({"PACK_RESPONSE_DROP_POINTS": 15, "PACK_VIEWS_READ_MIN_PERCENT": 75,
                                "SUPPRESSION_THRESHOLD": 10, "ALERT_ESCALATE_AFTER_MINUTES": 30})
    assert (t.response_drop_points, t.views_read_min_share, t.suppression, t.alert_target_minutes) == (15, 0.75, 10, 30)
