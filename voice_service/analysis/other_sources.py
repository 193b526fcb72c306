"""Feedback from other sources (learning conversations, complaints and compliments, forums) in
the trends and the monthly pack: its themes and sentiment as a source of its own, beside the
answers, so QA see where the words came from. Counts only, never its words (nothing of it is
quoted), suppressed as the answers' tables are (``suppression.suppress_linked``). Pure: the rows come
from ``voice_service.store.source_feedback.coded_rows``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from voice_service.analysis import suppression, trends
from voice_service.vocab import SENTIMENTS

HEADING = "From learning conversations, complaints and forums"

# Where feedback was gathered (other_voices.SOURCES is this): here, so this module needs no ORM.
SOURCE_LABELS = {
    "learning_conversation": "Learning conversation (case audit)",
    "complaint": "Complaint",
    "compliment": "Compliment",
    "children_in_care_council": "Children in Care Council",
    "family_advisory_group": "Family Advisory Group",
    "parent_carer_panel": "Parent and Carer panel",
}


@dataclass(frozen=True)
class OtherSources:
    total: int | None        # pieces of feedback with a sentiment (the sentiment table's grand total)
    themes: suppression.Table     # theme x source
    sentiment: suppression.Table  # source x sentiment

    heading = HEADING

    @property
    def empty(self) -> bool:
        return not self.sentiment.rows

    def theme_counts(self) -> list[tuple[str, int | None]]:
        """Each theme's count over every source, most mentioned first, hidden ones last."""
        items = [(label, self.themes.row_totals[i]) for i, label in enumerate(self.themes.row_labels)
                 if self.themes.row_totals is not None]
        return sorted(items, key=lambda kv: (kv[1] is None, -(kv[1] or 0)))

    def sentiment_counts(self) -> list[tuple[str, int | None]]:
        return list(zip(self.sentiment.col_labels, self.sentiment.col_totals or ()))

    def measures(self) -> list[tuple[str, int | None]]:
        """(measure, count) for a CSV: how many, each theme, each sentiment. Counts only: nothing
        of the words. None is a hidden count."""
        return ([("pieces of feedback", self.total)] + [(f"theme: {label}", n) for label, n in self.theme_counts()]
                + [(f"sentiment: {label}", n) for label, n in self.sentiment_counts()])


def other_sources(rows: Iterable[Mapping], threshold: int = trends.DEFAULT_THRESHOLD,
                  months: Sequence[str] | None = None) -> OtherSources:
    """`rows`: {"month", "source", "sentiment", "themes", "n"} (store.source_feedback.coded_rows)."""
    from voice_service.analysis.codebook import THEME_IDS

    rows = [r for r in rows if not months or r["month"] in months]
    theme_sums: dict[tuple, int] = {}
    for r in rows:
        for theme in r["themes"] or ():
            theme_sums[(theme, r["source"])] = theme_sums.get((theme, r["source"]), 0) + int(r["n"])
    sentiment_sums = trends._sum_by([r for r in rows if r.get("sentiment")], ["source", "sentiment"])
    sources = [s for s in SOURCE_LABELS if any(r["source"] == s for r in rows)]
    labels = [SOURCE_LABELS[s] for s in sources]
    theme_ids = list(THEME_IDS)
    theme_labels = [trends.THEME_LABELS.get(t, t) for t in theme_ids]
    # Link keys of their own: these are not the answers' numbers and must not unlock them.
    raw_themes = trends._breakdown_raw(
        "other_themes", "source", theme_sums, theme_ids, theme_labels, sources, labels,
        "Themes in feedback from other sources, by source", "Theme", row_totals=True, col_totals=False,
        link_rows=lambda t: f"other:theme:{t}", link_cols=None, link_grand=None)
    cols = list(SENTIMENTS)
    raw_sentiment = trends._breakdown_raw(
        "other_sentiment", "source", sentiment_sums, sources, labels, cols, [trends.SENTIMENT_LABELS[s] for s in cols],
        "Sentiment of feedback from other sources, by source", "Source", row_totals=True, col_totals=True,
        link_rows=None, link_cols=lambda s: f"other:sentiment:{s}", link_grand="other:sentiment:all")
    themes_table, sentiment_table = suppression.suppress_linked([raw_themes, raw_sentiment], threshold)
    return OtherSources(sentiment_table.grand_total, themes_table, sentiment_table)
