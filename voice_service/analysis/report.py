"""Trends for a period and the monthly audit report (HTML to print, and CSV files).

``collect_trends`` is what the insights page and the report share: it fetches grouped rows
(``rollups``: the closed periods' as the clock kept them, the rest counted by ``queries``), rolls
them up (``trends``, which suppresses them with ``suppression``) and draws the charts (``charts``).
``build_monthly`` adds the month-only parts (change against the previous month, safeguarding
response times, "you said, we did"); ``write_monthly`` writes the files.
"""
from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from voice_service.analysis import charts, other_sources, queries, rollups, suppression, trends
from voice_service.analysis.trends import (
    BREAKDOWNS, AlertStats, Confirmation, Coverage, Quote, Table, ThemeChange, Themes,
)
from voice_service.models import utcnow
from voice_service.vocab import MEETING_TYPES, SENTIMENTS

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
COVERAGE_CHART_DIMENSIONS = ("role", "age_band", "meeting_type", "service")
Progress = Callable[[str], None]


def parse_month(value: str) -> str:
    """'2026-10' -> '2026-10'; anything else raises ValueError saying what is expected."""
    value = (value or "").strip()
    if not MONTH_RE.match(value):
        raise ValueError(f"{value!r} is not a month: use the form YYYY-MM, like 2026-10")
    return value


@dataclass
class Trends:
    first_month: str
    last_month: str
    months: list[str]
    threshold: int
    coverage: Coverage
    themes: Themes
    sentiment: dict[str, Table]
    quotes: list[Quote]
    confirmation: Confirmation
    charts: dict[str, charts.Chart] = field(default_factory=dict)
    # feedback from learning conversations, complaints and forums: counts only, a source of its own
    other_sources: other_sources.OtherSources | None = None

    @property
    def period_label(self) -> str:
        if self.first_month == self.last_month:
            return trends.month_label(self.first_month)
        return f"{trends.month_label(self.first_month)} to {trends.month_label(self.last_month)}"

    @property
    def everything_suppressed(self) -> bool:
        """True when small numbers hide every count (the demo, a quiet month)."""
        tables = [*self.coverage.tables, self.themes.overall, *self.sentiment.values()]
        return all(t.all_suppressed or not t.rows for t in tables)

    @property
    def hidden_count(self) -> int:
        tables = [*self.coverage.tables, self.themes.overall, *self.themes.by.values(), *self.sentiment.values()]
        return sum(t.suppressed_count for t in tables)


def _noop(_: str) -> None:
    return None


def collect_trends(first_month: str, last_month: str, threshold: int, *, with_quotes: bool = True,
                   progress: Progress = _noop) -> Trends:
    months = trends.months_between(first_month, last_month)
    progress(f"response rates and coverage for {first_month}..{last_month}")
    cov = trends.coverage_from_margins(rollups.rows("coverage", first_month, last_month), threshold)
    progress("themes")
    th = trends.themes(rollups.rows("themes", first_month, last_month), threshold, months=months)
    progress("sentiment")
    se = trends.sentiment(rollups.rows("sentiment", first_month, last_month), threshold, months=months)
    conf = trends.confirmation(rollups.rows("confirmation", first_month, last_month))
    quotes: list[Quote] = []
    if with_quotes:
        progress("quotes")
        counts = {t: th.overall.cells[i][0] for i, t in enumerate(th.overall.rows)}
        wanted = [t for t, n in sorted(counts.items(), key=lambda kv: -(kv[1] or 0)) if n][:6]
        role_table = th.by.get("role")
        quotes = trends.choose_quotes(
            queries.quote_candidates(first_month, last_month, wanted), counts,
            role_visible=(lambda theme, role: role_table is not None and role in role_table.rows
                          and role_table.cell(theme, role) is not None),
        )
    progress("feedback from other sources")
    from voice_service.store.source_feedback import coded_rows, month_span

    others = other_sources.other_sources(coded_rows(*month_span(first_month, last_month)), threshold, months=months)
    result = Trends(first_month, last_month, months, threshold, cov, th, se, quotes, conf, other_sources=others)
    result.charts = make_charts(result)
    return result


