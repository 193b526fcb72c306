"""The labelled training set and the risk phrase lists keep their format and their coverage.

The model is trained on voice_service/analysis/training_data/*.jsonl and the non-English
safety net reads voice_service/analysis/lexicons/*.toml; a malformed record, an unknown
theme, a thin category or a phrase list that misses its own language's disclosures would
quietly weaken both, so these checks fail loudly instead.
"""
import collections
import json
import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

ANALYSIS = Path(__file__).resolve().parents[2] / "voice_service" / "analysis"
DATA = ANALYSIS / "training_data"
LEXICONS = ANALYSIS / "lexicons"

HARM = {
    "physical_abuse", "sexual_abuse", "emotional_abuse", "neglect", "domestic_abuse",
    "self_harm_suicide", "going_missing", "exploitation", "online_harm",
    "parent_fear_of_harming", "relayed_disclosure", "institutional_harm",
    "fear_without_abuse_words", "fgm_honour_forced_marriage", "radicalisation",
}
HARD_NEGATIVE = {
    "figure_of_speech", "games_films_sport", "harmless_keyword", "poverty_not_neglect",
    "bullying_no_threat", "harm_stopped_known", "service_complaint",
}
THEMES = {
    "listened_to", "understanding", "worker_relationship", "family_contact", "home_and_care",
    "safety", "education", "health_wellbeing", "meetings", "support_services",
    "identity_culture", "rights_advocacy", "friends_activities", "communication",
}
RESPONDENTS = {"child", "young_person", "young_adult", "parent", "carer"}
AGE_BANDS = {"under_8", "8_12", "13_17", "18_25", "adult"}
OTHER_LANGUAGES = {"bn", "so", "ar", "ur", "pt", "tr", "pl", "ro", "es", "fr"}
LANGUAGES = OTHER_LANGUAGES | {"en"}
SENTIMENTS = {"positive", "neutral", "negative"}
KEYS = {"id", "text", "question", "respondent", "age_band", "language", "category",
        "safeguarding", "themes", "sentiment"}
STATUS = "draft: awaiting a qualified translator"


def load_records():
    records = []
    for path in sorted(DATA.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.strip(), f"{path.name}:{number} is blank"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                pytest.fail(f"{path.name}:{number} is not JSON: {error}")
            records.append((path.stem, number, record))
    return records


RECORDS = load_records()


def test_every_record_has_the_contract_format():
    assert RECORDS, "no training data found"
    for stem, number, r in RECORDS:
        where = f"{stem}.jsonl:{number}"
        assert set(r) == KEYS, f"{where}: keys {sorted(set(r) ^ KEYS)}"
        assert isinstance(r["text"], str) and r["text"].strip(), where
        assert r["question"] is None or (isinstance(r["question"], str) and r["question"]), where
        assert r["respondent"] in RESPONDENTS, where
        assert r["age_band"] in AGE_BANDS, where
        assert r["language"] in LANGUAGES, where
        assert r["category"] == stem, f"{where}: category {r['category']} in {stem}.jsonl"
        assert r["category"] in HARM | HARD_NEGATIVE | {"everyday"}, where
        assert r["safeguarding"] is (r["category"] in HARM), where
        assert isinstance(r["themes"], list) and set(r["themes"]) <= THEMES, where
        assert len(set(r["themes"])) == len(r["themes"]), f"{where}: repeated theme"
        assert r["sentiment"] in SENTIMENTS, where
        if r["respondent"] in {"parent", "carer"}:
            assert r["age_band"] == "adult", where


def test_ids_are_unique():
    counts = collections.Counter(r["id"] for _, _, r in RECORDS)
    assert [i for i, n in counts.items() if n > 1] == []


def normalised(text):
    return re.sub(r"[^\w]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def test_no_record_repeats_or_nearly_repeats_another():
    seen = {}
    for stem, number, r in RECORDS:
        key = normalised(r["text"])
        # Very short answers ("nothing", "no") legitimately recur under different questions.
        if len(key.split()) <= 2:
            key = (key, r["question"])
        assert key not in seen, f"{stem}:{number} repeats {seen[key]}"
        seen[key] = f"{stem}:{number}"
    by_file = collections.defaultdict(list)
    for stem, number, r in RECORDS:
        words = set(normalised(r["text"]).split())
        if len(words) >= 6:
            by_file[stem].append((number, words))
    for stem, items in by_file.items():
        for i, (n1, a) in enumerate(items):
            for n2, b in items[i + 1:]:
                overlap = len(a & b) / len(a | b)
                assert overlap < 0.8, f"{stem}: lines {n1} and {n2} are near-duplicates"


def test_every_category_has_enough_examples():
    counts = collections.Counter(r["category"] for _, _, r in RECORDS)
    thin = {c: counts[c] for c in HARM | HARD_NEGATIVE if counts[c] < 40}
    assert thin == {}
    assert counts["everyday"] >= 600


def test_everyday_answers_cover_every_theme_with_balanced_sentiment():
    everyday = [r for _, _, r in RECORDS if r["category"] == "everyday"]
    themes = collections.Counter(t for r in everyday for t in r["themes"])
    assert {t: themes[t] for t in THEMES if themes[t] < 25} == {}
    sentiments = collections.Counter(r["sentiment"] for r in everyday)
    for sentiment in SENTIMENTS:
        assert sentiments[sentiment] >= len(everyday) / 4, sentiments


def test_every_voice_and_language_is_present():
    records = [r for _, _, r in RECORDS]
    assert {r["age_band"] for r in records} == AGE_BANDS
    assert {r["respondent"] for r in records} == RESPONDENTS
    for language in OTHER_LANGUAGES:
        mine = [r for r in records if r["language"] == language]
        disclosures = sum(r["safeguarding"] for r in mine)
        assert disclosures >= 10, (language, disclosures)
        assert len(mine) - disclosures >= 10, (language, len(mine) - disclosures)
    for age_band in AGE_BANDS:
        assert sum(r["safeguarding"] and r["age_band"] == age_band for r in records) >= 10


# --- the risk phrase lists -------------------------------------------------------------

ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
ARABIC_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه",
                              "ی": "ي", "ک": "ك", "ہ": "ه", "ۃ": "ه"})


