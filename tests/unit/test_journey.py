"""The journey's pure functions: next and previous page, resuming, progress, check rows."""
from __future__ import annotations

from voice_service.journey import (
    CHECK, START, Given, check_rows, fill_placeholders, missing_required, next_page, previous_page, progress,
    resume_page, visible_questions,
)
from tests.support.public_survey import sample_survey

SURVEY = sample_survey()
ALL = [q.id for q in SURVEY.questions]


def ids(answers):
    return [q.id for q in visible_questions(SURVEY, answers)]


def test_a_follow_up_is_shown_only_after_its_question_is_answered():
    assert "feelings_why" not in ids({})
    assert "feelings_why" not in ids({"feelings": Given(skipped=True)})
    assert "feelings_why" in ids({"feelings": Given(value="ok")})


def test_next_and_previous_follow_the_questions_shown():
    answered = {"feelings": Given(value="ok")}
    assert next_page(SURVEY, {}, START) == "feelings"
    assert next_page(SURVEY, {}, "feelings") == "activities"
    assert next_page(SURVEY, answered, "feelings") == "feelings_why"
    assert previous_page(SURVEY, answered, "activities") == "feelings_why"
    assert previous_page(SURVEY, {}, "activities") == "feelings"
    assert previous_page(SURVEY, {}, "feelings") == START
    assert next_page(SURVEY, {}, "advocate") == CHECK
    assert previous_page(SURVEY, {}, CHECK) == "advocate"


def test_a_follow_up_that_is_no_longer_shown_carries_on_after_it():
    assert next_page(SURVEY, {"feelings": Given(skipped=True)}, "feelings_why") == "activities"


def test_resume_is_the_first_question_not_yet_answered_or_skipped():
    assert resume_page(SURVEY, {}) == "feelings"
    assert resume_page(SURVEY, {"feelings": Given(skipped=True)}) == "activities"
    assert resume_page(SURVEY, {"feelings": Given(value="ok")}) == "feelings_why"
    everything = {q: Given(skipped=True) for q in ALL}
    assert resume_page(SURVEY, everything) == CHECK


def test_progress_counts_the_questions_this_person_sees():
    assert progress(SURVEY, {}, "activities").number == 2
    assert progress(SURVEY, {}, "activities").total == len(ALL) - 1
    shown = progress(SURVEY, {"feelings": Given(value="sad")}, "activities")
    assert (shown.number, shown.total, shown.percent) == (3, len(ALL), round(300 / len(ALL)))


def test_required_questions_without_an_answer_block_sending():
    assert missing_required(SURVEY, {}) == ["feel_safe"]
    assert missing_required(SURVEY, {"feel_safe": Given(skipped=True)}) == ["feel_safe"]
    assert missing_required(SURVEY, {"feel_safe": Given(value="no")}) == []


def test_check_rows_show_labels_in_survey_order_free_text_and_skips():
    rows = {r.question_id: r for r in check_rows(SURVEY, {
        "feelings": Given(value="happy"),
        "feelings_why": Given(free_text="  I like school  "),
        "activities": Given(value=["games", "sport"]),
        "worries": Given(skipped=True),
    })}
    assert rows["feelings"].answer == ("Happy",)
    assert rows["feelings_why"].answer == ("I like school",)
    assert rows["activities"].answer == ("Sport", "Games")
    assert rows["worries"].skipped and rows["worries"].answer == ()
    assert rows["feel_safe"].skipped  # not answered yet
    assert list(rows) == ids({"feelings": Given(value="happy")})


def test_check_rows_use_easy_read_wording_when_asked():
    rows = check_rows(SURVEY, {}, easy_read=True)
    assert rows[0].question == "How do you feel?"
    assert check_rows(SURVEY, {})[0].question == "How do you feel about your life at the moment?"


def test_an_answer_for_an_option_that_no_longer_exists_shows_nothing_rather_than_an_id():
    rows = check_rows(SURVEY, {"feelings": Given(value="ecstatic")})
    assert rows[0].answer == ()


def test_placeholders_are_filled_and_unknown_ones_left_alone():
    filled = fill_placeholders(SURVEY, {"service": "Family Voice", "phone": "020 7946 0000"})
    assert filled.intro.endswith("Questions? Call Family Voice on 020 7946 0000.")
    odd = fill_placeholders(SURVEY, {})
    assert "{phone}" in odd.intro
