"""Feedback from other sources in the trends (analysis.other_sources): a source of its own,
small numbers hidden as the answers' are, and a pure module (no Flask, no ORM)."""
from __future__ import annotations

from voice_service.analysis.other_sources import other_sources


def _row(source, sentiment, themes, n, month="2026-11"):
    return {"month": month, "source": source, "sentiment": sentiment, "themes": themes, "n": n}


ROWS = [
    _row("complaint", "negative", ["communication"], 6),
    _row("complaint", "neutral", ["communication", "meetings"], 5),
    _row("compliment", "positive", ["worker_relationship"], 7),
    _row("compliment", "neutral", ["worker_relationship"], 5),
]


def test_it_counts_pieces_themes_and_sentiment_by_source():
    o = other_sources(ROWS, threshold=5, months=["2026-11"])
    assert o.total == 23 and not o.empty
    assert o.sentiment.rows == ("complaint", "compliment") and o.sentiment.row_totals == (11, 12)
    assert dict(o.sentiment_counts()) == {"Positive": 7, "Neutral": 10, "Negative": 6}
    assert o.theme_counts()[:3] == [("Relationship with the worker", 12), ("Being kept informed", 11),
                                    ("The meeting itself", 5)]


def test_a_count_under_the_threshold_and_what_would_reveal_it_are_hidden():
    rows = [*ROWS, _row("parent_carer_panel", "negative", ["communication"], 2)]
    o = other_sources(rows, threshold=5, months=["2026-11"])
    panel = o.sentiment.rows.index("parent_carer_panel")
    assert o.sentiment.row_totals[panel] is None
    # the total less the other sources' totals would give the panel's 2: one of them is hidden too
    others = [t for i, t in enumerate(o.sentiment.row_totals) if i != panel]
    assert o.total is None or None in others
    for table in (o.sentiment, o.themes):
        assert all(v >= 5 for v in table.visible_values())


def test_other_months_are_left_out_and_nothing_recorded_says_so():
    assert other_sources([_row("complaint", "negative", ["safety"], 9, month="2026-10")], months=["2026-11"]).empty
    assert other_sources([], months=["2026-11"]).total is None
