"""Which language an answer is written in, and whether it is readable text at all.

``detect(text) -> LanguageResult``: an ISO 639-1 code (or ``"und"``), whether the text is
readable words at all (keyboard mash and "?????" are not), and whether the models can read
it. The models read English only: every other language needs a person who reads it (the
lexicons in ``lexicons/`` catch risk words in ten languages meanwhile, see ``lexicons.py``).

How: an answer most of whose words are known English words is English, without asking the
detector (fast, and right for short answers like "ok" or "my dad hits me" that a detector
cannot place). Otherwise the script decides (Bengali script is Bengali) or the lingua
detector does (``lingua-language-detector``, its models inside the wheel, nothing downloaded),
restricted to the languages London families write most, in low-accuracy mode: about 60 MB and
2-3 s to load once per process, under 1 ms per answer. Answers with no known word in any list
and letters that look like keyboard mash ("xyzzy qwerty", "fhdjskfh") are ``unreadable``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# The languages the models can read (others go to a person who reads them).
MODEL_LANGUAGES = frozenset({"en"})

# Detector candidates: the lexicon languages, plus common London languages we have no lists
# for (so a Lithuanian answer is called Lithuanian, not the nearest lexicon language).
_CANDIDATES = (
    "ENGLISH BENGALI SOMALI ARABIC URDU PORTUGUESE TURKISH POLISH ROMANIAN SPANISH FRENCH "
    "PERSIAN LITHUANIAN ALBANIAN ITALIAN GERMAN RUSSIAN CHINESE TAMIL GUJARATI PUNJABI HINDI "
    "YORUBA SWAHILI VIETNAMESE TAGALOG LATVIAN HUNGARIAN BULGARIAN UKRAINIAN GREEK DUTCH CZECH SLOVAK"
).split()

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
# QWERTY neighbours: mash is mostly runs of keys next to each other.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> set[tuple[str, str]]:
    pairs = set()
    for row in _ROWS:
        for a, b in zip(row, row[1:]):
            pairs |= {(a, b), (b, a)}
    for upper, lower in zip(_ROWS, _ROWS[1:]):
        for i, a in enumerate(upper):
            for b in lower[max(i - 1, 0):i + 1]:
                pairs |= {(a, b), (b, a)}
    return pairs


_NEIGHBOURS = _neighbours()
_VOWELS = set("aeiouyàáâãäåèéêëìíîïòóôõöùúûüăâîșțąęółźżćńśçğışü")


@dataclass(frozen=True)
class LanguageResult:
    code: str  # ISO 639-1, or "und" (not a language: empty, symbols, keyboard mash)
    readable: bool  # words of some language (False for "xyzzy qwerty", "?????")
    confidence: float
    source: str  # "english-words", "script", "lingua", "mash", "no-letters"

    @property
    def needs_interpreter(self) -> bool:
        """A language the models cannot read: a person who reads it must."""
        return self.readable and self.code not in MODEL_LANGUAGES


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Words we know to be English: VADER's lexicon, scikit-learn's stop words, the codebook's
    spelling map (children's spelling and text-speak) and the English training answers."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words: set[str] = set(ENGLISH_STOP_WORDS)
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        words |= {w for w in SentimentIntensityAnalyzer().lexicon if w.isalpha()}
    except ImportError:  # pragma: no cover - vaderSentiment is a dependency
        pass
    from .codebook import load_codebook

    for k, v in load_codebook().spelling.items():
        words |= set(_WORD.findall(k.lower())) | set(_WORD.findall(v.lower()))
    from .training import english_training_words

    words |= english_training_words()
    return frozenset(words)


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    langs = [getattr(Language, name) for name in _CANDIDATES]
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()


def _script_language(text: str) -> str | None:
    """A language given away by its script alone, or "" for a script we have no lexicon for."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha() and not _LATIN.match(ch):
            name = unicodedata.name(ch, "").split(" ")[0]
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    script = max(counts, key=counts.get)
    return {"BENGALI": "bn", "ARABIC": "arabic-script"}.get(script, "")


def mash_score(word: str) -> float:
    """How much a word looks like keyboard mash, 0..1: keys next to each other or repeated,
    no vowels, or every letter from one keyboard row (real words mix rows and have vowels)."""
    w = word.lower()
    if len(w) < 4:
        return 0.0
    pairs = list(zip(w, w[1:]))
    near = sum((a, b) in _NEIGHBOURS or a == b for a, b in pairs) / len(pairs)
    vowels = sum(c in _VOWELS for c in w) / len(w)
    one_row = max(sum(c in row for c in w) for row in _ROWS) / len(w)
    score = near
    if len(w) >= 5 and vowels < 0.15:
        score = max(score, 1.0)
    if len(w) >= 5 and one_row == 1.0:
        score = max(score, 0.6)
    return score


def detect(text: str, extra_known: frozenset[str] = frozenset()) -> LanguageResult:
    """The language of one answer (see the module docstring). ``extra_known``: words of other
    languages we know (the lexicons' and the training answers'), which make an answer readable."""
    words = [w.lower() for w in _WORD.findall(text or "")]
    if not words:
        return LanguageResult("und", False, 1.0, "no-letters")
    known = english_words()
    latin = [w for w in words if _LATIN.match(w)]
    english = sum(w in known for w in latin)
    if latin and len(latin) == len(words) and english / len(words) >= 0.5:
        return LanguageResult("en", True, english / len(words), "english-words")
    script = _script_language(text)
    if script == "bn":
        return LanguageResult("bn", True, 1.0, "script")
    if script is None:
        # All Latin letters and few English words: a language we list, or keyboard mash.
        recognised = english + sum(w in extra_known for w in latin)
        mashy = sum(mash_score(w) >= 0.5 for w in latin) / len(latin)
        if recognised == 0 and mashy >= 0.5:
            return LanguageResult("und", False, mashy, "mash")
    found = _detector().compute_language_confidence_values(text)
    top = found[0] if found else None
    if top is None or top.value <= 0.0:
        return LanguageResult("und", script == "", 0.0, "lingua")
    code = top.language.iso_code_639_1.name.lower()
    if code == "en" and script is None and english == 0 and not any(w in extra_known for w in latin):
        return LanguageResult("und", False, float(top.value), "no-known-word")
    if script is None and english / len(words) >= 0.4 and code != "en" and top.value < 0.5:
        # Half-known words and an unsure detector: mixed English (text-speak, names).
        return LanguageResult("en", True, english / len(words), "english-words")
    return LanguageResult(code, True, float(top.value), "lingua")


def language_name(code: str | None) -> str:
    """The English name of a detected language for staff pages ("pt" -> "Portuguese"); the code
    itself when the detector does not know it, "unknown" when there is none."""
    if not code or code == "und":
        return "unknown"
    from lingua import IsoCode639_1, Language

    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(code)).name.title()
    except ValueError:
        return code
