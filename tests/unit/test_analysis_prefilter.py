"""The speed-ups change nothing: the pre-checks worked out from the patterns give exactly the
answers of searching every pattern, on every text we have."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from voice_service.analysis.codebook import load_codebook, normalise
from voice_service.analysis.prefilter import Prefilter, required_literals
from voice_service.analysis.safeguarding import FALSE_ALARMS, TRIGGERS, check
from voice_service.analysis.sentiment import CUES, cue_score

DATA = Path(__file__).resolve().parents[1] / "data"


def _texts() -> list[str]:
    texts = []
    for name in ("labelled_answers.jsonl", "safeguarding_holdout.jsonl"):
        with open(DATA / name, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    # Odd shapes: empty, symbols only, repeats, capitals that change length when lower-cased.
    texts += ["", "   ", "?!", "İstanbul soooo gooood!!!", "plsss dont", "a", "💔💔 kms", "s/h again"]
    return texts


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"(hit|hits) me", "he hits me", True),
        (r"abus(e|ed|ive)\w*", "it was abusive", True),
        (r"(no|not enough) (food|dinner)", "not enough dinner", True),
        (r"(no|not enough) (food|dinner)", "no tea", False),
        (r"cut (my )?(arm|arms)", "cut arms", True),
    ],
)
def test_every_match_contains_one_of_the_required_strings(pattern, text, expected):
    required = required_literals(pattern)
    assert required
    assert bool(re.search(pattern, text)) == expected
    if expected:
        assert any(r in text for r in required)


def test_a_pattern_with_no_required_string_is_always_searched():
    assert required_literals(r".{0,40}") is None
    pf = Prefilter({"loose": [r"[a-z]+ly", r"\w+"], "strict": [r"knife"]})
    assert required_literals(r"[a-z]+ly") == {"ly"}
    assert pf.candidates("nothing here") == {"loose"}
    assert pf.candidates("a knife") == {"loose", "strict"}


def test_overlapping_required_strings_of_different_groups_are_all_found():
    pf = Prefilter({"short": ["hit"], "long": ["hitting me"], "other": ["ting"]})
    assert pf.candidates("he was hitting me") == {"short", "long", "other"}
    assert pf.candidates("a hit") == {"short"}


def test_every_trigger_false_alarm_cue_and_theme_has_required_strings():
    # Not needed for correctness (such a group is simply always searched), but each one that
    # has none would slow every answer down: keep it that way.
    for patterns in list(TRIGGERS.values()) + [[p for p, _ in CUES]] + [t.patterns for t in load_codebook().themes.values()]:
        assert all(required_literals(p) for p in patterns)
    assert all(required_literals(p.replace("{_HARM_VERBS}", "(hit|hits)")) for p in FALSE_ALARMS)


def test_prefiltered_codebook_safeguarding_and_cues_equal_the_full_search():
    book = load_codebook()
    for text in _texts():
        norm = normalise(text)
        assert book.match(norm) == book.match(norm, prefilter=False), text
        fast, full = check(norm), check(norm, prefilter=False)
        assert (fast.flag, fast.evidence, fast.reasons) == (full.flag, full.evidence, full.reasons), text
        assert cue_score(norm) == cue_score(norm, prefilter=False), text
