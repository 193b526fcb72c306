"""Speed work must not change what the analysis says: every output of ``classify`` without a
model (themes, sentiment, flag, reasons, evidence, language, redaction) for 255 answers, pinned
from the code before the issue 16 speedups: a third of the labelled answers, phrases from every
lexicon (as written, inside a sentence, upper case), non-English, mash and empty answers.

A deliberate change to the rules, lexicons or codebook changes these outputs too: regenerate the
file from the new code then, and say so in the commit."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from voice_service.analysis.pipeline import classify

PINNED = json.loads(Path(__file__).with_name("analysis_rules_outputs.json").read_text(encoding="utf-8"))


def test_the_sample_covers_languages_flags_and_unreadable_answers():
    outputs = [case["expected"] for case in PINNED]
    assert len(outputs) == 255
    assert {"en", "bn", "ar", "pl", "so", "und"} <= {o["language"] for o in outputs}
    assert sum(o["safeguarding"] for o in outputs) >= 50 and sum(o["crisis"] for o in outputs) >= 5
    assert any(o["unreadable"] for o in outputs) and any(o["themes"] for o in outputs)


@pytest.mark.parametrize("case", PINNED, ids=lambda c: c["text"][:40])
def test_classify_says_what_it_said_before(case):
    assert classify(case["text"], case["question"], known_names=("Ayla",)) == case["expected"]
