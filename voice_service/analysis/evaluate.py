"""Measure the analysis: per-theme precision/recall/F1, macro-F1, sentiment macro-F1,
safeguarding recall and precision, and k-fold cross-validation of the trainable model.

Two data sets:
  * our labelled answers (JSON lines: id, text, question, respondent, themes, sentiment,
    safeguarding), e.g. ``tests/data/labelled_answers.jsonl``;
  * the public NHS patient-experience set (``--nhs DIR``, see its README): evaluation only,
    read from where it lies, never copied. Framework labels with >= 25 examples, 5-fold
    out-of-fold macro-F1; its 5-point ``Comment sentiment`` folded to three classes
    (1-2 positive, 3 neutral, 4-5 negative).

Progress on long runs goes to stderr; tables to the output stream.
"""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO

from .codebook import THEME_IDS, load_codebook, normalise
from .model import Example, TextModel, combine_themes
from .safeguarding import check as safeguarding_check
from .sentiment import LABELS as SENTIMENT_LABELS
from .sentiment import sentiment as rule_based_sentiment
from .sentiment import vader_compound

Progress = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)  # noqa: T201  (progress of a command-line run)


# ---- data ---------------------------------------------------------------------------------
LABEL_KEYS = ("id", "text", "themes", "sentiment", "safeguarding")


def load_labelled(path: str | Path, required: Sequence[str] = LABEL_KEYS) -> list[dict]:
    records = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            r = json.loads(line)
            for key in required:
                if key not in r:
                    raise ValueError(f"{path}:{n}: missing {key!r}")
            records.append(r)
    return records


def to_examples(records: Iterable[dict]) -> list[Example]:
    return [Example(r["text"], r.get("question"), tuple(r.get("themes", ())), r.get("sentiment"), r.get("safeguarding"))
            for r in records]


# pandas' default missing-value strings: the README's baseline used pandas, so we match it.
_NA = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
       "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}


# "Not assigned" is the coders' "no theme", not a theme of the framework: not scored.
NHS_NOT_A_THEME = frozenset({"Not assigned"})
NHS_FILE = "pxtextmining_v6framework_230831.csv"


def load_nhs(directory: str | Path) -> tuple[list[dict], list[str]]:
    """Rows of the v6 framework file with real text: text, question, labels, sentiment (or None).

    Matches the README's counts (6,205 comments; 34 labels with >= 25 examples): its pandas
    snippet alone keeps 12 answers that are a single space (6,217) and counts "Not assigned"
    as a 35th label; neither is real text or a theme, so both are left out here.
    """
    path = Path(directory) / NHS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: --nhs (or NHS_FEEDBACK_DIR in the tests) must name the folder "
                                f"holding the NHS set's {NHS_FILE}")
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        label_cols = [c for c in header[11:] if c not in NHS_NOT_A_THEME]
        rows = []
        for raw in reader:
            rec = dict(zip(header, raw))
            text = rec.get("FFT answer", "")
            if text in _NA or not text.strip() or text.strip().lower() == "did not answer":
                continue
            labels = [c for c in label_cols if rec.get(c, "") not in _NA and float(rec[c]) > 0]
            s = rec.get("Comment sentiment", "").strip()
            sentiment = {"1": "positive", "2": "positive", "3": "neutral", "4": "negative", "5": "negative"}.get(s)
            rows.append({"text": text, "question": rec.get("FFT question") or None, "themes": labels, "sentiment": sentiment})
    return rows, label_cols


# ---- metrics ------------------------------------------------------------------------------
def prf(true: Sequence[Iterable[str]], pred: Sequence[Iterable[str]], labels: Sequence[str]) -> dict:
    """Per-label and macro precision/recall/F1 for multi-label sets."""
    per: dict[str, dict] = {}
    for label in labels:
        tp = fp = fn = 0
        for t, p in zip(true, pred):
            a, b = label in t, label in p
            tp += a and b
            fp += b and not a
            fn += a and not b
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    macro = sum(v["f1"] for v in per.values()) / len(per) if per else 0.0
    return {"per_label": per, "macro_f1": macro}


def macro_f1_single(true: Sequence[str], pred: Sequence[str], labels: Sequence[str] = SENTIMENT_LABELS) -> float:
    return prf([{t} for t in true], [{p} for p in pred], labels)["macro_f1"]


