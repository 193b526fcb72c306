"""The fresh evaluation set is well formed, so `analyse evaluate` scores what its README promises.

These checks read only the labels' shape and counts; nothing here (or anywhere but the evaluate
command) may use the set to train or tune the classifier.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

FRESH = Path(__file__).resolve().parents[1] / "data" / "fresh_eval"

HARM = (
    "physical_abuse", "sexual_abuse", "emotional_abuse", "neglect", "domestic_abuse",
    "self_harm_suicide", "going_missing", "exploitation", "online_harm", "parent_fear_of_harming",
    "relayed_disclosure", "institutional_harm", "fear_without_abuse_words",
    "fgm_honour_forced_marriage", "radicalisation",
)
HARD_NEGATIVE = (
    "figure_of_speech", "games_films_sport", "harmless_keyword", "poverty_not_neglect",
    "bullying_no_threat", "harm_stopped_known", "service_complaint", "everyday",
)
UNREADABLE = "unreadable"
# THEMES.md v1.1: the shared vocabulary of theme ids.
THEMES = {
    "listened_to", "understanding", "worker_relationship", "family_contact", "home_and_care",
    "safety", "education", "health_wellbeing", "meetings", "support_services", "identity_culture",
    "rights_advocacy", "friends_activities", "communication",
}
OTHER_LANGUAGES = ("bn", "so", "ar", "ur", "pt", "tr", "pl", "ro", "es", "fr")
LANGUAGES = {"en", *OTHER_LANGUAGES}
RESPONDENT_AGES = {
    "child": {"under_8", "8_12"}, "young_person": {"13_17"}, "young_adult": {"18_25"},
    "parent": {"adult"}, "carer": {"adult"},
}
KEYS = {"id", "text", "question", "respondent", "age_band", "language", "category",
        "safeguarding", "themes", "sentiment"}
SENTIMENTS = {"positive", "neutral", "negative"}


def load(category: str) -> list[dict]:
    path = FRESH / f"{category}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


ALL = {c: load(c) for c in (*HARM, *HARD_NEGATIVE, UNREADABLE)}
RECORDS = [r for records in ALL.values() for r in records]


def test_no_stray_files():
    names = {p.name for p in FRESH.iterdir()}
    assert names == {f"{c}.jsonl" for c in ALL} | {"README.md"}


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["id"])
def test_record_has_the_contract_format(record):
    assert set(record) == KEYS
    assert isinstance(record["text"], str) and record["text"].strip()
    assert record["question"] is None or (isinstance(record["question"], str) and record["question"].endswith("?"))
    assert record["age_band"] in RESPONDENT_AGES[record["respondent"]]
    assert record["sentiment"] in SENTIMENTS
    assert isinstance(record["themes"], list) and len(set(record["themes"])) == len(record["themes"])
    assert set(record["themes"]) <= THEMES
    assert record["safeguarding"] is (record["category"] in HARM)
    if record["category"] == UNREADABLE:
        assert record["language"] == "und" and record["themes"] == []
    else:
        assert record["language"] in LANGUAGES


@pytest.mark.parametrize("category", ALL)
def test_each_file_holds_one_category_with_matching_ids(category):
    records = ALL[category]
    assert {r["category"] for r in records} == {category}
    prefixes = {re.fullmatch(r"FE-([A-Z]{3})-\d{3}", r["id"]).group(1) for r in records}
    assert len(prefixes) == 1


def test_ids_unique_across_the_set():
    counts = Counter(r["id"] for r in RECORDS)
    assert [i for i, n in counts.items() if n > 1] == []
    prefixes = {c: r["id"].split("-")[1] for c, records in ALL.items() for r in records}
    assert len(set(prefixes.values())) == len(ALL)


def test_no_duplicate_or_near_duplicate_texts():
    exact = Counter(" ".join(r["text"].lower().split()) for r in RECORDS)
    assert [t for t, n in exact.items() if n > 1] == []
    # Longer answers must differ in their words, not just in punctuation or emoji.
    words = Counter(" ".join(re.findall(r"\w+", r["text"].lower())) for r in RECORDS if len(r["text"].split()) >= 4)
    assert [t for t, n in words.items() if n > 1] == []


@pytest.mark.parametrize("category", (*HARM, *HARD_NEGATIVE))
def test_minimum_count_per_category(category):
    minimum = 150 if category == "everyday" else 20
    assert len(ALL[category]) >= minimum


def test_some_unreadable_lines():
    assert len(ALL[UNREADABLE]) >= 5


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_each_language_has_disclosures_and_ordinary_answers(language):
    in_language = [r for r in RECORDS if r["language"] == language]
    assert sum(r["safeguarding"] for r in in_language) >= 3
    assert sum(r["category"] == "everyday" for r in in_language) >= 3


def test_everyday_covers_every_theme_with_balanced_sentiment():
    everyday = ALL["everyday"]
    themes = Counter(t for r in everyday for t in r["themes"])
    assert {t: themes[t] for t in THEMES if themes[t] < 8} == {}
    sentiments = Counter(r["sentiment"] for r in everyday)
    assert min(sentiments[s] for s in SENTIMENTS) >= len(everyday) // 5


def test_every_age_band_and_respondent_is_represented():
    disclosures = [r for r in RECORDS if r["safeguarding"]]
    assert {r["age_band"] for r in disclosures} == {"under_8", "8_12", "13_17", "18_25", "adult"}
    assert {r["respondent"] for r in RECORDS} == set(RESPONDENT_AGES)
    ages = Counter(r["age_band"] for r in disclosures)
    assert min(ages.values()) >= 10
