"""The labelled data committed in the repository, and its fixed gate split.

Training data: every ``training_data/*.jsonl`` beside this file (the per-category sets) plus
``tests/data/labelled_answers.jsonl`` when the repository is at hand (it is not inside an
installed wheel, so the shipped model records which files it was built from).

The gate split: about 15% of those records, chosen by a hash of their id (so the split never
moves when records are added), are never trained on by the shipped model or by any retrained
model. The evaluation gate (``gate.py``) compares models on them. The fresh evaluation set in
``tests/data/fresh_eval/`` is never read here.

Pure functions; no Flask, no database.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

PACKAGE_DATA = Path(__file__).with_name("training_data")
REPO_ROOT = Path(__file__).resolve().parents[2]
LEGACY_LABELS = REPO_ROOT / "tests" / "data" / "labelled_answers.jsonl"
GATE_SHARE = 0.15

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def read_jsonl(path: str | Path) -> list[dict]:
    records = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: invalid JSON ({exc.msg})") from None
            if not isinstance(r, dict) or not isinstance(r.get("text"), str):
                raise ValueError(f"{path}:{n}: each line must be an object with a 'text' string")
            records.append(with_defaults(r))
    return records


def with_defaults(r: dict) -> dict:
    """Older sets lack category, language and age band: default them (contract)."""
    r = dict(r)
    r.setdefault("category", "unlabelled")
    r.setdefault("language", "en")
    r.setdefault("age_band", None)
    r.setdefault("themes", [])
    return r


def training_files() -> list[Path]:
    files = sorted(PACKAGE_DATA.glob("*.jsonl"))
    if LEGACY_LABELS.exists():
        files.append(LEGACY_LABELS)
    return files


def repo_records() -> list[dict]:
    """Every labelled record committed for training, with ``source`` set to its file name."""
    out = []
    for path in training_files():
        for r in read_jsonl(path):
            r["source"] = path.name
            out.append(r)
    return out


def in_gate(record_id: object) -> bool:
    digest = hashlib.sha256(f"gate:{record_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < GATE_SHARE


def split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(training part, gate part) by the fixed hash of each record's id."""
    train, gate = [], []
    for r in records:
        (gate if in_gate(r.get("id", r["text"])) else train).append(r)
    return train, gate


def data_digest(records: list[dict]) -> str:
    payload = json.dumps([[r.get("id"), r["text"], r.get("question"), sorted(r.get("themes") or ()),
                           r.get("sentiment"), r.get("safeguarding")] for r in records], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:10]


@lru_cache(maxsize=1)
def english_training_words() -> frozenset[str]:
    """The words of the English training answers (known words for language detection)."""
    words: set[str] = set()
    for r in repo_records():
        if r.get("language", "en") == "en":
            words |= {w.lower() for w in _WORD.findall(r["text"])}
    return frozenset(words)


@lru_cache(maxsize=1)
def other_language_words() -> frozenset[str]:
    """Words of the non-English training answers (they make an answer readable, not English)."""
    words: set[str] = set()
    for r in repo_records():
        if r.get("language", "en") != "en":
            words |= {w.lower() for w in _WORD.findall(r["text"])}
    return frozenset(words)
