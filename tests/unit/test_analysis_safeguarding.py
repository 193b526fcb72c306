"""Safeguarding flags: disclosures a person must read today, without burying them in false alarms."""
from __future__ import annotations

from pathlib import Path

import pytest

from voice_service.analysis.evaluate import evaluate_rules, load_labelled
from voice_service.analysis.pipeline import classify
from voice_service.analysis.safeguarding import check

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled_answers.jsonl"
SAFETY_Q = "Is there anything or anyone that makes you feel unsafe or scared?"


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("she told me to keep it a secret", "keep it a secret"),
        ("please don't make me go back there", "make me go back"),
        ("i want to kms", "kms"),
        ("I dont feel safe at home", "dont feel safe"),
        ("my mums bf hits her wen hes drunk", "bf hits her"),
        ("im scard to go hom", "scard to go hom"),
        ("sum older boys give me money to hold stuff", "older boys"),
        ("i might hurt the baby, i cant cope anymore", "might hurt the baby"),
        ("wanna unalive myself ngl", "unalive myself"),
        ("sometimes i think about sucide", "sucide"),
        ("there is no food at home and i am hungry at school", "no food at home"),
        ("a man from snapchat wants to meet up and says not to tell my carers", "says not to tell"),
        ("He said if I leave he'll take the kids and kill me", "kill me"),
        ("i ran away last weekend", "ran away"),
    ],
)
def test_disclosures_are_flagged_with_the_words_that_triggered_them(text, evidence):
    result = check(text)
    assert result.flag, text
    assert any(evidence.lower() in e.lower() or e.lower() in evidence.lower() for e in result.evidence), result.evidence
    assert result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "we watched a scary film at my friends sleepover",
        "the new horror game is sick",
        "i been killing it at football this season",
        "i died laughing at the cinema lol",
        "my mum will kill me if i tell you i won the prize before her lol",
        "nobody hurts me",
        "I feel safe at home",
        "i cut my hair",
        "me and my friend have a secret handshake",
        "he hit me with the ball in PE",
        "my older brother takes me to the gym",
        "dying to start college",
    ],
)
def test_everyday_phrases_are_not_flagged(text):
    result = check(text)
    assert not result.flag, (text, result.evidence)


def test_the_question_is_read_an_answer_naming_someone_to_a_safety_question_is_flagged():
    assert check("my mums boyfriend", SAFETY_Q).flag
    assert not check("my mums boyfriend", "Who do you live with?").flag
    assert not check("no one", SAFETY_Q).flag
    assert not check("nothing im safe here", SAFETY_Q).flag


def test_classify_never_decides_it_only_flags_with_evidence_and_reason():
    result = classify("uncle touches me and says its our secret")
    assert result["safeguarding"] is True
    assert {"abuse_sexual", "secrecy"} <= set(result["evidence"]["safeguarding_reasons"])
    assert result["sentiment"] == "negative"


def test_recall_and_precision_on_the_labelled_set():
    # Measured 0.99 recall / 0.95 precision on 381 invented answers (105 disclosures). The same
    # author wrote the patterns and the answers, so these floors guard against regressions; they
    # are not a promise about new phrasings (see the report: first-look recall on 20 unseen
    # disclosures was 0.55 before their phrasings were added).
    result = evaluate_rules(load_labelled(LABELLED))["safeguarding"]
    assert result["recall"] >= 0.95
    assert result["precision"] >= 0.85
