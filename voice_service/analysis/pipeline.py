"""One entry point for the analysis of a free-text answer, and the JSON-lines contract.

``classify(text, question=None, known_names=(), model=None)`` returns::

    {
      "themes": ["worker_relationship", ...],          # ids from THEMES.md v1, in that order
      "sentiment": "positive" | "neutral" | "negative",
      "safeguarding": true | false,                     # a flag for a person, never a finding
      "evidence": {
        "themes": {"worker_relationship": ["my sw"], "safety": ["model:tfidf-svc-..."]},
        "sentiment": {"label": ..., "source": ..., "score": ..., "cues": [...]},
        "safeguarding": ["dont feel safe"],             # the original words that triggered it
        "safeguarding_reasons": ["fear_of_home"],       # plus "model" (and "model:<version> p=0.83"
                                                        # in the evidence) when a trained flag said so
      },
      "redacted": "my sw [name] never comes",           # names, phones, emails, addresses, postcodes removed
    }

``classify_lines(in_stream, out_stream)`` reads JSON lines ``{"id", "text", "question"?,
"respondent"?, "meeting"?}`` and writes one JSON line per input line ``{"id", "themes",
"sentiment", "safeguarding", "evidence"}``. A malformed line (bad JSON, missing id or text,
wrong types) gets ``{"line": N, "error": "..."}`` (N counts from 1, blank lines included) and
the rest are still classified. Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from .codebook import THEME_IDS, load_codebook, normalise
from .model import TextModel, combine_themes
from .redaction import redact
from .safeguarding import check as safeguarding_check
from .sentiment import SentimentResult, lexicon_sentiment, rule_sentiment

_ORDER = {t: i for i, t in enumerate(THEME_IDS)}
# One encoder for every line (json.dumps with options builds a new encoder per call).
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _assemble(norm, question, known_names, codebook_hits, model_yes, model, model_sentiment, with_redaction=True,
              model_flag=None):
    text = norm.original
    sg = safeguarding_check(norm, question)
    theme_evidence = combine_themes(codebook_hits, model_yes, model)
    themes = sorted(theme_evidence, key=lambda t: _ORDER.get(t, len(_ORDER)))
    result = rule_sentiment(norm, question, sg.flag)
    if result is None:
        if model_sentiment is not None and model is not None:
            result = SentimentResult(model_sentiment, f"model:{model.version}")
        else:
            result = lexicon_sentiment(norm, question)
    flag, sg_evidence, sg_reasons = sg.flag, sg.evidence, sg.reasons
    if model_flag is not None and model is not None and model_flag[0] > model.safeguarding_threshold:
        # The trained flag works alongside the rules: either one puts the answer before a person.
        sg_evidence = list(sg_evidence) if flag else list(model_flag[1])  # the rules' words come first
        sg_evidence.append(f"model:{model.version} p={model_flag[0]:.2f}")
        flag = True
        sg_reasons = sg_reasons + ["model"]
    out = {
        "themes": themes,
        "sentiment": result.label,
        "safeguarding": flag,
        "evidence": {
            "themes": {t: theme_evidence[t] for t in themes},
            "sentiment": result.evidence(),
            "safeguarding": sg_evidence,
            "safeguarding_reasons": sg_reasons,
        },
    }
    if with_redaction:
        out["redacted"] = redact(text, known_names)
    return out


def classify(text: str, question: str | None = None, known_names: Iterable[str] = (), model: TextModel | None = None) -> dict:
    """Themes, sentiment, safeguarding flag, evidence and a redacted quote for one answer."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    book = load_codebook()
    norm = normalise(text, book.spelling)
    hits = book.match(norm)
    model_yes: set[str] = set()
    model_sentiment = None
    model_flag = None
    if model is not None:
        model_yes = model.model_themes([text], [question])[0]
        predicted = model.predict_sentiment([text], [question])
        model_sentiment = predicted[0] if predicted else None
        flags = model.predict_safeguarding([text], [question])
        model_flag = flags[0] if flags else None
    return _assemble(norm, question, tuple(known_names), hits, model_yes, model, model_sentiment, model_flag=model_flag)