def fold(text):
    """The normalisation the lexicon README specifies for phrases and answers alike."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    text = ARABIC_MARKS.sub("", text).translate(ARABIC_FOLDS)
    return re.sub(r"\s+", " ", text)


def is_word_char(char):
    return unicodedata.category(char)[0] in "LMN"


def prepared(phrase):
    """A phrase in the form it is matched in: folded, and whether it ends in *."""
    return fold(phrase.rstrip("*")), phrase.endswith("*")


def found(prepared_phrase, text):
    """README rule: boundaries at both ends (not a letter, mark or digit); a final * drops the end one."""
    phrase, starred = prepared_phrase
    start = text.find(phrase)
    while start != -1:
        end = start + len(phrase)
        if (start == 0 or not is_word_char(text[start - 1])) and (
                starred or end == len(text) or not is_word_char(text[end])):
            return True
        start = text.find(phrase, start + 1)
    return False


def matches(phrase, text):
    return found(prepared(phrase), text)


def load_lexicons():
    return {path.stem: tomllib.loads(path.read_text(encoding="utf-8"))
            for path in sorted(LEXICONS.glob("*.toml"))}


LEXICON_FILES = load_lexicons()


def phrases_of(lexicon):
    return [p for c in lexicon["categories"].values() for p in c["phrases"]]


def test_every_lexicon_is_marked_draft_and_well_formed():
    assert set(LEXICON_FILES) == LANGUAGES
    for language, lexicon in LEXICON_FILES.items():
        assert lexicon["status"] == STATUS, language
        assert lexicon["language"] == language
        assert set(lexicon["categories"]) <= HARM, language
        assert len(lexicon["categories"]) >= 10, language
        for category, table in lexicon["categories"].items():
            assert table["phrases"], (language, category)
            for phrase in table["phrases"]:
                assert isinstance(phrase, str) and phrase.strip("* ") == phrase.rstrip("*").strip(), (language, phrase)
                assert "*" not in phrase[:-1], (language, phrase)
        crisis = lexicon["crisis"]["phrases"]
        assert crisis, language
        self_harm = {fold(p) for p in lexicon["categories"]["self_harm_suicide"]["phrases"]}
        assert {fold(p) for p in crisis} <= self_harm, language


def answer_matches(lexicon_phrases, text):
    folded = fold(text)
    return [p for p in lexicon_phrases if found(PREPARED[p], folded)]


PREPARED = {p: prepared(p) for lexicon in LEXICON_FILES.values()
            for p in phrases_of(lexicon) + lexicon["crisis"]["phrases"]}


@pytest.mark.parametrize("language", sorted(OTHER_LANGUAGES))
def test_each_language_list_finds_its_disclosures_and_leaves_ordinary_answers(language):
    phrases = phrases_of(LEXICON_FILES[language])
    mine = [r for _, _, r in RECORDS if r["language"] == language]
    disclosures = [r for r in mine if r["safeguarding"]]
    missed = [r["id"] for r in disclosures if not answer_matches(phrases, r["text"])]
    assert len(missed) <= len(disclosures) // 10, missed
    alarms = {r["id"]: answer_matches(phrases, r["text"]) for r in mine if not r["safeguarding"]}
    assert {k: v for k, v in alarms.items() if v} == {}


@pytest.mark.parametrize("language", sorted(OTHER_LANGUAGES))
def test_crisis_phrases_find_suicidal_words_but_not_a_figure_of_speech(language):
    crisis = LEXICON_FILES[language]["crisis"]["phrases"]
    mine = [r for _, _, r in RECORDS if r["language"] == language]
    for r in mine:
        hits = answer_matches(crisis, r["text"])
        if r["category"] == "self_harm_suicide":
            assert hits, r["id"]
        if r["category"] == "figure_of_speech":
            assert not hits, (r["id"], hits)


def test_a_phrase_is_not_found_inside_a_longer_word():
    assert matches("ma omor", fold("ma omor"))
    assert not matches("mă omor", fold("mama mă omoară dacă pic"))
    assert matches("beni döv*", fold("babam beni dövüyor"))
    assert matches("يضربني", fold("أبي يَضْرِبُنِي"))


def test_no_other_language_list_fires_on_an_ordinary_answer_in_any_language():
    # The analysis checks every list against every answer (people mix languages), so a
    # Portuguese phrase must not fire on a Spanish or English everyday answer either.
    phrases = {language: phrases_of(LEXICON_FILES[language]) for language in OTHER_LANGUAGES}
    alarms = {}
    for _, _, r in RECORDS:
        if not r["safeguarding"]:
            for language, mine in phrases.items():
                hits = answer_matches(mine, r["text"])
                if hits:
                    alarms[r["id"]] = (language, hits)
    assert alarms == {}
