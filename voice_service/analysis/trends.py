"""Trends from plain rows: response rates, coverage, themes and sentiment, with suppression.

Everything here is a pure function over plain data (lists of dicts from
``voice_service.analysis.queries``), so it is tested without Flask or a database.

Suppression (``suppression``) keeps any person from being worked out from the published numbers.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from voice_service.analysis.suppression import Entry, RawTable, Table, rate, suppress_linked
from voice_service.vocab import (
    AGE_BANDS, DISABILITY_CODES, ETHNICITY_CODES, GENDER_CODES, LANGUAGE_NAMES, MEETING_TYPES, ROLES, ROUTES, SENTIMENTS,
    SERVICES,
)

DEFAULT_THRESHOLD = 5
NOT_RECORDED = "not_recorded"

THEME_LABELS = {
    "listened_to": "Being listened to",
    "understanding": "Understanding what is happening",
    "worker_relationship": "Relationship with the worker",
    "family_contact": "Family time and contact",
    "home_and_care": "Home and care",
    "safety": "Feeling safe",
    "education": "School and learning",
    "health_wellbeing": "Health and feelings",
    "meetings": "The meeting itself",
    "support_services": "Help and support services",
    "identity_culture": "Identity and culture",
    "rights_advocacy": "Rights and advocacy",
    "friends_activities": "Friends and activities",
    "communication": "Being kept informed",
}
SENTIMENT_LABELS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}

# Respondents' invitations whose visibility choice lets their (redacted) words be quoted in
# trends. The survey asks who may see the answers; only "everyone at the meeting", the widest
# choice, is read as agreeing to an anonymous quote. No choice (None) is never agreement.
SHAREABLE_VISIBILITY = frozenset({"meeting"})

# Coverage ("who is not being heard"): dimension -> (heading, labels for its values).
COVERAGE_DIMENSIONS: dict[str, tuple[str, Mapping[str, str] | None]] = {
    "role": ("Who was asked", ROLES),
    "age_band": ("Age group", AGE_BANDS),
    "service": ("Service", SERVICES),
    "meeting_type": ("Meeting type", MEETING_TYPES),
    "ethnicity": ("Child's ethnicity (where recorded)", ETHNICITY_CODES),
    "gender": ("Child's gender (where recorded)", GENDER_CODES),
    "disability": ("Child's disability (where recorded)", DISABILITY_CODES),
    "language": ("Language", LANGUAGE_NAMES),
    "route": ("How they were asked", ROUTES),
}
EQUALITY_DIMENSIONS = ("ethnicity", "gender", "disability")
BREAKDOWNS: dict[str, tuple[str, Mapping[str, str] | None]] = {
    "month": ("Month", None),
    "service": ("Service", SERVICES),
    "meeting_type": ("Meeting type", MEETING_TYPES),
    "role": ("Respondent", ROLES),
}


def shareable(visibility: str | None) -> bool:
    """May this respondent's redacted words be quoted in trends? None (no choice) means no."""
    return visibility in SHAREABLE_VISIBILITY


def month_label(month: str) -> str:
    """'2026-10' -> 'October 2026'."""
    import calendar

    year, mon = month.split("-")
    return f"{calendar.month_name[int(mon)]} {year}"


def previous_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    out, month = [], last
    while month >= first:
        out.append(month)
        month = previous_month(month)
    return out[::-1]


def label_for(value: str | None, labels: Mapping[str, str] | None) -> str:
    if value in (None, "", NOT_RECORDED):
        return "Not recorded"
    if labels and value in labels:
        return labels[value]
    return str(value)


# ---------------------------------------------------------------------------------------------
# Roll-ups from plain rows
# ---------------------------------------------------------------------------------------------

def _sum_by(rows: Iterable[Mapping], keys: Sequence[str], value: str = "n") -> dict[tuple, int]:
    out: dict[tuple, int] = defaultdict(int)
    for row in rows:
        out[tuple(row.get(k) if row.get(k) not in (None, "") else NOT_RECORDED for k in keys)] += int(row[value])
    return out


