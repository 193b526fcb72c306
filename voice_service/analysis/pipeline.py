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
from functools import lru_cache
from collections.abc import Iterable
from typing import IO

from .codebook import THEME_IDS, load_codebook, normalise
from .language import detect as detect_language
from .lexicons import known_words as lexicon_words
from .lexicons import match as lexicon_match
from .model import TextModel, combine_themes
from .redaction import redact
from .safeguarding import SOFT_REASON
from .safeguarding import check as safeguarding_check
from .training import other_language_words
from .sentiment import SentimentResult, lexicon_sentiment, rule_sentiment

_ORDER = {t: i for i, t in enumerate(THEME_IDS)}


@lru_cache(maxsize=1)
def known_other_words() -> frozenset[str]:
    """Words of languages other than English that we know (lexicons, training answers)."""
    return lexicon_words() | other_language_words()
# One encoder for every line (json.dumps with options builds a new encoder per call).
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _assemble(norm, question, known_names, codebook_hits, model_yes, model, model_sentiment, with_redaction=True,
              model_flag=None):
    text = norm.original
    lang = detect_language(text, known_other_words())
    lex = lexicon_match(text)
    sg = safeguarding_check(norm, question)
    if not lang.readable:
        # Keyboard mash or symbols: nothing the models can read. Not a disclosure, no themes.
        codebook_hits, model_yes, model_flag = {}, set(), None
    theme_evidence = combine_themes(codebook_hits, model_yes, model)
    themes = sorted(theme_evidence, key=lambda t: _ORDER.get(t, len(_ORDER)))
    hard = [r for r in sg.reasons if r != SOFT_REASON]
    flag, sg_evidence, sg_reasons = bool(hard), (list(sg.evidence) if hard else []), hard
    score = model_flag[0] if (model_flag is not None and model is not None) else None
    if sg.reasons and not hard:
        # The catch-all (a worry answer naming someone) is a scored check: it stands when the
        # trained flag's score passes the lower soft threshold, or when no flag is trained.
        if score is None or score > model.soft_threshold:
            flag, sg_evidence, sg_reasons = True, list(sg.evidence), [SOFT_REASON]
    if lex.categories:
        flag = True
        sg_evidence += [w for w in lex.evidence if w not in sg_evidence]
        sg_reasons = sg_reasons + [f"lexicon:{c}" for c in lex.categories]
    if score is not None and score > model.safeguarding_threshold:
        # The trained flag works alongside the rules: either one puts the answer before a person.
        if not flag:
            sg_evidence = list(model_flag[1])
        flag = True
        sg_reasons = sg_reasons + ["model"]
    if flag and model is not None:
        # Every flag names the model version it was raised under, with the score.
        sg_evidence.append(f"model:{model.version} p={score:.2f}" if score is not None else f"model:{model.version}")
    crisis = "self_harm_suicide" in sg.reasons or lex.crisis or "self_harm_suicide" in lex.categories
    if not lang.readable:
        result = SentimentResult("neutral", "rule:unreadable")
    else:
        result = rule_sentiment(norm, question, flag)
        if result is None:
            if model_sentiment is not None and model is not None:
                result = SentimentResult(model_sentiment, f"model:{model.version}")
            else:
                result = lexicon_sentiment(norm, question)
    out = {
        "themes": themes,
        "sentiment": result.label,
        "safeguarding": flag,
        "language": lang.code,
        "needs_interpreter": lang.needs_interpreter,
        "unreadable": not lang.readable,
        "crisis": bool(crisis),
        "version": model.version if model is not None else "rules-only",
        "evidence": {
            "themes": {t: theme_evidence[t] for t in themes},
            "sentiment": result.evidence(),
            "safeguarding": sg_evidence,
            "safeguarding_reasons": sg_reasons,
            "language": {"code": lang.code, "source": lang.source, "confidence": round(lang.confidence, 2)},
            "model": ({"version": model.version, "safeguarding_score": None if score is None else round(score, 4),
                       "threshold": model.safeguarding_threshold} if model is not None else None),
        },
    }
    if with_redaction:
        out["redacted"] = redact(text, known_names)
    return out


def _model_outputs(model, texts, questions):
    """Themes, sentiments and flag scores from the model for readable answers only."""
    n = len(texts)
    if model is None or not texts:
        return [set() for _ in texts], [None] * n, [None] * n
    themes, sentiments, flags = model.predict(texts, questions)
    return themes, sentiments or [None] * n, flags or [None] * n


def classify(text: str, question: str | None = None, known_names: Iterable[str] = (), model: TextModel | None = None) -> dict:
    """Themes, sentiment, safeguarding flag, language, evidence and a redacted quote for one answer."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    book = load_codebook()
    norm = normalise(text, book.spelling)
    hits = book.match(norm)
    yes, sents, flags = _model_outputs(model, [text], [question])
    return _assemble(norm, question, tuple(known_names), hits, yes[0], model, sents[0], model_flag=flags[0])


def classify_many(items: list[tuple[str, str | None]], model: TextModel | None = None, with_redaction: bool = False) -> list[dict]:
    """``classify`` for many answers at once (the model is applied in one batch)."""
    book = load_codebook()
    texts = [t for t, _ in items]
    questions = [q for _, q in items]
    model_yes, sentiments, flags = _model_outputs(model, texts, questions)
    out = []
    for (t, q), my, s, f in zip(items, model_yes, sentiments, flags):
        norm = normalise(t, book.spelling)
        out.append(_assemble(norm, q, (), book.match(norm), my, model, s, with_redaction, model_flag=f))
    return out


_MODEL_CACHE: dict[str, tuple[float, TextModel]] = {}


def instance_model() -> TextModel | None:
    """The model used by default: a retrained one at the app's ``MODEL_PATH`` when present
    (the evaluation gate writes it only when it is at least as good), else the shipped one
    (``shipped.py``), so a fresh install classifies with the trained model. Outside an app:
    the shipped one. Loaded once per process and again when the file changes.
    """
    from pathlib import Path

    from .shipped import shipped_model

    try:
        from flask import current_app, has_app_context
    except ImportError:  # pragma: no cover
        return shipped_model()
    path = current_app.config.get("MODEL_PATH") if has_app_context() else None
    if path:
        try:
            mtime = Path(path).stat().st_mtime
        except OSError:
            mtime = None
        if mtime is not None:
            cached = _MODEL_CACHE.get(path)
            if cached is None or cached[0] != mtime:
                cached = (mtime, TextModel.load(path))
                _MODEL_CACHE[path] = cached
            return cached[1]
    return shipped_model()


shipped_model_default = instance_model


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
