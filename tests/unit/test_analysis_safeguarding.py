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


def _jsonl(name: str) -> list[dict]:
    import json

    with open(LABELLED.with_name(name), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _flags(records: list[dict], model=None) -> dict:
    from voice_service.analysis.evaluate import binary
    from voice_service.analysis.pipeline import classify_many

    results = classify_many([(r["text"], r.get("question")) for r in records], model=model)
    return binary([r["safeguarding"] for r in records], [x["safeguarding"] for x in results])


def test_held_out_disclosures_and_hard_non_disclosures_by_the_rules():
    # 40 new disclosures and 40 hard non-disclosures (films, games, "killing it", resolved past,
    # jokes). Written before the patterns were changed: the rules then found 15 of 40 (recall
    # 0.375) with precision 0.60. The patterns were then improved ON THIS SET (now 1.00 / 1.00),
    # so this floor guards the work against regressions; it does not measure new phrasings.
    result = _flags(_jsonl("safeguarding_holdout.jsonl"))
    assert result["recall"] >= 0.95
    assert result["precision"] >= 0.9


def test_fresh_phrasings_rules_with_a_trained_flag():
    # A second set of 20 + 20, written after the pattern changes and never used to change them.
    # Measured: the rules alone 0.55 recall / 0.73 precision; with the trained flag (trained on
    # the labelled set and the first held-out set) as an OR: 0.95 / 0.68. The trained flag is what
    # carries recall to phrasings nobody wrote a pattern for; it costs false alarms.
    from voice_service.analysis.evaluate import load_labelled, to_examples
    from voice_service.analysis.model import TextModel

    fresh = _jsonl("safeguarding_holdout_2.jsonl")
    rules = _flags(fresh)
    assert rules["recall"] >= 0.5
    train = load_labelled(LABELLED) + _jsonl("safeguarding_holdout.jsonl")
    model = TextModel(tune_thresholds=False).fit(to_examples(train))
    both = _flags(fresh, model=model)
    assert both["recall"] >= 0.85
    assert both["precision"] >= 0.6
    assert both["recall"] > rules["recall"]


def test_a_worry_resolved_in_the_past_is_not_flagged_but_past_abuse_is():
    assert not check("i ran away once ages ago but that's all sorted now and i'm happy here").flag
    assert not check("when i was little we had no heating but now we have a nice flat").flag
    assert check("i ran away once ages ago but now i am scared again").flag
    assert check("mum used to drink but she stopped, now she is drinking again").flag
    assert check("when i was little dad hit me but i am safe now").flag  # abuse is always for a person
