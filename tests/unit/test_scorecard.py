"""The "What good looks like" scorecard: mapping from data, classification, suppressed shares."""
import pytest

from voice_service.learning import scorecard


def _ms():
    return scorecard.parse_mapping({"measures": [
        {"id": "listened_to", "label": "Feel listened to",
         "questions": [{"id": "listened_to", "yes": ["agree", "strongly_agree", "always", "yes"]}]},
        {"id": "it_happened", "label": "It happened", "source": "follow_up", "yes": ["yes"], "counted": ["yes", "no", "partly"]},
    ]})


def _row(value, n, service="cp", team="north", month="2026-10", meeting_type="cp_conference", question_id="listened_to"):
    return {"question_id": question_id, "value": value, "n": n, "service": service, "team": team, "month": month,
            "meeting_type": meeting_type}


def test_the_real_mapping_file_loads_and_names_the_five_measures_and_the_follow_up():
    ids = [m.id for m in scorecard.measures()]
    assert ids[:5] == ["understand_why", "listened_to", "seen_alone", "complain_or_advocate", "report_in_time"]
    assert "it_happened" in ids


@pytest.mark.parametrize("bad, message", [
    ({"measures": []}, "no measures"),
    ({"measures": [{"id": "x", "label": "X", "questions": []}]}, "lists no questions"),
    ({"measures": [{"id": "x", "label": "X", "questions": [{"id": "q"}]}]}, "answers that count as yes"),
    ({"measures": [{"id": "x", "label": "X", "questions": [{"id": "q", "yes": ["y"]}]}] * 2}, "unique id"),
])
def test_a_malformed_mapping_says_what_is_wrong(bad, message):
    with pytest.raises(scorecard.MappingError, match=message):
        scorecard.parse_mapping(bad)


def test_scale_answers_count_as_yes_only_at_the_positive_end_and_follow_ups_count_too():
    rows = scorecard.classify([_row('"agree"', 3), _row('"disagree"', 2), _row('"not_sure"', 1),
                               {"source": "follow_up", "answer": "yes", "n": 4, "service": "cp"},
                               {"source": "follow_up", "answer": "not_sure", "n": 9, "service": "cp"}], _ms())
    listened = [(r["yes"], r["n"]) for r in rows if r["measure"] == "listened_to"]
    assert listened == [(True, 3), (False, 2), (False, 1)]
    assert [(r["yes"], r["n"]) for r in rows if r["measure"] == "it_happened"] == [(True, 4)]  # not sure: not counted


def test_shares_by_service_with_small_numbers_hidden():
    ms = _ms()
    rows = scorecard.classify([
        _row('"agree"', 30, service="cp"), _row('"disagree"', 10, service="cp"),
        _row('"agree"', 20, service="cin"), _row('"disagree"', 20, service="cin"),
        _row('"agree"', 15, service="cla"), _row('"disagree"', 5, service="cla"),
        _row('"agree"', 1, service="yjs"), _row('"disagree"', 1, service="yjs"),
    ], ms)
    card = scorecard.build(rows, ms, threshold=5)
    ids, labels, scores = card.by["service"]
    by = dict(zip(ids, scores["listened_to"]))
    assert by["yjs"].share is None  # two people: hidden
    shown = [by[s].share for s in ("cp", "cin", "cla") if by[s].share is not None]
    assert shown and all(0 < s < 1 for s in shown)
    assert by["cin"].share in (None, 0.5)
    # Nothing hidden can be worked out: the hidden answered counts are never alone in a sum.
    hidden_answered = [s for s in ids if by[s].answered is None]
    overall = card.overall["listened_to"]
    assert len(hidden_answered) != 1 or overall.answered is None


def test_everything_hidden_when_there_are_too_few_answers():
    ms = _ms()
    card = scorecard.build(scorecard.classify([_row('"agree"', 2)], ms), ms, threshold=5)
    assert card.everything_suppressed
    assert scorecard.share_label(card.overall["listened_to"]) == "[c]"