def binary(true: Sequence[bool], pred: Sequence[bool]) -> dict:
    tp = sum(t and p for t, p in zip(true, pred))
    fp = sum(p and not t for t, p in zip(true, pred))
    fn = sum(t and not p for t, p in zip(true, pred))
    return {
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "tp": tp, "fp": fp, "fn": fn,
    }


def folds_of(n: int, k: int, seed: int = 0) -> list[list[int]]:
    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    return [idx[i::k] for i in range(k)]


# ---- our labelled set ---------------------------------------------------------------------
def evaluate_rules(records: list[dict]) -> dict:
    """Codebook themes, rule-based sentiment and the safeguarding flag: no training."""
    book = load_codebook()
    pred_themes, pred_sent, pred_sg, vader_sent = [], [], [], []
    missed, false_alarms = [], []
    for r in records:
        norm = normalise(r["text"], book.spelling)
        sg = safeguarding_check(norm, r.get("question"))
        pred_themes.append(set(book.match(norm)))
        pred_sent.append(rule_based_sentiment(norm, r.get("question"), sg.flag).label)
        c = vader_compound(r["text"])
        vader_sent.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
        pred_sg.append(sg.flag)
        if r["safeguarding"] and not sg.flag:
            missed.append(r["id"])
        if sg.flag and not r["safeguarding"]:
            false_alarms.append((r["id"], sg.evidence))
    return {
        "themes": prf([set(r["themes"]) for r in records], pred_themes, THEME_IDS),
        "sentiment_macro_f1": macro_f1_single([r["sentiment"] for r in records], pred_sent),
        "vader_sentiment_macro_f1": macro_f1_single([r["sentiment"] for r in records], vader_sent),
        "textblob_sentiment_macro_f1": _textblob_macro_f1(records),
        "safeguarding": binary([r["safeguarding"] for r in records], pred_sg),
        "safeguarding_missed": missed,
        "safeguarding_false_alarms": false_alarms,
    }


def _textblob_macro_f1(records: list[dict]) -> float | None:
    """TextBlob polarity (pattern lexicon only, no NLTK corpora), for comparison."""
    try:
        from textblob import TextBlob
    except ImportError:  # pragma: no cover
        return None
    pred = []
    for r in records:
        p = TextBlob(r["text"]).sentiment.polarity
        pred.append("positive" if p > 0.05 else "negative" if p < -0.05 else "neutral")
    return macro_f1_single([r["sentiment"] for r in records], pred)


def cross_validate(
    records: list[dict],
    folds: int = 5,
    seed: int = 0,
    labels: Sequence[str] = THEME_IDS,
    use_codebook: bool = True,
    progress: Progress | None = _stderr,
    with_sentiment: bool = True,
    **model_kwargs,
) -> dict:
    """Out-of-fold predictions of the model (alone, and combined with the codebook)."""
    n = len(records)
    model_only: list[set[str]] = [set() for _ in range(n)]
    combined: list[set[str]] = [set() for _ in range(n)]
    sentiment: list[str | None] = [None] * n
    sg_flag: list[bool | None] = [None] * n
    book = load_codebook() if use_codebook else None
    started = time.monotonic()
    for f, test_idx in enumerate(folds_of(n, folds, seed), start=1):
        test_set = set(test_idx)
        train = [records[i] for i in range(n) if i not in test_set]
        model = TextModel(use_codebook=use_codebook, **model_kwargs)
        examples = to_examples(train)
        if not with_sentiment:
            examples = [Example(e.text, e.question, e.themes, None) for e in examples]
        model.fit(examples, labels=list(labels))
        texts = [records[i]["text"] for i in test_idx]
        questions = [records[i].get("question") for i in test_idx]
        yes = model.model_themes(texts, questions)
        sents = model.predict_sentiment(texts, questions) if with_sentiment else None
        flags = model.predict_safeguarding(texts, questions) if book is not None else None
        for j, i in enumerate(test_idx):
            model_only[i] = yes[j]
            if flags is not None:
                sg_flag[i] = safeguarding_check(texts[j], questions[j]).flag or flags[j][0] > model.safeguarding_threshold
            hits = book.match(texts[j]) if book is not None else {}
            combined[i] = set(combine_themes(hits, yes[j], model))
            if sents is not None:
                # The question-aware rules still come first, as in pipeline.classify.
                from .sentiment import rule_sentiment

                ruled = rule_sentiment(texts[j], questions[j], safeguarding_check(texts[j], questions[j]).flag) if book is not None else None
                sentiment[i] = ruled.label if ruled else sents[j]
        if progress:
            progress(f"  fold {f}/{folds} done ({time.monotonic() - started:.1f}s)")
    true = [set(r["themes"]) for r in records]
    out = {
        "model_only": prf(true, model_only, labels),
        "combined": prf(true, combined, labels),
    }
    if all(f is not None for f in sg_flag) and all("safeguarding" in r for r in records):
        out["safeguarding"] = binary([r["safeguarding"] for r in records], sg_flag)  # type: ignore[arg-type]
    if with_sentiment and all(s is not None for s in sentiment):
        out["sentiment_macro_f1"] = macro_f1_single([r["sentiment"] for r in records], sentiment)  # type: ignore[arg-type]
    return out


