"""Keyword codebook for themes, and the text normaliser shared by the analysis modules.

The codebook is data (``codebook_v1.toml`` beside this file): patterns per theme id, and a
spelling map for children's spelling and text-speak ("sw" -> "social worker", "dont" ->
"don't", "u" -> "you", "n" -> "and"). Every match keeps its evidence: the words of the
ORIGINAL answer that the pattern covered, so a person can see why a theme was suggested.

Pure functions; the codebook file is read once and cached.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .prefilter import Prefilter

THEME_IDS: tuple[str, ...] = (
    "listened_to",
    "understanding",
    "worker_relationship",
    "family_contact",
    "home_and_care",
    "safety",
    "education",
    "health_wellbeing",
    "meetings",
    "support_services",
    "identity_culture",
    "rights_advocacy",
    "friends_activities",
    "communication",
)

DEFAULT_CODEBOOK = Path(__file__).with_name("codebook_v1.toml")

# Words: letters/digits with inner apostrophes or hyphens; "&" on its own; any other symbol.
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*|&|[^\sa-z0-9]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# Letters repeated 3+ times are squashed to 2 ("sooooo" -> "soo", "plsss" -> "pls" via map).
_REPEATS = re.compile(r"([a-z])\1{2,}")


@dataclass(frozen=True, slots=True)
class Normalised:
    """Normalised text with a map back to the original characters.

    ``text`` is lower-case, words separated by single spaces, spellings normalised.
    ``starts[i]`` is where word ``i`` begins in ``text``; ``words[i]`` is the (start, end) of the
    same word in the original. A normalised character belongs to the last word starting at or
    before it (so spaces map to the previous word).
    """

    original: str
    text: str
    starts: tuple[int, ...]  # word index -> start in the normalised text
    words: tuple[tuple[int, int], ...]  # word index -> (start, end) in original

    def original_span(self, start: int, end: int) -> str:
        """The original words covering normalised characters [start, end)."""
        end = min(end, len(self.text))
        if start >= end:
            return ""
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end - 1) - 1
        return self.original[self.words[first][0]:self.words[last][1]]


def _normal_form(tok: str, spelling: dict[str, str]) -> str:
    squashed = _REPEATS.sub(r"\1\1", tok)
    norm = spelling.get(tok) or spelling.get(squashed) or spelling.get(_REPEATS.sub(r"\1", tok))
    return squashed if norm is None else norm


# Per spelling map (held, so its id cannot be reused): token as typed -> normal form. Tokens
# repeat a great deal ("my", "mum", "dont"), so this saves two regex substitutions per word.
# A spelling map must not be changed after use (the codebook's never is).
_TOKEN_CACHES: dict[int, tuple[dict[str, str], dict[str, str]]] = {}
_TOKEN_CACHE_MAX = 50_000


def _token_cache(spelling: dict[str, str]) -> dict[str, str]:
    entry = _TOKEN_CACHES.get(id(spelling))
    if entry is None or entry[0] is not spelling:
        if len(_TOKEN_CACHES) > 16:
            _TOKEN_CACHES.clear()
        entry = (spelling, {})
        _TOKEN_CACHES[id(spelling)] = entry
    elif len(entry[1]) > _TOKEN_CACHE_MAX:
        entry[1].clear()
    return entry[1]


def normalise(text: str, spelling: dict[str, str] | None = None) -> Normalised:
    """Lower-case, split into words and apply the spelling map, keeping a map to the original."""
    if spelling is None:
        spelling = load_codebook().spelling
    lowered = text.translate(_APOSTROPHES).lower()
    # str.lower() may change length for a few characters (e.g. "İ"); fall back to 1:1 safe form.
    if len(lowered) != len(text):
        lowered = "".join(c.lower()[:1] or c for c in text.translate(_APOSTROPHES))
    cache = _token_cache(spelling)
    parts: list[str] = []
    starts: list[int] = []
    words: list[tuple[int, int]] = []
    pos = 0
    for m in _TOKEN_RE.finditer(lowered):
        tok = m.group()
        norm = cache.get(tok)
        if norm is None:
            norm = cache[tok] = _normal_form(tok, spelling)
        starts.append(pos)
        words.append(m.span())
        parts.append(norm)
        pos += len(norm) + 1
    return Normalised(text, " ".join(parts), tuple(starts), tuple(words))


@dataclass
class Theme:
    id: str
    description: str
    patterns: list[str]
    regex: re.Pattern[str]


@dataclass
class Codebook:
    version: str
    spelling: dict[str, str]
    themes: dict[str, Theme] = field(default_factory=dict)
    # Worked out from the patterns (prefilter.py): one scan tells which themes could match.
    prefilter: Prefilter | None = None

    def match(self, text: str | Normalised, prefilter: bool = True) -> dict[str, list[str]]:
        """Theme id -> evidence (original words matched), for every theme with a match.

        ``prefilter=False`` searches every theme's patterns (the same answer, slower)."""
        norm = text if isinstance(text, Normalised) else normalise(text, self.spelling)
        found: dict[str, list[str]] = {}
        text = norm.text
        possible = self.prefilter.candidates(text) if prefilter and self.prefilter is not None else self.themes
        for theme_id, theme in self.themes.items():
            if theme_id not in possible:
                continue
            evidence: list[str] = []
            for m in theme.regex.finditer(text):
                words = norm.original_span(m.start(), m.end()).strip()
                if words and words not in evidence:
                    evidence.append(words)
            if evidence:
                found[theme_id] = evidence
        return found


def _compile(patterns: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])")


def parse_codebook(data: dict) -> Codebook:
    spelling = {str(k).lower(): str(v).lower() for k, v in data.get("spelling", {}).items()}
    book = Codebook(version=str(data["version"]), spelling=spelling)
    themes = data.get("themes", {})
    unknown = set(themes) - set(THEME_IDS)
    if unknown:
        raise ValueError(f"codebook has theme ids not in THEMES.md v1: {sorted(unknown)}")
    for theme_id in THEME_IDS:
        if theme_id not in themes:
            continue
        spec = themes[theme_id]
        patterns = list(spec.get("patterns", [])) + [re.escape(p.lower()) for p in spec.get("phrases", [])]
        try:
            regex = _compile(patterns)
        except re.error as exc:  # pragma: no cover - a data error, reported clearly
            raise ValueError(f"codebook theme {theme_id}: bad pattern: {exc}") from exc
        book.themes[theme_id] = Theme(theme_id, spec.get("description", ""), patterns, regex)
    book.prefilter = Prefilter({t.id: t.patterns for t in book.themes.values()})
    return book


@lru_cache(maxsize=8)
def load_codebook(path: str | Path = DEFAULT_CODEBOOK) -> Codebook:
    with open(path, "rb") as fh:
        return parse_codebook(tomllib.load(fh))


def codebook_themes(text: str) -> dict[str, list[str]]:
    """Convenience: themes found by the default codebook, with evidence."""
    return load_codebook().match(text)
