"""Trends roll-ups and small-number suppression: no hidden count can be worked out from what is shown."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from voice_service.analysis import suppression, trends
from voice_service.analysis.suppression import RawTable, Table, suppress, suppress_linked

T = 5


def raw(counts, key="t", **kw) -> RawTable:
    rows = [f"r{i}" for i in range(len(counts))]
    cols = [f"c{j}" for j in range(len(counts[0]))]
    return RawTable(key, key, "row", rows, rows, cols, cols, [list(r) for r in counts], **kw)


# -- an attacker's view, written independently of the suppression code --------------------------

def published_equations(table: Table) -> list[tuple[dict, float]]:
    """Every sum a reader can see in a published table: {unknown: coefficient} = constant."""
    def value(kind, *idx):
        if kind == "cell":
            return table.cells[idx[0]][idx[1]]
        if kind == "row":
            return table.row_totals[idx[0]]
        if kind == "col":
            return table.col_totals[idx[0]]
        return table.grand_total

    equations = []

    def equation(parts, total):
        coeffs, constant = {}, 0.0
        for sign, ref in [(1, p) for p in parts] + [(-1, total)]:
            v = value(*ref)
            if v is None:
                coeffs[(table.key, *ref)] = coeffs.get((table.key, *ref), 0) + sign
            else:
                constant -= sign * v
        if coeffs:
            equations.append((coeffs, constant))

    n, m = len(table.rows), len(table.cols)
    if table.row_totals is not None:
        for i in range(n):
            equation([("cell", i, j) for j in range(m)], ("row", i))
    if table.col_totals is not None:
        for j in range(m):
            equation([("cell", i, j) for i in range(n)], ("col", j))
    if table.has_grand_total and table.row_totals is not None:
        equation([("row", i) for i in range(n)], ("grand",))
    if table.has_grand_total and table.col_totals is not None:
        equation([("col", j) for j in range(m)], ("grand",))
    return equations


def recoverable(tables: list[Table], same: dict | None = None) -> list[tuple]:
    """Hidden values whose smallest and largest possible value (counts >= 0) are equal.

    `same` maps an unknown to another unknown that is the same number (linked tables)."""
    same = same or {}
    equations = [eq for t in tables for eq in published_equations(t)]
    unknowns = sorted({same.get(u, u) for coeffs, _ in equations for u in coeffs}, key=repr)
    if not unknowns:
        return []
    index = {u: k for k, u in enumerate(unknowns)}
    a = np.zeros((len(equations), len(unknowns)))
    b = np.zeros(len(equations))
    for r, (coeffs, constant) in enumerate(equations):
        for u, c in coeffs.items():
            a[r, index[same.get(u, u)]] += c
        b[r] = constant
    found = []
    for k, u in enumerate(unknowns):
        c = np.zeros(len(unknowns))
        c[k] = 1
        low = linprog(c, A_eq=a, b_eq=b, bounds=[(0, None)] * len(unknowns), method="highs")
        high = linprog(-c, A_eq=a, b_eq=b, bounds=[(0, None)] * len(unknowns), method="highs")
        assert low.status == 0, "the published figures must be consistent"
        if high.status == 0 and high.x[k] - low.x[k] < 0.999:
            found.append(u)
    return found


def shown_values(table: Table) -> list[int]:
    return table.visible_values()


# -- behaviour -----------------------------------------------------------------------------------

def test_a_small_cell_is_hidden_and_so_is_its_partner_in_the_row_and_column():
    t = suppress(raw([[3, 10], [12, 15], [20, 30]]), T)
    assert t.cells[0][0] is None
    assert t.cells[0][1] is None          # else 13 - 10 reveals the 3
    assert sum(v is None for v in (t.cells[1][0], t.cells[2][0])) >= 1   # the column needs a second hidden cell
    assert t.row_totals[0] == 13 and t.grand_total == 90
    assert recoverable([t]) == []


def test_no_number_under_the_threshold_is_ever_shown_totals_included():
    t = suppress(raw([[1, 2], [1, 0]]), T)
    assert all(v >= T for v in shown_values(t))
    assert t.all_suppressed


def test_hidden_zeros_cannot_be_read_from_a_total_that_adds_up_without_them():
    # Row 0: 0 and 0 hidden, the 9 and the 9 shown would prove both hidden cells are 0.
    t = suppress(raw([[0, 0, 9], [6, 7, 8]]), T)
    assert recoverable([t]) == []
    assert all(v >= T for v in shown_values(t))


def test_a_rate_is_only_given_when_both_numbers_are_shown():
    assert suppression.rate(None, 10) is None
    assert suppression.rate(5, None) is None
    assert suppression.rate(5, 10) == 0.5


def test_the_threshold_is_a_setting():
    counts = [[6, 7], [8, 9]]
    assert suppress(raw(counts), 5).suppressed_count == 0
    assert suppress(raw(counts), 10).all_suppressed
    assert suppress(raw([[1, 2], [3, 4]]), 0).suppressed_count == 0


def test_linked_tables_hide_a_shared_total_everywhere():
    """The same total in two tables (a theme's total by month and by service): hidden in one, hidden in both."""
    # In the first table the 10 must be hidden (it would reveal the small cells around it).
    first = raw([[1, 1], [9, 1]], key="a", links={("row", 1): "theme:x"})
    second = raw([[5, 5]], key="b", col_totals=False, grand_total=False, links={("row", 0): "theme:x"})
    a, b = suppress_linked([first, second], T)
    assert a.row_totals[1] is None
    assert b.row_totals[0] is None, "the second table must not show the total the first one hides"
    assert recoverable([a, b], same={("b", "row", 0): ("a", "row", 1)}) == []
    # Without the link, the second table alone would show it.
    assert suppress(raw([[5, 5]], col_totals=False, grand_total=False), T).row_totals[0] == 10


matrices = st.integers(1, 5).flatmap(lambda n: st.integers(1, 5).flatmap(
    lambda m: st.lists(st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 40]), min_size=m, max_size=m),
                       min_size=n, max_size=n)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matrices, st.booleans(), st.booleans())
