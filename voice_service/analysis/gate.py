"""The evaluation gate: a retrained model goes live only if it is at least as good as the one
it replaces on the gate part of the repository's data (``training.split``; never trained on).

"At least as good": safeguarding recall no lower, and the mean of safeguarding F1, theme
macro-F1 and sentiment macro-F1 no lower. Pure functions; no Flask.
"""

from __future__ import annotations

from .codebook import THEME_IDS
from .evaluate import binary, macro_f1_single, prf
from .model import TextModel
from .pipeline import classify_many
from .training import repo_records, split


def gate_records() -> list[dict]:
    return split(repo_records())[1]


def score(model: TextModel | None, records: list[dict]) -> dict:
    results = classify_many([(r["text"], r.get("question")) for r in records], model=model)
    sg = binary([bool(r.get("safeguarding")) for r in records], [x["safeguarding"] for x in results])
    f1 = 2 * sg["precision"] * sg["recall"] / (sg["precision"] + sg["recall"]) if sg["tp"] else 0.0
    themes = prf([set(r.get("themes") or ()) for r in records], [set(x["themes"]) for x in results], THEME_IDS)["macro_f1"]
    with_s = [(r, x) for r, x in zip(records, results) if r.get("sentiment")]
    sent = macro_f1_single([r["sentiment"] for r, _ in with_s], [x["sentiment"] for _, x in with_s])
    return {"recall": sg["recall"], "precision": sg["precision"], "safeguarding_f1": f1,
            "themes_macro_f1": themes, "sentiment_macro_f1": sent, "overall": (f1 + themes + sent) / 3}


def passes(candidate: TextModel, current: TextModel | None, records: list[dict] | None = None) -> tuple[bool, dict]:
    """(accept?, both scores) for a candidate against the model now in use."""
    records = gate_records() if records is None else records
    new, old = score(candidate, records), score(current, records)
    ok = new["recall"] >= old["recall"] and new["overall"] >= old["overall"]
    return ok, {"candidate": new, "current": old}