def classify_many(items: list[tuple[str, str | None]], model: TextModel | None = None, with_redaction: bool = False) -> list[dict]:
    """``classify`` for many answers at once (the model is applied in one batch)."""
    book = load_codebook()
    texts = [t for t, _ in items]
    questions = [q for _, q in items]
    if model is not None and texts:
        model_yes = model.model_themes(texts, questions)
        sentiments = model.predict_sentiment(texts, questions) or [None] * len(texts)
        flags = model.predict_safeguarding(texts, questions) or [None] * len(texts)
    else:
        model_yes = [set() for _ in texts]
        sentiments = [None] * len(texts)
        flags = [None] * len(texts)
    out = []
    for (t, q), my, s, f in zip(items, model_yes, sentiments, flags):
        norm = normalise(t, book.spelling)
        out.append(_assemble(norm, q, (), book.match(norm), my, model, s, with_redaction, model_flag=f))
    return out


_MODEL_CACHE: dict[str, tuple[float, TextModel]] = {}


def instance_model() -> TextModel | None:
    """The model `flask analyse train` wrote to the current app's ``MODEL_PATH``, or None.

    Loaded once per process and again when the file changes. For callers inside the app (e.g.
    ``save_answer``): ``classify(text, question, names, model=instance_model())`` adds the
    trained themes, sentiment and safeguarding flag to the codebook and rules.
    """
    from pathlib import Path

    from flask import current_app

    path = current_app.config.get("MODEL_PATH")
    if not path:
        return None
    try:
        mtime = Path(path).stat().st_mtime
    except OSError:
        return None
    cached = _MODEL_CACHE.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, TextModel.load(path))
        _MODEL_CACHE[path] = cached
    return cached[1]


def _validate(record: object) -> str | None:
    if not isinstance(record, dict):
        return "each line must be a JSON object"
    if "id" not in record:
        return "missing 'id'"
    if not isinstance(record["id"], (str, int)) or isinstance(record["id"], bool):
        return "'id' must be a string or an integer"
    if "text" not in record:
        return "missing 'text'"
    if not isinstance(record["text"], str):
        return "'text' must be a string"
    for key in ("question", "respondent", "meeting"):
        value = record.get(key)
        if value is not None and not isinstance(value, str if key != "meeting" else (str, int)):
            return f"'{key}' must be a string" + (" or an integer" if key == "meeting" else "")
    return None


def classify_lines(in_stream: IO[str], out_stream: IO[str], model: TextModel | None = None, batch_size: int = 256) -> dict:
    """The JSON-lines contract (module docstring). Returns counts: {"classified", "errors"}."""
    counts = {"classified": 0, "errors": 0}
    pending: list[tuple[int, dict]] = []  # (line number, record) in input order, errors included

    def flush() -> None:
        good = [(n, r) for n, r in pending if "error" not in r]
        results = iter(classify_many([(r["text"], r.get("question")) for _, r in good], model=model))
        for n, r in pending:
            if "error" in r:
                out_stream.write(_encode({"line": n, "error": r["error"]}) + "\n")
                counts["errors"] += 1
                continue
            res = next(results)
            line = {"id": r["id"], "themes": res["themes"], "sentiment": res["sentiment"],
                    "safeguarding": res["safeguarding"], "evidence": res["evidence"]}
            out_stream.write(_encode(line) + "\n")
            counts["classified"] += 1
        pending.clear()
        out_stream.flush()

    for number, raw in enumerate(in_stream, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            pending.append((number, {"error": f"invalid JSON: {exc.msg} at column {exc.colno}"}))
        else:
            problem = _validate(record)
            pending.append((number, {"error": problem} if problem else record))
        if len(pending) >= batch_size:
            flush()
    flush()
    return counts