def test_no_hidden_value_can_be_recovered_from_the_totals_shown(counts, row_totals, col_totals):
    t = suppress(raw(counts, row_totals=row_totals, col_totals=col_totals), T)
    assert all(v >= T for v in shown_values(t)), "a number under the threshold is shown"
    assert recoverable([t]) == [], "a hidden number can be worked out from the numbers shown"
    # What is shown is the truth.
    for i, row in enumerate(counts):
        for j, v in enumerate(row):
            assert t.cells[i][j] in (None, v)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["child", "parent", "carer"]), st.sampled_from(["cp", "cla", "cin"]),
                          st.booleans(), st.integers(1, 12)), min_size=1, max_size=12))
def test_coverage_tables_share_their_totals_without_giving_anything_away(groups):
    rows = [{"role": role, "age_band": "8_12", "service": service, "meeting_type": "cp_conference", "ethnicity": None,
             "gender": None, "disability": None, "responded": responded, "n": n}
            for role, service, responded, n in groups]
    cov = trends.coverage(rows, T, dimensions=("role", "service"))
    role_t, service_t = cov.tables
    same = {("coverage_service", "col", 0): ("coverage_role", "col", 0),
            ("coverage_service", "col", 1): ("coverage_role", "col", 1),
            ("coverage_service", "grand"): ("coverage_role", "grand")}
    assert recoverable([role_t, service_t], same=same) == []
    for t in cov.tables:
        assert all(v >= T for v in shown_values(t))
        assert t.col_totals == role_t.col_totals and t.grand_total == role_t.grand_total


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["child", "parent", None]), st.sampled_from(["cp", "cla", ""]),
                          st.sampled_from(["sms", "web", None]), st.booleans(), st.integers(1, 12)),
                min_size=0, max_size=16), st.integers(0, 16))
