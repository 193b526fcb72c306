"""Question-aware sentiment."""
from __future__ import annotations

import pytest

from voice_service.analysis.pipeline import classify
from voice_service.analysis.questions import question_kind
from voice_service.analysis.sentiment import sentiment


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        ("nothing", "What could be better?", "neutral"),
        ("no", "Is there anything or anyone that makes you feel unsafe or scared?", "neutral"),
        ("nothing", "What is going well for you at the moment?", "negative"),
        ("idk", "What is going well for you at the moment?", "neutral"),
        ("I don't feel safe at home", None, "negative"),
        ("my sw never comes", None, "negative"),
        ("no one calls me back", "What could be better?", "negative"),
        ("my foster carer is kind and helps me with homework", None, "positive"),
        ("nothing, you have all been great", "What could be better?", "positive"),
        ("more time with my nan", "What could be better?", "neutral"),
    ],
)
def test_sentiment_reads_the_question(text, question, expected):
    assert sentiment(text, question).label == expected


def test_question_kinds():
    assert question_kind("What could be better?") == "improve"
    assert question_kind("What is going well?") == "good"
    assert question_kind("What don't you like about your home?") == "improve"
    assert question_kind("Who makes you feel unsafe?") == "risk"
    assert question_kind(None) == "open"


def test_sentiment_evidence_says_why():
    ev = classify("nothing", question="What could be better?")["evidence"]["sentiment"]
    assert ev["source"].startswith("rule:non-answer")
    ev = classify("the meeting was too long and confusing")["evidence"]["sentiment"]
    assert ev["label"] == "negative" and ev["cues"]
