"""Trends from plain rows: response rates, coverage, themes and sentiment, with suppression.

Everything here is a pure function over plain data (lists of dicts from
``voice_service.analysis.queries``), so it is tested without Flask or a database.

Small-number suppression (the rules the Family Advisory Group page and the monthly report use):

* **Primary**: every published count under the threshold (SUPPRESSION_THRESHOLD, default 5) is
  hidden, zeros included, and so is every total under it.
* **Secondary**: more counts are hidden until no hidden count can be worked out from what is
  shown. Each table is a set of sums (row cells add up to the row total, column cells to the
  column total, totals to the grand total); a hidden count is safe only when the published
  numbers allow at least two values for it. This is checked exactly, as a linear programme
  (the smallest and largest value each hidden count can take, given the published numbers and
  that counts are never negative), and more cells are hidden until every hidden count has room.
* **Linked tables**: the same total shown in two tables (a theme's total appears in the table by
  month, by service, by meeting type and by respondent type) is hidden in all of them once it is
  hidden in one, so one table cannot be used to unlock another.
* A rate is shown only when both its numerator and its denominator are shown.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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
# Suppression
# ---------------------------------------------------------------------------------------------

# An entry of a table: ("cell", i, j), ("row", i), ("col", j) or ("grand",).
Entry = tuple


@dataclass
class RawTable:
    """Counts before suppression, with which totals will be shown and how they link to others."""

    key: str
    title: str
    row_header: str
    rows: list[str]
    row_labels: list[str]
    cols: list[str]
    col_labels: list[str]
    counts: list[list[int]]
    row_totals: bool = True
    col_totals: bool = True
    grand_total: bool = True
    # entry -> link key: entries with the same key in several tables are the same number.
    links: dict[Entry, str] = field(default_factory=dict)

    def entries(self) -> dict[Entry, int]:
        values: dict[Entry, int] = {}
        for i, row in enumerate(self.counts):
            for j, v in enumerate(row):
                values[("cell", i, j)] = int(v)
        if self.row_totals:
            for i, row in enumerate(self.counts):
                values[("row", i)] = sum(row)
        if self.col_totals:
            for j in range(len(self.cols)):
                values[("col", j)] = sum(r[j] for r in self.counts)
        if self.grand_total and (self.row_totals or self.col_totals):
            values[("grand",)] = sum(sum(r) for r in self.counts)
        return values

    def relations(self) -> list[tuple[list[Entry], Entry]]:
        """Each published sum: (parts, total)."""
        out: list[tuple[list[Entry], Entry]] = []
        n_rows, n_cols = len(self.rows), len(self.cols)
        if self.row_totals:
            out += [([("cell", i, j) for j in range(n_cols)], ("row", i)) for i in range(n_rows)]
        if self.col_totals:
            out += [([("cell", i, j) for i in range(n_rows)], ("col", j)) for j in range(n_cols)]
        if self.grand_total and self.row_totals:
            out.append(([("row", i) for i in range(n_rows)], ("grand",)))
        if self.grand_total and self.col_totals:
            out.append(([("col", j) for j in range(n_cols)], ("grand",)))
        return out


@dataclass(frozen=True)
class Table:
    """A published table: every count is an int or None (suppressed)."""

    key: str
    title: str
    row_header: str
    rows: tuple[str, ...]
    row_labels: tuple[str, ...]
    cols: tuple[str, ...]
    col_labels: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...] | None
    col_totals: tuple[int | None, ...] | None
    grand_total: int | None
    has_grand_total: bool
    threshold: int
    primary: frozenset = frozenset()
    secondary: frozenset = frozenset()

    @property
    def suppressed_count(self) -> int:
        return len(self.primary) + len(self.secondary)

    @property
    def all_suppressed(self) -> bool:
        values = [v for row in self.cells for v in row]
        return bool(values) and all(v is None for v in values)

    def cell(self, row: str, col: str) -> int | None:
        return self.cells[self.rows.index(row)][self.cols.index(col)]

    def row_total(self, row: str) -> int | None:
        return None if self.row_totals is None else self.row_totals[self.rows.index(row)]

    def visible_values(self) -> list[int]:
        """Every number this table shows (for tests and checks)."""
        out = [v for row in self.cells for v in row if v is not None]
        out += [v for v in (self.row_totals or ()) if v is not None]
        out += [v for v in (self.col_totals or ()) if v is not None]
        if self.has_grand_total and self.grand_total is not None:
            out.append(self.grand_total)
        return out


def _pinned(values: dict[Entry, int], relations, hidden: set[Entry]) -> list[Entry]:
    """Hidden entries whose value the published numbers fix (exactly, with counts >= 0)."""
    import numpy as np
    from scipy.linalg import null_space
    from scipy.optimize import linprog

    variables = sorted(hidden, key=repr)
    if not variables:
        return []
    index = {e: k for k, e in enumerate(variables)}
    rows, rhs = [], []
    for parts, total in relations:
        coeffs = np.zeros(len(variables))
        b = 0.0
        involved = False
        for e, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if e in index:
                coeffs[index[e]] += sign
                involved = True
            else:
                b -= sign * values[e]
        if involved:
            rows.append(coeffs)
            rhs.append(b)
    truth = np.array([values[e] for e in variables], dtype=float)
    if not rows:
        return []
    a_eq, b_eq = np.array(rows), np.array(rhs)
    # A variable in no equation with another hidden one is pinned by that equation alone.
    unproven = set(range(len(variables)))

    def note(x) -> None:
        for k in list(unproven):
            if abs(x[k] - truth[k]) >= 0.5:
                unproven.discard(k)

    # Fixed by the equations alone (no direction of their null space moves x_k): pinned, no solve.
    moves = np.abs(null_space(a_eq)).sum(axis=1) > 1e-9
    fixed = {k for k in unproven if not moves[k]}
    bounds = [(0, None)] * len(variables)
    if not unproven <= fixed:
        for x in _far_points(a_eq, truth):
            note(x)
    for k in range(len(variables)):
        if k not in unproven or k in fixed:
            continue
        for sign in (-1.0, 1.0):  # maximise, then minimise, x_k
            if k not in unproven:
                break
            c = np.zeros(len(variables))
            c[k] = sign
            res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if res.status == 3:  # unbounded: x_k can grow without limit
                unproven.discard(k)
            elif res.status == 0:
                note(res.x)
    return [variables[k] for k in sorted(unproven)]


def _far_points(a_eq, truth) -> list:
    """Two solutions of the published numbers, moved from the truth as far as one solve can:
    together they free every entry that can change at all (usually all of them), where one
    solve per entry frees only its own.

    The directions d with A·d = 0 that keep every zero at or above zero form a cone; one solve
    finds a d+ and a d- in it that are >= 1 (resp. <= -1) at every entry they can be (the cone
    is closed under sums and scaling), and each is followed from the truth as far as the counts
    stay >= 0. Each point is a real solution, so an entry it moves by >= 0.5 is proven free.
    """
    import numpy as np
    from scipy.optimize import linprog

    n, m = len(truth), len(a_eq)
    zero, eye = np.zeros((n, n)), np.eye(n)
    # variables: d+, d-, z+, z- (n each); maximise sum(z) with z+ <= d+, z- <= -d-, 0 <= z <= 1
    a_ub = np.block([[-eye, zero, eye, zero], [zero, eye, zero, eye]])
    a_eq2 = np.block([[a_eq, np.zeros((m, 3 * n))], [np.zeros((m, n)), a_eq, np.zeros((m, 2 * n))]])
    free = [(0, None) if t == 0 else (None, None) for t in truth]
    res = linprog(np.r_[np.zeros(2 * n), -np.ones(2 * n)], A_ub=a_ub, b_ub=np.zeros(2 * n), A_eq=a_eq2,
                  b_eq=np.zeros(2 * m), bounds=free + free + [(0, 1)] * (2 * n), method="highs")
    if res.status != 0:
        return []
    points = []
    for d in (res.x[:n], res.x[n:2 * n]):
        shrinking = d < -1e-9
        step = float(np.min(truth[shrinking] / -d[shrinking])) if shrinking.any() else 1.0
        points.append(truth + step * d)
    return points


def _is_total(entry: Entry) -> bool:
    return entry[0] != "cell"


def _complete(raw: RawTable, threshold: int, forced: set[Entry]) -> tuple[set[Entry], set[Entry]]:
    """(primary, all hidden) for one table, with `forced` entries hidden too."""
    values = raw.entries()
    relations = raw.relations()
    primary = {e for e, v in values.items() if v < threshold}
    hidden = set(primary) | (set(forced) & set(values))
    if threshold <= 0:
        return set(), set()

    def add_one(relation_entries: list[Entry]) -> bool:
        candidates = [e for e in relation_entries if e not in hidden]
        if not candidates:
            return False
        # Hide the least informative thing: a non-zero cell before a total, smallest first.
        candidates.sort(key=lambda e: (values[e] == 0, _is_total(e), values[e], repr(e)))
        hidden.add(candidates[0])
        return True

    for _ in range(10_000):
        changed = False
        for parts, total in relations:
            members = parts + [total]
            in_hidden = [e for e in members if e in hidden]
            if len(in_hidden) == 1:
                changed |= add_one(members)
            elif len(in_hidden) >= 2 and total not in hidden and sum(values[e] for e in in_hidden) == 0:
                changed |= add_one(members)  # hidden parts adding to 0 would all be 0
        if changed:
            continue
        pinned = _pinned(values, relations, hidden)
        if not pinned:
            break
        for entry in pinned:
            related = [parts + [total] for parts, total in relations if entry in parts or entry == total]
            if any(add_one(members) for members in related):
                changed = True
                break
        if not changed:  # nothing left to hide around it: hide everything
            hidden = set(values)
            break
    return primary & hidden, hidden


def suppress_linked(raws: Sequence[RawTable], threshold: int) -> list[Table]:
    """Suppress several tables whose linked entries (same link key) are the same number."""
    forced: dict[str, set[Entry]] = {raw.key: set() for raw in raws}
    results: dict[str, tuple[set[Entry], set[Entry]]] = {}
    for _ in range(100):
        hidden_keys: set[str] = set()
        for raw in raws:
            primary, hidden = _complete(raw, threshold, forced[raw.key])
            results[raw.key] = (primary, hidden)
            hidden_keys |= {raw.links[e] for e in hidden if e in raw.links}
        changed = False
        for raw in raws:
            want = {e for e, key in raw.links.items() if key in hidden_keys}
            if not want <= forced[raw.key] | results[raw.key][1]:
                forced[raw.key] |= want
                changed = True
        if not changed:
            break
    return [_publish(raw, threshold, *results[raw.key]) for raw in raws]


def suppress(raw: RawTable, threshold: int) -> Table:
    return suppress_linked([raw], threshold)[0]


def _publish(raw: RawTable, threshold: int, primary: set[Entry], hidden: set[Entry]) -> Table:
    values = raw.entries()

    def show(entry: Entry) -> int | None:
        return None if entry in hidden else values[entry]

    n_rows, n_cols = len(raw.rows), len(raw.cols)
    has_grand = ("grand",) in values
    return Table(
        key=raw.key, title=raw.title, row_header=raw.row_header,
        rows=tuple(raw.rows), row_labels=tuple(raw.row_labels), cols=tuple(raw.cols), col_labels=tuple(raw.col_labels),
        cells=tuple(tuple(show(("cell", i, j)) for j in range(n_cols)) for i in range(n_rows)),
        row_totals=tuple(show(("row", i)) for i in range(n_rows)) if raw.row_totals else None,
        col_totals=tuple(show(("col", j)) for j in range(n_cols)) if raw.col_totals else None,
        grand_total=show(("grand",)) if has_grand else None,
        has_grand_total=has_grand,
        threshold=threshold,
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
    )


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """A share shown only when both counts are shown (a rate would otherwise reveal one)."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


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
