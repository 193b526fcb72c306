"""The "What good looks like" scorecard (pure: no Flask, no database).

Each measure is the share of people who answered its questions with a "yes" (a yes, or the
positive end of a scale), by service, team, meeting type and month. Which questions and which
answers count is data (``scorecard_v1.toml``). Counts go through the same small-number
suppression as the trends (``analysis.suppression.suppress_linked``): a share is shown only when
both its counts are.
"""
from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from voice_service.analysis.suppression import RawTable, Table, rate, suppress_linked
from voice_service.analysis.trends import label_for
from voice_service.vocab import MEETING_TYPES, SERVICES

MAPPING_FILE = Path(__file__).with_name("scorecard_v1.toml")
DIMENSIONS: dict[str, tuple[str, Mapping[str, str] | None]] = {
    "service": ("Service", SERVICES),
    "team": ("Team", None),
    "meeting_type": ("Meeting type", MEETING_TYPES),
    "month": ("Month", None),
}


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    questions: Mapping[str, frozenset[str]]  # question id -> answers that count as yes
    source: str = "answers"  # answers | follow_up
    yes: frozenset[str] = frozenset()
    counted: frozenset[str] = frozenset()


class MappingError(ValueError):
    pass


def parse_mapping(data: Mapping) -> tuple[Measure, ...]:
    """The measures from the mapping file's data; a clear error for a malformed one."""
    out, seen = [], set()
    for i, m in enumerate(data.get("measures") or []):
        mid = m.get("id")
        if not isinstance(mid, str) or not mid or mid in seen:
            raise MappingError(f"measure {i + 1}: needs a unique id")
        seen.add(mid)
        if not isinstance(m.get("label"), str):
            raise MappingError(f"measure {mid}: needs a label")
        source = m.get("source", "answers")
        if source == "follow_up":
            out.append(Measure(mid, m["label"], {}, "follow_up", frozenset(m.get("yes") or ()),
                               frozenset(m.get("counted") or ())))
            continue
        questions = {}
        for q in m.get("questions") or []:
            if not isinstance(q.get("id"), str) or not q.get("yes"):
                raise MappingError(f"measure {mid}: each question needs an id and the answers that count as yes")
            questions[q["id"]] = frozenset(q["yes"])
        if not questions:
            raise MappingError(f"measure {mid}: lists no questions")
        out.append(Measure(mid, m["label"], questions))
    if not out:
        raise MappingError("the scorecard lists no measures")
    return tuple(out)


@lru_cache(maxsize=1)
def measures() -> tuple[Measure, ...]:
    with MAPPING_FILE.open("rb") as fh:
        return parse_mapping(tomllib.load(fh))


def question_ids(ms: Sequence[Measure]) -> list[str]:
    return sorted({q for m in ms for q in m.questions})


def _decode(value) -> list[str]:
    if value is None:
        return []
    try:
        decoded = json.loads(value) if isinstance(value, str) else value
    except (TypeError, ValueError):
        decoded = value
    if isinstance(decoded, list):
        return [str(v) for v in decoded]
    return [str(decoded)]


def classify(rows: Iterable[Mapping], ms: Sequence[Measure]) -> list[dict]:
    """Grouped answer rows (question_id, value, month, service, team, meeting_type, n) and
    follow-up rows (source="follow_up", answer, ...) -> rows of measure, dims, yes (bool), n."""
    by_question: dict[str, list[Measure]] = defaultdict(list)
    for m in ms:
        for q in m.questions:
            by_question[q].append(m)
    follow_ups = [m for m in ms if m.source == "follow_up"]
    out = []
    for r in rows:
        dims = {d: r.get(d) for d in DIMENSIONS}
        if r.get("source") == "follow_up":
            for m in follow_ups:
                if r.get("answer") in m.counted:
                    out.append({"measure": m.id, **dims, "yes": r["answer"] in m.yes, "n": r["n"]})
            continue
        values = _decode(r.get("value"))
        for m in by_question.get(r.get("question_id"), ()):
            out.append({"measure": m.id, **dims, "yes": any(v in m.questions[r["question_id"]] for v in values),
                        "n": r["n"]})
    return out


@dataclass(frozen=True)
class Score:
    yes: int | None
    answered: int | None

    @property
    def share(self) -> float | None:
        return rate(self.yes, self.answered)


@dataclass
class Scorecard:
    threshold: int
    measures: tuple[Measure, ...]
    overall: dict[str, Score]
    # dimension -> (group ids, group labels, measure id -> one Score per group)
    by: dict[str, tuple[list[str], list[str], dict[str, list[Score]]]] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)

    @property
    def dim_labels(self) -> dict[str, str]:
        return {d: v[0] for d, v in DIMENSIONS.items()}

    @property
    def everything_suppressed(self) -> bool:
        return all(s.share is None for s in self.overall.values())


def _groups(dim: str, values: Iterable) -> tuple[list[str], list[str]]:
    labels = DIMENSIONS[dim][1]
    ids = sorted({v if v not in (None, "") else "not_recorded" for v in values},
                 key=lambda v: (list(labels).index(v) if labels and v in labels else 99, v))
    return ids, [label_for(v, labels) for v in ids]


def build(classified: Iterable[Mapping], ms: Sequence[Measure], threshold: int,
          months: Sequence[str] | None = None) -> Scorecard:
    """The suppressed scorecard from classified rows."""
    rows = list(classified)
    card = Scorecard(threshold, tuple(ms), {})
    group_ids = {}
    for dim in DIMENSIONS:
        if dim == "month" and months:
            group_ids[dim] = (list(months), list(months))
        else:
            group_ids[dim] = _groups(dim, (r.get(dim) for r in rows))
    for m in ms:
        mine = [r for r in rows if r["measure"] == m.id]
        raws = []
        for dim in DIMENSIONS:
            ids, labels = group_ids[dim]
            counts = {g: [0, 0] for g in ids}
            for r in mine:
                g = r.get(dim) if r.get(dim) not in (None, "") else "not_recorded"
                if g in counts:
                    counts[g][0 if r["yes"] else 1] += r["n"]
            raw = RawTable(key=f"{m.id}:{dim}", title=f"{m.label}, by {DIMENSIONS[dim][0].lower()}",
                           row_header=DIMENSIONS[dim][0], rows=ids, row_labels=labels,
                           cols=["yes", "other"], col_labels=["Yes", "Other answers"],
                           counts=[counts[g] for g in ids])
            raw.links = {("col", 0): f"{m.id}:yes", ("col", 1): f"{m.id}:other", ("grand",): f"{m.id}:all"}
            raws.append(raw)
        tables = suppress_linked(raws, threshold)
        card.tables.extend(tables)
        first = tables[0]
        card.overall[m.id] = Score(first.col_totals[0] if first.col_totals else None, first.grand_total)
        for dim, table in zip(DIMENSIONS, tables):
            ids, labels = group_ids[dim]
            entry = card.by.setdefault(dim, (ids, labels, {}))
            entry[2][m.id] = [Score(table.cells[i][0], table.row_totals[i] if table.row_totals else None)
                              for i in range(len(ids))]
    return card


def share_label(score: Score) -> str:
    share = score.share
    return "[c]" if share is None else f"{share * 100:.0f}%"