# ---- NHS set ------------------------------------------------------------------------------
# Chosen on the NHS set among six variants (docs/analysis.md): without class weights, the tuned
# per-label thresholds alone handle rare labels (0.562 against 0.554 with "balanced").
NHS_MODEL = {"class_weight": None}


def evaluate_nhs(directory: str | Path, folds: int = 5, min_support: int = 25, progress: Progress | None = _stderr, **model_kwargs) -> dict:
    model_kwargs = {**NHS_MODEL, **model_kwargs}
    rows, _ = load_nhs(directory)
    counts: dict[str, int] = {}
    for r in rows:
        for t in r["themes"]:
            counts[t] = counts.get(t, 0) + 1
    labels = [t for t, c in counts.items() if c >= min_support]
    if progress:
        progress(f"NHS: {len(rows)} comments, {len(labels)} labels with >= {min_support} examples; {folds}-fold CV")
    themes = cross_validate(rows, folds=folds, labels=labels, use_codebook=False, progress=progress,
                            with_sentiment=False, **model_kwargs)
    srows = [r for r in rows if r["sentiment"]]
    if progress:
        progress(f"NHS sentiment: {len(srows)} comments with a sentiment label; {folds}-fold CV")
    sent_pred: list[str] = [""] * len(srows)
    for f, test_idx in enumerate(folds_of(len(srows), folds, 0), start=1):
        test_set = set(test_idx)
        train = [Example(r["text"], r["question"], (), r["sentiment"]) for i, r in enumerate(srows) if i not in test_set]
        model = TextModel(use_codebook=False)
        model.fit(train, labels=[])
        pred = model.predict_sentiment([srows[i]["text"] for i in test_idx], [srows[i]["question"] for i in test_idx])
        for j, i in enumerate(test_idx):
            sent_pred[i] = pred[j]  # type: ignore[index]
        if progress:
            progress(f"  sentiment fold {f}/{folds} done")
    true_s = [r["sentiment"] for r in srows]
    vader = []
    rules = []
    for r in srows:
        c = vader_compound(r["text"])
        vader.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
        rules.append(rule_based_sentiment(r["text"], r["question"]).label)
    return {
        "n": len(rows),
        "labels": labels,
        "themes": themes["model_only"],
        "sentiment_macro_f1": macro_f1_single(true_s, sent_pred),
        "vader_sentiment_macro_f1": macro_f1_single(true_s, vader),
        "rules_sentiment_macro_f1": macro_f1_single(true_s, rules),
    }


# ---- printing -----------------------------------------------------------------------------
def format_table(result: dict, title: str) -> str:
    lines = [title, f"{'theme':<42} {'prec':>6} {'recall':>6} {'F1':>6} {'n':>5}"]
    for label, v in result["per_label"].items():
        lines.append(f"{label[:42]:<42} {v['precision']:6.2f} {v['recall']:6.2f} {v['f1']:6.2f} {v['support']:5d}")
    lines.append(f"{'macro-F1':<42} {'':>6} {'':>6} {result['macro_f1']:6.3f}")
    return "\n".join(lines)


def evaluate_holdout(path: str | Path, train_records: list[dict] | None) -> dict:
    """Safeguarding on a held-out set: the rules alone, and with the trained flag (if trainable)."""
    from .pipeline import classify_many

    records = load_labelled(path, required=("id", "text", "safeguarding"))
    truth = [bool(r["safeguarding"]) for r in records]
    items = [(r["text"], r.get("question")) for r in records]
    out = {"n": len(records), "rules": binary(truth, [x["safeguarding"] for x in classify_many(items)])}
    if train_records:
        model = TextModel(tune_thresholds=False).fit(to_examples(train_records))
        if model.safeguarding_model is not None:
            out["rules_or_model"] = binary(truth, [x["safeguarding"] for x in classify_many(items, model=model)])
    return out


