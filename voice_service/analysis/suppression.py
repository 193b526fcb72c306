"""Small-number suppression: which counts of a table may be published.

The rules the trends page, the monthly report, the pack and the scorecard use:

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

Pure: plain tables in (``RawTable``), published tables out (``Table``); no Flask or database.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


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
