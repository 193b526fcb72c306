"""Risk phrases per language (``lexicons/*.toml``, draft lists awaiting a qualified translator).

``match(text) -> LexiconMatch``: which harm categories' phrases occur in the answer, the
original words, and whether any is a crisis phrase (self-harm or suicide: the reply gives
crisis numbers). Every language's list is checked against every answer: people mix languages
and romanised Bengali or Urdu is often taken for English. Matching follows
``lexicons/README.md``: NFKC + casefold, Arabic-script folding, whole words only (the
characters either side are not letters, marks or digits), a trailing ``*`` allows any ending.

Pure functions; the files are read once.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .prefilter import Prefilter

LEXICON_DIR = Path(__file__).with_name("lexicons")

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك", "ہ": "ه",
                       "\u2019": "'", "\u2018": "'"})
_SPACES = re.compile(r"\s+")
# Not a letter, mark or digit on either side (Unicode-aware \w also admits "_": fine here).
_LEFT = r"(?<![^\W_])"
_RIGHT = r"(?![^\W_])"


def fold(text: str) -> str:
    """The normal form both phrases and answers are matched in (lexicons/README.md, step 1)."""
    if text.isascii():
        # Most answers: NFKC leaves ASCII as it is and there is nothing Arabic to fold.
        return _SPACES.sub(" ", text.casefold()).strip()
    t = unicodedata.normalize("NFKC", text).casefold()
    t = _ARABIC_MARKS.sub("", t).translate(_FOLD)
    return _SPACES.sub(" ", t).strip()


@dataclass(frozen=True)
class Lexicon:
    language: str
    status: str
    categories: dict[str, tuple[str, ...]]
    crisis: tuple[str, ...]


@dataclass
class LexiconMatch:
    categories: list[str] = field(default_factory=list)  # harm category ids, in first-seen order
    evidence: list[str] = field(default_factory=list)  # the answer's own words
    languages: list[str] = field(default_factory=list)  # lists that matched
    crisis: bool = False

    def __bool__(self) -> bool:
        return bool(self.categories) or self.crisis


def parse(data: dict, name: str = "<lexicon>") -> Lexicon:
    for key in ("status", "language"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"{name}: missing {key!r}")
    cats = {}
    for cat, body in (data.get("categories") or {}).items():
        phrases = body.get("phrases") if isinstance(body, dict) else None
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise ValueError(f"{name}: categories.{cat}.phrases must be a list of non-empty strings")
        cats[cat] = tuple(phrases)
    crisis = (data.get("crisis") or {}).get("phrases", [])
    return Lexicon(data["language"], data["status"], cats, tuple(crisis))


@lru_cache(maxsize=4)
def load(directory: str | Path = LEXICON_DIR) -> tuple[Lexicon, ...]:
    out = []
    for path in sorted(Path(directory).glob("*.toml")):
        with open(path, "rb") as fh:
            lex = parse(tomllib.load(fh), path.name)
        if lex.language != path.stem:
            raise ValueError(f"{path.name}: language {lex.language!r} does not match the file name")
        out.append(lex)
    return tuple(out)


def _literals(phrases: list[str]) -> list[tuple[str, bool]]:
    """(folded text a match starts with, whether it must end a word), longest phrase first."""
    out = []
    for p in sorted({fold(p) for p in phrases}, key=len, reverse=True):
        # A trailing "*" allows any ending ("hurt*" matches "hurting"): no word end after it.
        out.append((p[:-1].rstrip(), False) if p.endswith("*") else (p, True))
    return out


def _pattern(phrases: list[str]) -> re.Pattern[str] | None:
    alts = [re.escape(text) + (_RIGHT if whole else "") for text, whole in _literals(phrases)]
    return re.compile(_LEFT + "(?:" + "|".join(alts) + ")") if alts else None


@dataclass(frozen=True)
class _Compiled:
    rules: tuple[tuple[str, str, re.Pattern[str]], ...]  # (language, category, pattern)
    crisis: tuple[tuple[str, re.Pattern[str]], ...]
    # Which rules (index into rules + crisis) could match a text: one scan instead of ~170
    # searches per answer, most of which find nothing (prefilter.py: the same matches).
    prefilter: Prefilter


@lru_cache(maxsize=4)
def _compiled(directory: str | Path = LEXICON_DIR) -> _Compiled:
    rules, crisis, rule_literals, crisis_literals = [], [], [], []
    for lex in load(directory):
        for cat, phrases in lex.categories.items():
            rx = _pattern(list(phrases))
            if rx is not None:
                rules.append((lex.language, cat, rx))
                rule_literals.append([text for text, _ in _literals(list(phrases))])
        rx = _pattern(list(lex.crisis))
        if rx is not None:
            crisis.append((lex.language, rx))
            crisis_literals.append([text for text, _ in _literals(list(lex.crisis))])
    # Keys: index into rules, then crisis. Every match starts with one of its list's phrases
    # where _LEFT holds (_pattern), which is what the scan looks for.
    prefilter = Prefilter(dict(enumerate(rule_literals + crisis_literals)), literal=True, before=_LEFT)
    return _Compiled(tuple(rules), tuple(crisis), prefilter)


def match(text: str, directory: str | Path = LEXICON_DIR) -> LexiconMatch:
    """Every list's phrases found in the answer (module docstring)."""
    compiled = _compiled(str(directory))
    folded = fold(text or "")
    out = LexiconMatch()
    if not folded:
        return out
    possible = compiled.prefilter.candidates(folded)
    if not possible:
        return out
    for i, (language, cat, rx) in enumerate(compiled.rules):
        if i not in possible:
            continue
        m = rx.search(folded)
        if m:
            if cat not in out.categories:
                out.categories.append(cat)
            if m.group(0) not in out.evidence:
                out.evidence.append(m.group(0))
            if language not in out.languages:
                out.languages.append(language)
    for i, (language, rx) in enumerate(compiled.crisis, start=len(compiled.rules)):
        if i not in possible:
            continue
        m = rx.search(folded)
        if m:
            out.crisis = True
            if m.group(0) not in out.evidence:
                out.evidence.append(m.group(0))
            if language not in out.languages:
                out.languages.append(language)
    return out


@lru_cache(maxsize=1)
def known_words(directory: str | Path = LEXICON_DIR) -> frozenset[str]:
    """Every word in every list (they make an answer readable words, for language.detect)."""
    words: set[str] = set()
    for lex in load(directory):
        for phrases in list(lex.categories.values()) + [lex.crisis]:
            for p in phrases:
                words |= set(re.findall(r"[^\W\d_]+", fold(p.rstrip("*"))))
    return frozenset(words)