def _sum_by_each(rows: Iterable[Mapping], dims: Sequence[str], also: str) -> dict[str, dict[tuple, int]]:
    """`_sum_by(rows, [dim, also])` for every dim at once, in one pass over the rows (a year's
    coverage is tens of thousands of grouped rows, read once instead of once a dimension)."""
    out: dict[str, dict[tuple, int]] = {dim: defaultdict(int) for dim in dims}
    for row in rows:
        n, other = int(row["n"]), row.get(also)
        other = NOT_RECORDED if other in (None, "") else other
        for dim in dims:
            value = row.get(dim)
            out[dim][(NOT_RECORDED if value in (None, "") else value, other)] += n
    return out


def _ordered(values: Iterable[str], labels: Mapping[str, str] | None) -> list[str]:
    seen = set(values)
    order = [v for v in (labels or {}) if v in seen]
    rest = sorted(v for v in seen if v not in order and v != NOT_RECORDED)
    return order + rest + ([NOT_RECORDED] if NOT_RECORDED in seen else [])


@dataclass(frozen=True)
class Coverage:
    """Response rates and who is not being heard."""

    tables: tuple[Table, ...]
    asked: int | None
    responded: int | None

    @property
    def response_rate(self) -> float | None:
        return rate(self.responded, self.asked)

    def lowest(self, n: int = 3) -> list[tuple[str, str, float]]:
        """The groups with the lowest response rates that can be shown: (heading, group, rate)."""
        found = []
        for table in self.tables:
            if sum(1 for r in table.rows if r != NOT_RECORDED) < 2:
                continue  # one group is everyone: nothing to compare
            for i, label in enumerate(table.row_labels):
                if table.rows[i] == NOT_RECORDED:
                    continue
                r = rate(table.cells[i][0], table.row_totals[i] if table.row_totals else None)
                if r is not None:
                    found.append((table.title, label, r))
        found.sort(key=lambda item: (item[2], item[0], item[1]))
        return found[:n]


def coverage(rows: Iterable[Mapping], threshold: int = DEFAULT_THRESHOLD,
             dimensions: Sequence[str] = tuple(COVERAGE_DIMENSIONS)) -> Coverage:
    """Response rates by each dimension, suppressed and linked through the shared totals.

    `rows`: {"role", "age_band", "service", "meeting_type", "ethnicity", "gender", "disability",
    "language", "route", "responded": bool, "n": int} (people asked, grouped). An equality
    dimension is left out when nothing is recorded for it.
    """
    return coverage_from_margins(coverage_margins(rows, dimensions), threshold, dimensions)


def coverage_margins(rows: Iterable[Mapping], dimensions: Sequence[str] = tuple(COVERAGE_DIMENSIONS)) -> list[dict]:
    """The people asked counted by each dimension on its own, {"dim", "value", "responded", "n"}:
    all the coverage tables need, and what the clock keeps a period as (a year of grouped rows is
    tens of thousands, growing with the people asked; its margins a few hundred)."""
    return [{"dim": dim, "value": value, "responded": responded, "n": n}
            for dim, sums in _sum_by_each(rows, dimensions, "responded").items()
            for (value, responded), n in sums.items()]