def make_charts(t: Trends) -> dict[str, charts.Chart]:
    out: dict[str, charts.Chart] = {}
    for table in t.coverage.tables:
        dim = table.key.removeprefix("coverage_")
        if dim not in COVERAGE_CHART_DIMENSIONS:
            continue
        items = [(label, suppression.rate(table.cells[i][0], table.row_totals[i] if table.row_totals else None))
                 for i, label in enumerate(table.row_labels)]
        out[f"rate_{dim}"] = charts.bar_chart(
            f"chart-rate-{dim}", f"Share who gave their views, by {table.title.lower()}", items,
            fmt=charts.percent, max_value=1.0, value_heading="Gave their views", label_heading=table.title)
    overall = t.themes.overall
    items = [(label, overall.cells[i][0]) for i, label in enumerate(overall.row_labels)]
    items.sort(key=lambda kv: (kv[1] is None, -(kv[1] or 0)))
    out["themes"] = charts.bar_chart("chart-themes", "Answers by theme", items, value_heading="Answers",
                                     label_heading="Theme")
    month_table = t.sentiment.get("month")
    if month_table is not None and len(t.months) > 1:
        series = []
        for j, s in enumerate(month_table.cols):
            values = [suppression.rate(month_table.cells[i][j], month_table.row_totals[i]) for i in range(len(month_table.rows))]
            series.append((trends.SENTIMENT_LABELS[s], values))
        out["sentiment_by_month"] = charts.line_chart(
            "chart-sentiment-month", "Share of answers by sentiment, by month", month_table.row_labels, series,
            fmt=charts.percent, max_value=1.0)
    theme_month = t.themes.by.get("month")
    if theme_month is not None and len(t.months) > 1:
        ranked = [theme for theme, n in sorted(((r, overall.cell(r, "answers")) for r in overall.rows),
                                              key=lambda kv: -(kv[1] or 0)) if n][:4]
        series = [(trends.THEME_LABELS[r], list(theme_month.cells[theme_month.rows.index(r)])) for r in ranked]
        if series:
            out["themes_by_month"] = charts.line_chart(
                "chart-themes-month", "The most mentioned themes, by month", theme_month.col_labels, series)
    return out


# ---------------------------------------------------------------------------------------------
# The monthly report
# ---------------------------------------------------------------------------------------------

@dataclass
class MonthlyReport:
    month: str
    previous_month: str
    generated_at: datetime
    trends: Trends
    changes: list[ThemeChange]
    alerts: AlertStats
    actions: Table
    action_examples: list[dict]
    scorecard: object | None = None  # learning.scorecard.Scorecard for the month

    @property
    def month_label(self) -> str:
        return trends.month_label(self.month)

    @property
    def previous_label(self) -> str:
        return trends.month_label(self.previous_month)


def build_monthly(month: str, threshold: int, *, alert_target_minutes: int = 60, progress: Progress = _noop) -> MonthlyReport:
    month = parse_month(month)
    previous = trends.previous_month(month)
    current = collect_trends(month, month, threshold, progress=progress)
    progress(f"themes for {previous}, to compare")
    prev_themes = trends.themes(rollups.rows("themes", previous, previous), threshold, months=[previous], breakdowns=())
    progress("safeguarding alerts")
    alerts = trends.alert_stats(queries.alert_rows(month, month), target_minutes=alert_target_minutes)
    progress("you said, we did")
    counts = {r["meeting_type"]: r["n"] for r in queries.action_counts(month, month)}
    types = [t for t in MEETING_TYPES if t in counts] + sorted(t for t in counts if t not in MEETING_TYPES)
    actions = suppression.suppress(suppression.RawTable(
        key="actions", title="\"You said, we did\" actions recorded", row_header="Meeting type", rows=types,
        row_labels=[trends.label_for(t, MEETING_TYPES) for t in types], cols=["actions"], col_labels=["Actions"],
        counts=[[counts[t]] for t in types], row_totals=False, col_totals=True, grand_total=False,
    ), threshold)
    examples = queries.action_examples(month, month)
    progress("the scorecard")
    from voice_service.learning.scorecard_queries import collect as collect_scorecard

    card = collect_scorecard(month, month, threshold)
    return MonthlyReport(month, previous, utcnow(), current, trends.theme_changes(current.themes, prev_themes),
                         alerts, actions, examples, card)