def test_two_periods_kept_as_margins_give_the_tables_of_counting_both_at_once(groups, cut):
    """The clock keeps each period's coverage as margins; listed together they must give what
    counting every row of both periods gives, suppression and headline included."""
    rows = [{"role": role, "service": service, "route": route, "responded": responded, "n": n}
            for role, service, route, responded, n in groups]
    dims = ("role", "service", "route")
    kept = trends.coverage_margins(rows[:cut], dims) + trends.coverage_margins(rows[cut:], dims)
    together, from_kept = trends.coverage(rows, T, dimensions=dims), trends.coverage_from_margins(kept, T, dims)
    assert [(t.rows, t.cells, t.row_totals, t.col_totals, t.grand_total) for t in from_kept.tables] == \
        [(t.rows, t.cells, t.row_totals, t.col_totals, t.grand_total) for t in together.tables]
    assert (from_kept.asked, from_kept.responded) == (together.asked, together.responded)
    assert len(trends.coverage_margins(rows, dims)) <= 2 * (3 + 3 + 3)  # never more than values x answered


def test_coverage_counts_people_and_finds_who_is_not_heard():
    rows = [
        {"role": "child", "service": "cp", "responded": True, "n": 30}, {"role": "child", "service": "cp", "responded": False, "n": 10},
        {"role": "parent", "service": "cp", "responded": True, "n": 12}, {"role": "parent", "service": "cp", "responded": False, "n": 28},
    ]
    cov = trends.coverage(rows, T, dimensions=("role", "service", "ethnicity"))
    assert cov.asked == 80 and cov.responded == 42
    assert [t.key for t in cov.tables] == ["coverage_role", "coverage_service"]  # no equality data recorded: left out
    role = cov.tables[0]
    assert role.cell("child", "responded") == 30 and role.row_total("parent") == 40
    heading, group, r = cov.lowest(1)[0]
    assert group == "Parent" and r == pytest.approx(0.3)
    assert all(h != "Service" for h, _, _ in cov.lowest(5))   # one service is everyone: no comparison


def test_equality_fields_show_not_recorded_as_its_own_group():
    rows = [{"ethnicity": "Black African", "responded": True, "n": 9}, {"ethnicity": "Black African", "responded": False, "n": 6},
            {"ethnicity": None, "responded": True, "n": 20}, {"ethnicity": None, "responded": False, "n": 5}]
    (table,) = trends.coverage(rows, T, dimensions=("ethnicity",)).tables
    assert table.row_labels == ("Black African", "Not recorded")


def test_themes_roll_up_by_month_and_link_each_theme_total():
    rows = [
        {"month": "2026-09", "service": "cp", "meeting_type": "cp_conference", "role": "child", "theme": "safety", "n": 7},
        {"month": "2026-10", "service": "cp", "meeting_type": "cp_conference", "role": "child", "theme": "safety", "n": 8},
        {"month": "2026-10", "service": "cla", "meeting_type": "cla_review", "role": "parent", "theme": "safety", "n": 2},
        {"month": "2026-08", "service": "cp", "meeting_type": "cp_conference", "role": "child", "theme": "safety", "n": 50},
    ]
    th = trends.themes(rows, T, months=["2026-09", "2026-10"])
    assert th.count("safety") == 17     # August is outside the months asked for
    by_month = th.by["month"]
    assert by_month.cell("safety", "2026-09") == 7 and by_month.cell("safety", "2026-10") == 10
    by_service = th.by["service"]
    assert by_service.cell("safety", "cla") is None and by_service.cell("safety", "cp") is None  # 2 hidden, so is its partner
    assert by_service.row_total("safety") == 17
    assert th.count("education") is None  # zero is under the threshold too


def test_theme_changes_against_last_month():
    cur = trends.themes([{"month": "2026-10", "service": "cp", "meeting_type": "x", "role": "child", "theme": "safety", "n": 12}],
                        T, months=["2026-10"], breakdowns=())
    prev = trends.themes([{"month": "2026-09", "service": "cp", "meeting_type": "x", "role": "child", "theme": "safety", "n": 7}],
                         T, months=["2026-09"], breakdowns=())
    first = trends.theme_changes(cur, prev)[0]
    assert (first.theme, first.count, first.previous, first.change) == ("safety", 12, 7, 5)
    hidden = [c for c in trends.theme_changes(cur, prev) if c.theme == "education"][0]
    assert hidden.change is None