def coverage_from_margins(margins: Iterable[Mapping], threshold: int = DEFAULT_THRESHOLD,
                          dimensions: Sequence[str] = tuple(COVERAGE_DIMENSIONS)) -> Coverage:
    """`coverage` from margins (`coverage_margins`; several periods' margins simply listed together)."""
    sums_by: dict[str, dict[tuple, int]] = {dim: defaultdict(int) for dim in dimensions}
    for margin in margins:
        if margin["dim"] in sums_by:
            sums_by[margin["dim"]][(margin["value"], margin["responded"])] += int(margin["n"])
    raws: list[RawTable] = []
    cols, col_labels = ["responded", "not_responded"], ["Gave their views", "Did not"]
    for dim in dimensions:
        heading, labels = COVERAGE_DIMENSIONS[dim]
        sums = sums_by[dim]
        values = _ordered({k[0] for k in sums}, labels)
        if dim in EQUALITY_DIMENSIONS and values in ([], [NOT_RECORDED]):
            continue
        counts = [[sums.get((v, True), 0), sums.get((v, False), 0)] for v in values]
        links = {("col", 0): "coverage:responded", ("col", 1): "coverage:not_responded", ("grand",): "coverage:asked"}
        raws.append(RawTable(
            key=f"coverage_{dim}", title=heading, row_header=heading, rows=values,
            row_labels=[label_for(v, labels) for v in values], cols=cols, col_labels=col_labels,
            counts=counts, links=links,
        ))
    everyone = sums_by[dimensions[0]]  # each dimension's margins add up to everyone asked
    total_responded = sum(n for (_value, responded), n in everyone.items() if responded)
    total_asked = sum(everyone.values())
    if not raws:  # nothing asked: a one-row table keeps the headline suppressed consistently
        raws.append(RawTable(key="coverage_all", title="Everyone", row_header="", rows=["all"], row_labels=["Everyone"],
                             cols=cols, col_labels=col_labels, counts=[[total_responded, total_asked - total_responded]],
                             links={("col", 0): "coverage:responded", ("col", 1): "coverage:not_responded",
                                    ("grand",): "coverage:asked"}))
    tables = suppress_linked(raws, threshold)
    first = tables[0]
    return Coverage(tuple(tables), first.grand_total, first.col_totals[0] if first.col_totals else None)


def _breakdown_raw(kind: str, dim: str, sums: dict[tuple, int], row_ids: list[str], row_labels: list[str],
                   col_ids: list[str], col_labels: list[str], title: str, row_header: str,
                   row_totals: bool, col_totals: bool, link_rows: Callable[[str], str] | None,
                   link_cols: Callable[[str], str] | None, link_grand: str | None) -> RawTable:
    counts = [[sums.get((r, c), 0) for c in col_ids] for r in row_ids]
    links: dict[Entry, str] = {}
    if link_rows and row_totals:
        links.update({("row", i): link_rows(r) for i, r in enumerate(row_ids)})
    if link_cols and col_totals:
        links.update({("col", j): link_cols(c) for j, c in enumerate(col_ids)})
    if link_grand and (row_totals or col_totals):
        links[("grand",)] = link_grand
    return RawTable(key=f"{kind}_by_{dim}", title=title, row_header=row_header, rows=row_ids, row_labels=row_labels,
                    cols=col_ids, col_labels=col_labels, counts=counts, row_totals=row_totals,
                    col_totals=col_totals, grand_total=row_totals and col_totals, links=links)


@dataclass(frozen=True)
class Themes:
    overall: Table                      # theme x "answers" for the whole period
    by: dict[str, Table]                # breakdown dim -> theme x values of dim

    def count(self, theme: str) -> int | None:
        return self.overall.cell(theme, "answers") if theme in self.overall.rows else None


def themes(rows: Iterable[Mapping], threshold: int = DEFAULT_THRESHOLD, months: Sequence[str] | None = None,
           breakdowns: Sequence[str] = tuple(BREAKDOWNS)) -> Themes:
    """Answers per theme, overall and by month, service, meeting type and respondent type.

    `rows`: {"month", "service", "meeting_type", "role", "theme", "n"} (answers tagged with the
    theme, rejected tags left out). An answer can have several themes, so a column does not add
    up to a number of answers and no column totals are shown; each theme's total is linked
    across all the tables.
    """
    from voice_service.analysis.codebook import THEME_IDS

    rows = [r for r in rows if not months or r["month"] in months]
    overall_sums = _sum_by(rows, ["theme"])
    theme_ids = list(THEME_IDS)
    labels = [THEME_LABELS.get(t, t) for t in theme_ids]
    overall = RawTable(
        key="themes_overall", title="Answers by theme", row_header="Theme", rows=theme_ids, row_labels=labels,
        cols=["answers"], col_labels=["Answers"], counts=[[overall_sums.get((t,), 0)] for t in theme_ids],
        row_totals=False, col_totals=False, grand_total=False,
        links={("cell", i, 0): f"theme:{t}" for i, t in enumerate(theme_ids)},
    )
    raws = [overall]
    for dim in breakdowns:
        heading, dim_labels = BREAKDOWNS[dim]
        sums = _sum_by(rows, ["theme", dim])
        values = list(months) if dim == "month" and months else _ordered({k[1] for k in sums}, dim_labels)
        value_labels = [month_label(v) if dim == "month" and v != NOT_RECORDED else label_for(v, dim_labels) for v in values]
        raws.append(_breakdown_raw("themes", dim, sums, theme_ids, labels, values, value_labels,
                                   f"Themes by {heading.lower()}", "Theme", row_totals=True, col_totals=False,
                                   link_rows=lambda t: f"theme:{t}", link_cols=None, link_grand=None))
    tables = suppress_linked(raws, threshold)
    return Themes(tables[0], {dim: t for dim, t in zip(breakdowns, tables[1:])})


