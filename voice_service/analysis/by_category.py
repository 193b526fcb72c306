"""Scoring a labelled set by category, as `flask analyse evaluate --by-category DIR` prints it.

For a set written by category (tests/data/fresh_eval/: one JSON-lines file per kind of harm or
hard negative, each record with its category, age band, language, themes and sentiment), every
record is classified exactly as an answer would be (`pipeline.classify` with the shipped model)
and reported: safeguarding recall per harm category and per age band, precision, false alarms
per 1,000 answers that are not disclosures, recall on answers not in English, theme macro-F1 and
sentiment macro-F1. Pure: no Flask, no database. The set is for measuring, never for tuning.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from .codebook import THEME_IDS
from .evaluate import binary, macro_f1_single, prf


def load_set(directory: str | Path) -> list[dict]:
    """Every record of every *.jsonl file in `directory`, in file order."""
    records = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path.name} line {number}: not JSON ({error.msg})") from error
    if not records:
        raise ValueError(f"{directory} holds no *.jsonl records")
    return records


def score(records: Iterable[dict], classify: Callable[[str, str | None], dict]) -> dict:
    """The figures for `records`, each classified by `classify(text, question)`."""
    rows = [(r, classify(r["text"], r.get("question"))) for r in records]
    truth = [bool(r["safeguarding"]) for r, _ in rows]
    flagged = [bool(out.get("safeguarding")) for _, out in rows]
    overall = binary(truth, flagged)
    harmless = len(truth) - sum(truth)
    # per category: flagged, answers, and whether its answers are disclosures (recall) or not (false alarms)
    by_category: dict[str, list] = defaultdict(lambda: [0, 0, False])
    by_age: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    other_languages = [0, 0]
    for (record, _), true, got in zip(rows, truth, flagged):
        category = record.get("category", "unlabelled")
        cell = by_category[category]
        cell[0] += got
        cell[1] += 1
        cell[2] = cell[2] or true
        if true:
            by_age[record.get("age_band", "unknown")][0] += got
            by_age[record.get("age_band", "unknown")][1] += 1
            if record.get("language", "en") != "en":
                other_languages[0] += got
                other_languages[1] += 1
    themed = [(r, out) for r, out in rows if "themes" in r]
    themes = prf([set(r["themes"]) for r, _ in themed], [set(out.get("themes") or ()) for _, out in themed],
                 [t for t in THEME_IDS if any(t in r["themes"] for r, _ in themed)])
    sentiment = macro_f1_single([r["sentiment"] for r, _ in themed if r.get("sentiment")],
                                [out.get("sentiment") or "neutral" for r, out in themed if r.get("sentiment")])
    return {
        "answers": len(rows), "disclosures": sum(truth),
        "recall": overall["recall"], "precision": overall["precision"],
        "false_alarms_per_1000": 1000 * overall["fp"] / harmless if harmless else 0.0,
        "by_category": {c: {"flagged": v[0], "of": v[1], "disclosures": v[2]} for c, v in sorted(by_category.items())},
        "recall_by_age_band": {a: v[0] / v[1] for a, v in sorted(by_age.items())},
        "other_languages": {"found": other_languages[0], "of": other_languages[1]},
        "theme_macro_f1": themes["macro_f1"], "sentiment_macro_f1": sentiment,
    }


def format_report(result: dict) -> str:
    lines = [
        f"{result['answers']} answers, {result['disclosures']} disclosures",
        f"safeguarding recall {result['recall']:.2f}, precision {result['precision']:.2f}, "
        f"false alarms {result['false_alarms_per_1000']:.0f} per 1,000 answers that are not disclosures",
        f"disclosures not in English found: {result['other_languages']['found']} of {result['other_languages']['of']}",
        f"theme macro-F1 {result['theme_macro_f1']:.2f}, sentiment macro-F1 {result['sentiment_macro_f1']:.2f}",
        "", "| category | kind | flagged | of | share |", "|---|---|---|---|---|",
    ]
    for category, cell in result["by_category"].items():
        kind = "disclosure (recall)" if cell["disclosures"] else "not a disclosure (false alarms)"
        share = cell["flagged"] / cell["of"] if cell["of"] else 0.0
        lines.append(f"| {category} | {kind} | {cell['flagged']} | {cell['of']} | {share:.2f} |")
    lines += ["", "| age band | recall |", "|---|---|"]
    lines += [f"| {band} | {recall:.2f} |" for band, recall in result["recall_by_age_band"].items()]
    return "\n".join(lines)