def test_sentiment_tables_have_totals_per_sentiment():
    rows = [{"month": "2026-10", "service": "cp", "meeting_type": "x", "role": "child", "sentiment": s, "n": n}
            for s, n in (("positive", 10), ("neutral", 6), ("negative", 9))]
    by = trends.sentiment(rows, T, months=["2026-10"])
    assert by["month"].cell("2026-10", "negative") == 9
    assert by["month"].grand_total == 25


def test_quotes_only_from_people_who_allowed_sharing_and_never_a_flagged_answer():
    candidates = [
        {"theme": "safety", "text": "Chair only words here", "role": "child", "visibility": "chair_only", "safeguarding": False},
        {"theme": "safety", "text": "No choice made words", "role": "child", "visibility": None, "safeguarding": False},
        {"theme": "safety", "text": "A disclosure that must not be quoted", "role": "child", "visibility": "meeting", "safeguarding": True},
        {"theme": "safety", "text": "I feel safe with my carer now", "role": "child", "visibility": "meeting", "safeguarding": False},
        {"theme": "identity_culture", "text": "Nobody speaks my language", "role": "parent", "visibility": "meeting", "safeguarding": False},
        {"theme": "education", "text": "Call me on 07700 900123 about school", "role": "parent", "visibility": "meeting", "safeguarding": False},
    ]
    quotes = trends.choose_quotes(candidates, {"safety": 9, "identity_culture": None, "education": 6},
                                  role_visible=lambda theme, role: theme == "safety")
    texts = [q.text for q in quotes]
    assert texts[0] == "I feel safe with my carer now" and quotes[0].respondent == "A child or young person"
    assert not any("Chair only" in t or "No choice" in t or "disclosure" in t or "language" in t for t in texts)
    assert "07700" not in " ".join(texts)          # redacted again on the way out
    assert [q.respondent for q in quotes if q.theme == "education"] == [None]  # its group's count is hidden


def test_alert_response_times():
    raised = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
    rows = [
        {"raised_at": raised, "acknowledged_at": raised + timedelta(minutes=30), "actioned_at": raised + timedelta(hours=5), "status": "actioned"},
        {"raised_at": raised, "acknowledged_at": raised + timedelta(minutes=90), "actioned_at": None, "status": "acknowledged"},
        {"raised_at": raised, "acknowledged_at": None, "actioned_at": None, "status": "open"},
    ]
    s = trends.alert_stats(rows, target_minutes=60)
    assert (s.raised, s.acknowledged, s.actioned, s.still_open, s.acknowledged_within) == (3, 2, 1, 1, 1)
    assert s.minutes_to_acknowledge_median == pytest.approx(60)
    assert s.minutes_to_action_median == pytest.approx(300)


def test_confirmation_share_counts_kept_tags():
    c = trends.confirmation([{"confirmed": True, "rejected": False, "n": 3}, {"confirmed": False, "rejected": False, "n": 9},
                             {"confirmed": True, "rejected": True, "n": 2}])
    assert (c.tags, c.confirmed, c.rejected) == (12, 3, 2)
    assert c.share == pytest.approx(0.25)


def test_months():
    assert trends.previous_month("2026-01") == "2025-12"
    assert trends.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert trends.month_label("2026-10") == "October 2026"


def test_who_is_not_being_heard_is_broken_down_by_language_and_by_route():
    from voice_service.analysis.trends import coverage

    rows = [
        {"role": "parent", "age_band": "adult", "service": "cp", "meeting_type": "cp_conference", "ethnicity": None,
         "gender": None, "disability": None, "language": language, "route": route, "responded": responded, "n": n}
        for language, route, responded, n in (
            ("en", "sms", True, 30), ("en", "sms", False, 10), ("bn", "letter", True, 6), ("bn", "letter", False, 14),
            ("so", "email", True, 8), ("so", "email", False, 7),
        )
    ]
    tables = {t.key: t for t in coverage(rows, threshold=5).tables}
    language, route = tables["coverage_language"], tables["coverage_route"]
    assert language.title == "Language" and list(language.row_labels) == ["English", "Bengali", "Somali"]
    assert route.title == "How they were asked" and list(route.row_labels) == ["Text message", "Email", "Letter"]
    assert language.cell("bn", "responded") == 6 and route.cell("letter", "not_responded") == 14