def sentiment(rows: Iterable[Mapping], threshold: int = DEFAULT_THRESHOLD, months: Sequence[str] | None = None,
              breakdowns: Sequence[str] = tuple(BREAKDOWNS)) -> dict[str, Table]:
    """Answers by sentiment, by month, service, meeting type and respondent type.

    `rows`: {"month", "service", "meeting_type", "role", "sentiment", "n"}. The sentiment totals
    and the grand total are the same in every table and are linked.
    """
    rows = [r for r in rows if not months or r["month"] in months]
    raws = []
    cols = list(SENTIMENTS)
    col_labels = [SENTIMENT_LABELS[s] for s in cols]
    for dim in breakdowns:
        heading, dim_labels = BREAKDOWNS[dim]
        sums = _sum_by(rows, [dim, "sentiment"])
        values = list(months) if dim == "month" and months else _ordered({k[0] for k in sums}, dim_labels)
        value_labels = [month_label(v) if dim == "month" and v != NOT_RECORDED else label_for(v, dim_labels) for v in values]
        raws.append(_breakdown_raw("sentiment", dim, sums, values, value_labels, cols, col_labels,
                                   f"Sentiment by {heading.lower()}", heading, row_totals=True, col_totals=True,
                                   link_rows=None, link_cols=lambda s: f"sentiment:{s}", link_grand="sentiment:all"))
    return dict(zip(breakdowns, suppress_linked(raws, threshold)))


@dataclass(frozen=True)
class ThemeChange:
    theme: str
    label: str
    count: int | None
    previous: int | None

    @property
    def change(self) -> int | None:
        return None if self.count is None or self.previous is None else self.count - self.previous


def theme_changes(current: Themes, previous: Themes) -> list[ThemeChange]:
    """Each theme's count this period and last, most mentioned first (hidden counts last)."""
    out = [ThemeChange(t, current.overall.row_labels[i], current.overall.cells[i][0],
                       previous.count(t)) for i, t in enumerate(current.overall.rows)]
    out.sort(key=lambda c: (c.count is None, -(c.count or 0), c.label))
    return out


# ---------------------------------------------------------------------------------------------
# Safeguarding response times, confirmation share, quotes
# ---------------------------------------------------------------------------------------------

def _percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


@dataclass(frozen=True)
class AlertStats:
    raised: int
    acknowledged: int
    actioned: int
    still_open: int
    minutes_to_acknowledge_median: float | None
    minutes_to_acknowledge_p90: float | None
    minutes_to_action_median: float | None
    minutes_to_action_p90: float | None
    acknowledged_within: int        # acknowledged within the escalation target
    target_minutes: int


def alert_stats(rows: Iterable[Mapping], target_minutes: int = 60) -> AlertStats:
    """`rows`: {"raised_at", "acknowledged_at", "actioned_at", "status"} (aware datetimes)."""
    rows = list(rows)
    to_ack = sorted((r["acknowledged_at"] - r["raised_at"]).total_seconds() / 60 for r in rows if r.get("acknowledged_at"))
    to_act = sorted((r["actioned_at"] - r["raised_at"]).total_seconds() / 60 for r in rows if r.get("actioned_at"))
    return AlertStats(
        raised=len(rows),
        acknowledged=sum(1 for r in rows if r.get("acknowledged_at")),
        actioned=sum(1 for r in rows if r.get("actioned_at")),
        still_open=sum(1 for r in rows if r.get("status") == "open"),
        minutes_to_acknowledge_median=_percentile(to_ack, 0.5),
        minutes_to_acknowledge_p90=_percentile(to_ack, 0.9),
        minutes_to_action_median=_percentile(to_act, 0.5),
        minutes_to_action_p90=_percentile(to_act, 0.9),
        acknowledged_within=sum(1 for m in to_ack if m <= target_minutes),
        target_minutes=target_minutes,
    )