# -- CSV -------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run: text starting = + - @ (or a tab/CR) gets a leading '.
    Plain numbers (like a change of -3) are left as numbers."""
    if value is None:
        return charts.SUPPRESSED_MARK
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def csv_text(rows: Iterable[Sequence]) -> str:
    buf = io.StringIO()
    # CRLF line ends (RFC 4180): a cell holding a lone CR or LF is then quoted, so a quote cannot
    # split its row and start a new cell with "=..." (csv quotes only the line-end characters).
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return buf.getvalue()


def _fmt_rate(r: float | None) -> str | None:
    return None if r is None else f"{r * 100:.1f}%"


def csv_files(report: MonthlyReport) -> dict[str, str]:
    t = report.trends
    files: dict[str, str] = {}
    rows = [("breakdown", "group", "asked", "gave views", "did not", "response rate")]
    for table in t.coverage.tables:
        for i, label in enumerate(table.row_labels):
            asked = table.row_totals[i] if table.row_totals else None
            rows.append((table.title, label, asked, table.cells[i][0], table.cells[i][1], _fmt_rate(suppression.rate(table.cells[i][0], asked))))
        rows.append((table.title, "Total", table.grand_total, table.col_totals[0], table.col_totals[1],
                     _fmt_rate(suppression.rate(table.col_totals[0], table.grand_total))))
    files["coverage.csv"] = csv_text(rows)
    rows = [("theme", f"answers {report.month}", f"answers {report.previous_month}", "change")]
    rows += [(c.label, c.count, c.previous, c.change) for c in report.changes]
    files["themes.csv"] = csv_text(rows)
    rows = [("breakdown", "group", "theme", "answers")]
    for dim, table in t.themes.by.items():
        for i, theme_label in enumerate(table.row_labels):
            for j, group in enumerate(table.col_labels):
                rows.append((BREAKDOWNS[dim][0], group, theme_label, table.cells[i][j]))
    files["themes_breakdown.csv"] = csv_text(rows)
    rows = [("breakdown", "group", *SENTIMENTS, "total")]
    for dim, table in t.sentiment.items():
        for i, label in enumerate(table.row_labels):
            rows.append((BREAKDOWNS[dim][0], label, *table.cells[i], table.row_totals[i]))
    files["sentiment.csv"] = csv_text(rows)
    if t.other_sources is not None and not t.other_sources.empty:  # counts only, never the words
        files["other_sources.csv"] = csv_text([("measure", "count"), *t.other_sources.measures()])
    a = report.alerts
    rows = [("measure", "value"),
            ("alerts raised", a.raised), ("acknowledged", a.acknowledged), ("actioned", a.actioned),
            ("still open", a.still_open), (f"acknowledged within {a.target_minutes} minutes", a.acknowledged_within),
            ("median minutes to acknowledge", _minutes(a.minutes_to_acknowledge_median)),
            ("90th percentile minutes to acknowledge", _minutes(a.minutes_to_acknowledge_p90)),
            ("median minutes to action", _minutes(a.minutes_to_action_median)),
            ("90th percentile minutes to action", _minutes(a.minutes_to_action_p90))]
    files["safeguarding.csv"] = csv_text(rows)
    rows = [("meeting type", "actions")] + [(label, report.actions.cells[i][0]) for i, label in enumerate(report.actions.row_labels)]
    rows.append(("Total", report.actions.col_totals[0] if report.actions.col_totals else None))
    files["actions.csv"] = csv_text(rows)
    rows = [("theme", "who", "quote (redacted)")] + [(q.theme_label, q.respondent or "", q.text) for q in t.quotes]
    files["quotes.csv"] = csv_text(rows)
    if report.scorecard is not None:
        files["scorecard.csv"] = csv_text(scorecard_rows(report.scorecard))
    c = t.confirmation
    files["confirmation.csv"] = csv_text([("measure", "value"), ("theme tags", c.tags), ("confirmed by a person", c.confirmed),
                                      ("rejected by a person", c.rejected), ("share confirmed", _fmt_rate(c.share))])
    return files


def scorecard_rows(card) -> list[tuple]:
    """The scorecard as CSV rows: breakdown, group, measure, yes, answered, share ([c] hidden)."""
    rows = [("breakdown", "group", "measure", "said yes", "answered", "share")]
    for m in card.measures:
        s = card.overall[m.id]
        rows.append(("All", "All", m.label, s.yes, s.answered, _fmt_rate(s.share)))
    for dim, (_ids, labels, scores) in card.by.items():
        for m in card.measures:
            for label, s in zip(labels, scores[m.id]):
                rows.append((card.dim_labels[dim], label, m.label, s.yes, s.answered, _fmt_rate(s.share)))
    return rows


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def write_monthly(report: MonthlyReport, out_dir: Path, render_html: Callable[[MonthlyReport], str],
                  progress: Progress = _noop) -> list[Path]:
    """Write report.html and the CSV files into out_dir; each file appears whole or not at all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"report.html": render_html(report), **csv_files(report)}
    written = []
    for name, text in files.items():
        path = out_dir / name
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        progress(f"wrote {path}")
        written.append(path)
    return written


# -- cache for the insights page ----------------------------------------------------------------

def cached_trends(app, first_month: str, last_month: str, threshold: int, ttl_seconds: float) -> Trends:
    """`collect_trends`, reused for `ttl_seconds` while no answer, tag or invitation is added.

    Kept on the app object (each web process has its own, nothing another machine needs); a
    review clears it (``clear_cache``) so a confirmed or rejected theme shows at once.
    """
    import time

    cache = app.extensions.setdefault("insights_trends_cache", {})
    key = (first_month, last_month, threshold)
    version = queries.data_version()
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now and hit[1] == version:
        return hit[2]
    result = collect_trends(first_month, last_month, threshold)
    if ttl_seconds > 0:
        if len(cache) > 32:
            cache.clear()
        cache[key] = (now + ttl_seconds, version, result)
    return result


def clear_cache(app) -> None:
    app.extensions.pop("insights_trends_cache", None)
