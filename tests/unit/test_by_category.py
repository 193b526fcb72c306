"""Scoring a set by category: recall per kind of harm and age band, false alarms per 1,000."""
from voice_service.analysis.by_category import format_report, load_set, score

RECORDS = [
    {"text": "he hits me", "category": "physical_abuse", "age_band": "8_12", "language": "en", "safeguarding": True,
     "themes": ["safety"], "sentiment": "negative"},
    {"text": "mum's bf touches me", "category": "sexual_abuse", "age_band": "13_17", "language": "en",
     "safeguarding": True, "themes": ["safety"], "sentiment": "negative"},
    {"text": "baba mi bije", "category": "physical_abuse", "age_band": "13_17", "language": "pl", "safeguarding": True,
     "themes": ["safety"], "sentiment": "negative"},
    {"text": "got killed in fortnite lol", "category": "games_films_sport", "age_band": "13_17", "language": "en",
     "safeguarding": False, "themes": ["friends_activities"], "sentiment": "positive"},
    {"text": "school is ok", "category": "everyday", "age_band": "8_12", "language": "en", "safeguarding": False,
     "themes": ["education"], "sentiment": "neutral"},
]


def fake(text, question):
    flagged = "hits" in text or "killed" in text
    return {"safeguarding": flagged, "themes": ["safety"] if flagged else ["education"],
            "sentiment": "negative" if flagged else "neutral"}


def test_recall_false_alarms_and_languages_are_counted_per_category():
    result = score(RECORDS, fake)
    assert result["recall"] == 1 / 3 and result["precision"] == 0.5
    assert result["false_alarms_per_1000"] == 500  # one of the two answers that are not disclosures
    assert result["by_category"]["physical_abuse"] == {"flagged": 1, "of": 2, "disclosures": True}
    assert result["by_category"]["games_films_sport"] == {"flagged": 1, "of": 1, "disclosures": False}
    assert result["recall_by_age_band"] == {"13_17": 0.0, "8_12": 1.0}
    assert result["other_languages"] == {"found": 0, "of": 1}
    report = format_report(result)
    assert "| physical_abuse | disclosure (recall) | 1 | 2 | 0.50 |" in report
    assert "false alarms 500 per 1,000" in report


def test_a_folder_is_read_file_by_file_and_a_bad_line_is_named(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "x", "safeguarding": false}\n', encoding="utf-8")
    assert len(load_set(tmp_path)) == 1
    (tmp_path / "b.jsonl").write_text("not json\n", encoding="utf-8")
    try:
        load_set(tmp_path)
    except ValueError as error:
        assert "b.jsonl line 1" in str(error)
    else:
        raise AssertionError("a bad line must be refused")