@dataclass(frozen=True)
class Quote:
    theme: str
    theme_label: str
    text: str
    respondent: str | None   # a broad group ("A child or young person") or None


_RESPONDENT_GROUP = {
    "child": "A child or young person", "young_adult": "A young adult",
    "parent": "A parent or carer", "carer": "A parent or carer", "other": "A family member",
}


_NAME_BEFORE_REDACTED = re.compile(r"\b[A-Z][a-z'’-]+\s+\[name\]")


def scrub(text: str, known_names: Iterable[str] = ()) -> str:
    """Redact a quote that leaves the record (again: the analysis already did once), and take out
    a capitalised word just before a removed name ("Tilly [name]" at the start of a sentence)."""
    from voice_service.analysis.redaction import redact

    out = redact(text, known_names)
    return _NAME_BEFORE_REDACTED.sub("[name]", out)


QUOTE_LENGTH = 280


def shorten(text: str, max_length: int = QUOTE_LENGTH) -> str:
    """A quote cut at a word before `max_length` characters, with an ellipsis when cut."""
    if len(text) <= max_length:
        return text
    return text[: max_length - 1].rsplit(" ", 1)[0] + "…"


def choose_quotes(candidates: Iterable[Mapping], theme_counts: Mapping[str, int | None], per_theme: int = 2,
                  max_themes: int = 6, max_length: int = QUOTE_LENGTH,
                  role_visible: Callable[[str, str], bool] | None = None) -> list[Quote]:
    """Representative redacted quotes for the most mentioned themes that are shown.

    `candidates`: {"theme", "text" (already redacted), "role", "visibility", "safeguarding",
    "confirmed": bool} best first. A quote is used only when the respondent allowed sharing, the
    answer is not flagged for safeguarding, and its theme's count is shown (not suppressed). Who
    said it ("A parent or carer") is given only when `role_visible(theme, role)` says that
    theme's count for that group is shown too.
    """
    shown = [t for t, n in sorted(theme_counts.items(), key=lambda kv: -(kv[1] or 0)) if n]
    wanted = set(shown[:max_themes])
    picked: dict[str, list[Quote]] = defaultdict(list)
    seen_text: set[str] = set()
    for c in candidates:
        theme = c["theme"]
        if theme not in wanted or len(picked[theme]) >= per_theme:
            continue
        if not shareable(c.get("visibility")) or c.get("safeguarding"):
            continue
        text = scrub((c.get("text") or "").strip())  # a second pass costs little
        if len(text) < 12 or text in seen_text:
            continue
        text = shorten(text, max_length)
        seen_text.add(text)
        role = c.get("role")
        who = _RESPONDENT_GROUP.get(role) if role_visible is not None and role_visible(theme, role) else None
        picked[theme].append(Quote(theme, THEME_LABELS.get(theme, theme), text, who))
    return [q for t in shown if t in wanted for q in picked[t]]


@dataclass(frozen=True)
class Confirmation:
    tags: int
    confirmed: int
    rejected: int

    @property
    def share(self) -> float | None:
        return None if self.tags == 0 else self.confirmed / self.tags


def confirmation(rows: Iterable[Mapping]) -> Confirmation:
    """`rows`: {"confirmed": bool, "rejected": bool, "n"} over the period's theme tags."""
    rows = list(rows)
    kept = sum(int(r["n"]) for r in rows if not r["rejected"])
    return Confirmation(
        tags=kept,
        confirmed=sum(int(r["n"]) for r in rows if r["confirmed"] and not r["rejected"]),
        rejected=sum(int(r["n"]) for r in rows if r["rejected"]),
    )