def report(labels_path: str | Path | None, folds: int = 5, nhs_dir: str | Path | None = None, out: IO[str] = sys.stdout,
           progress: Progress | None = _stderr, holdout: Sequence[str | Path] = ()) -> dict:
    summary: dict = {}
    if labels_path:
        records = load_labelled(labels_path)
        if progress:
            progress(f"labelled set: {len(records)} answers from {labels_path}")
        rules = evaluate_rules(records)
        print(format_table(rules["themes"], f"\nCodebook only (no training), {len(records)} answers"), file=out)
        if progress:
            progress(f"cross-validating the model, {folds} folds")
        cv = cross_validate(records, folds=folds, progress=progress)
        print(format_table(cv["model_only"], f"\nModel alone, {folds}-fold out-of-fold"), file=out)
        print(format_table(cv["combined"], f"\nModel + codebook (as classify uses them), {folds}-fold out-of-fold"), file=out)
        sg = rules["safeguarding"]
        print("\nSentiment macro-F1 (3 classes)", file=out)
        print(f"  VADER alone                  {rules['vader_sentiment_macro_f1']:.3f}", file=out)
        if rules["textblob_sentiment_macro_f1"] is not None:
            print(f"  TextBlob alone               {rules['textblob_sentiment_macro_f1']:.3f}", file=out)
        print(f"  rules + VADER + cues         {rules['sentiment_macro_f1']:.3f}", file=out)
        if "sentiment_macro_f1" in cv:
            print(f"  rules + model ({folds}-fold CV)    {cv['sentiment_macro_f1']:.3f}", file=out)
        print(f"\nSafeguarding: recall {sg['recall']:.3f}  precision {sg['precision']:.3f}  "
              f"(tp {sg['tp']}, fp {sg['fp']}, missed {sg['fn']})", file=out)
        if rules["safeguarding_missed"]:
            print(f"  missed: {', '.join(rules['safeguarding_missed'])}", file=out)
        for rid, ev in rules["safeguarding_false_alarms"]:
            print(f"  false alarm {rid}: {ev}", file=out)
        if "safeguarding" in cv:
            m = cv["safeguarding"]
            print(f"  rules OR trained flag ({folds}-fold CV): recall {m['recall']:.3f}  precision {m['precision']:.3f}  "
                  f"(tp {m['tp']}, fp {m['fp']}, missed {m['fn']})", file=out)
        summary["labelled"] = {"rules": rules, "cv": cv}
    if holdout:
        train_records = load_labelled(labels_path) if labels_path else None
        summary["holdout"] = {}
        for path in holdout:
            if progress:
                progress(f"safeguarding held-out set {path}")
            h = evaluate_holdout(path, train_records)
            r = h["rules"]
            print(f"\nSafeguarding, held-out {path} ({h['n']} answers): rules recall {r['recall']:.3f} precision {r['precision']:.3f}"
                  f" (tp {r['tp']}, fp {r['fp']}, missed {r['fn']})", file=out)
            if "rules_or_model" in h:
                m = h["rules_or_model"]
                print(f"  rules OR trained flag (trained on {labels_path}): recall {m['recall']:.3f} precision {m['precision']:.3f}"
                      f" (tp {m['tp']}, fp {m['fp']}, missed {m['fn']})", file=out)
            summary["holdout"][str(path)] = h
    if nhs_dir:
        nhs = evaluate_nhs(nhs_dir, folds=folds, progress=progress)
        print(format_table(nhs["themes"], f"\nNHS framework labels (>= 25 examples: {len(nhs['labels'])}), model, {folds}-fold out-of-fold"), file=out)
        print("  baselines (README): keyword codebook 0.466, TF-IDF+LR 0.546; pxtextmining TF-IDF+SVC 0.64", file=out)
        print(f"\nNHS sentiment macro-F1 (3 classes): model {nhs['sentiment_macro_f1']:.3f}; VADER {nhs['vader_sentiment_macro_f1']:.3f}; "
              f"our rules without training {nhs['rules_sentiment_macro_f1']:.3f}  (baselines: VADER 0.46, TextBlob 0.43)", file=out)
        summary["nhs"] = nhs
    return summary
