"""The conversation engine, as a person texting would notice it."""
from __future__ import annotations

import pytest

from voice_service.conversation import (
    ServiceInfo,
    StoredAnswer,
    choice_prompt,
    command,
    handle,
    help_text,
    parse_answer,
    parse_choice,
    start,
)
from tests.support.surveys import SCALE, sample_survey  # noqa: F401  (test_sms_webhook still imports it from here)
from voice_service.surveys import Wording

SURVEY = sample_survey()


def q(qid):
    return SURVEY.question(qid)


def walk(*texts, survey=SURVEY):
    """Start, then send each text; return every turn."""
    turns = [start(survey)]
    for text in texts:
        turns.append(handle(survey, turns[-1].state, text))
    return turns


# Reading answers ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("4", "4"), (" 4. ", "4"), ("4/5", "4"), ("4 out of 5", "4"), ("four", "4"), ("Five!", "5"),
    ("😀", "5"), ("🙂", "4"), ("😐", "3"), ("🙁", "2"), ("😢", "1"), ("😭", "1"), ("😊", "4"),
    ("👍🏽", "4"), ("happy", "4"), ("Very Happy", "5"), ("ok", "3"),
])
def test_scale_understands_numbers_words_labels_and_emoji(text, expected):
    parsed = parse_answer(q("feel"), text)
    assert parsed.ok and parsed.value == expected


@pytest.mark.parametrize("text", ["", "   ", "6", "0", "3 or 4", "😀😢", "banana", "12345678901234567890"])
def test_scale_refuses_what_it_cannot_read(text):
    assert not parse_answer(q("feel"), text).ok


@pytest.mark.parametrize("text, expected", [
    ("y", "yes"), ("Yes", "yes"), ("YEAH", "yes"), ("yep", "yes"), ("yes please", "yes"), ("👍", "yes"),
    ("n", "no"), ("nah", "no"), ("Nope.", "no"), ("no thanks", "no"), ("not really", "no"),
    ("ns", "not_sure"), ("dont know", "not_sure"), ("Not sure", "not_sure"), ("1", "yes"), ("2", "no"),
])
def test_yes_no_understands_common_forms(text, expected):
    parsed = parse_answer(q("know_why"), text)
    assert parsed.ok and parsed.value == expected


def test_extra_words_are_kept_as_free_text_so_they_are_read():
    turns = walk("2 because nobody listens to me")
    assert turns[-1].store == [StoredAnswer("feel", "2", "2 because nobody listens to me", False)]
    turns = walk("4")
    assert turns[-1].store == [StoredAnswer("feel", "4", None, False)]


@pytest.mark.parametrize("text, expected", [
    ("a", "home"), ("B", "school"), ("(c)", "phone"), ("3", "phone"), ("call", "phone"),
    ("at school", "school"), ("School", "school"), ("b)", "school"),
])
def test_single_choice_by_letter_number_label_or_key(text, expected):
    parsed = parse_answer(q("where"), text)
    assert parsed.ok and parsed.value == expected


@pytest.mark.parametrize("text, expected", [
    ("1 3", ["friends", "school"]), ("1,3", ["friends", "school"]), ("a and d", ["friends", "clubs"]),
    ("friends, family", ["friends", "family"]), ("2", ["family"]), ("two and four", ["family", "clubs"]),
    ("1 1 2", ["friends", "family"]),
])
def test_multiple_choice_takes_several(text, expected):
    parsed = parse_answer(q("helps"), text)
    assert parsed.ok and parsed.value == expected


@pytest.mark.parametrize("text", ["1 9", "friends and cake", "", "z"])
def test_multiple_choice_refuses_anything_it_cannot_place(text):
    assert not parse_answer(q("helps"), text).ok


def test_advocate_cannot_be_both_no_thanks_and_an_advocate():
    assert not parse_answer(q("advocate"), "1 3").ok
    assert parse_answer(q("advocate"), "1 2").value == ["advocate", "speak_to_chair"]


def test_free_text_of_any_length_is_kept_whole():
    long = "word " * 2000 + "end"
    turns = walk("4", long)
    assert turns[-1].store[0].free_text == long.strip()


@pytest.mark.parametrize("text, expected", [
    ("SKIP", "skip"), ("skip!", "skip"), ("Back", "back"), ("?", "repeat"), ("???", "repeat"),
    ("repeat", "repeat"), ("HELP", "help"), ("help me", "help"), ("4", None), ("skip school", None),
])
def test_commands(text, expected):
    assert command(text) == expected


# The conversation ---------------------------------------------------------------------------

def test_start_greets_and_asks_the_first_question_with_its_options():
    turn = start(SURVEY)
    assert "8 questions" in turn.reply and "SKIP" in turn.reply and "HELP" in turn.reply
    assert "(1/8) How do you feel about the meeting?" in turn.reply
    assert "1 Very unhappy" in turn.reply and "5 Very happy" in turn.reply
    assert turn.store == [] and not turn.finished and turn.events == ["started"]


def test_options_are_not_listed_twice_when_the_wording_already_says_reply():
    from dataclasses import replace

    worded = replace(q("feel"), wording=Wording("How?", "How do you feel? Reply 1 very unhappy to 5 very happy"))
    turn = start(sample_survey(questions=(worded,) + SURVEY.questions[1:]))
    assert "Reply 1 very unhappy to 5 very happy" in turn.reply and "1 Very unhappy" not in turn.reply


def test_a_whole_conversation_stores_every_answer_and_finishes():
    turns = walk("5", "Everyone was kind", "yeah", "b", "1 2", "no", "a", "3")
    stored = [s for t in turns for s in t.store]
    assert stored == [
        StoredAnswer("feel", "5"), StoredAnswer("feel_why", None, "Everyone was kind"),
        StoredAnswer("know_why", "yes"), StoredAnswer("where", "school"),
        StoredAnswer("helps", ["friends", "family"]), StoredAnswer("say", None, "no"),
        StoredAnswer("visibility", "chair_only"), StoredAnswer("advocate", ["no_thanks"]),
    ]
    assert turns[-1].finished and "finished" in turns[-1].events
    assert turns[-1].reply == "Thank you. Your answers have been saved. Family Voice"
    after = handle(SURVEY, turns[-1].state, "hello?")
    assert after.finished and after.store == [] and "answered all the questions" in after.reply


def test_asking_for_an_advocate_is_an_event():
    turns = walk("skip", "skip", "skip", "skip", "skip", "skip", "1")
    assert "advocate_requested" in turns[-1].events and turns[-1].finished


def test_skip_stores_a_skip_and_passes_the_follow_up_of_a_skipped_question():
    turns = walk("skip")
    assert turns[-1].store == [StoredAnswer("feel", skipped=True)]
    assert "Do you know why we are meeting?" in turns[-1].reply  # not "why did you choose that?"


def test_back_goes_to_the_previous_question_and_a_new_answer_replaces_it():
    turns = walk("4", "It was fine", "back")
    assert "Why did you choose that?" in turns[-1].reply and turns[-1].store == []
    again = handle(SURVEY, turns[-1].state, "It was OK really")
    assert again.store == [StoredAnswer("feel_why", None, "It was OK really")]
    first = walk("back")[-1]
    assert "first question" in first.reply and "How do you feel" in first.reply


def test_repeat_and_question_mark_ask_again():
    for text in ("REPEAT", "?"):
        turn = walk(text)[-1]
        assert turn.reply.startswith("(1/8) How do you feel") and turn.store == []


def test_help_says_who_we_are_a_phone_number_and_childline_then_asks_again():
    turn = handle(SURVEY, start(SURVEY).state, "help", service=ServiceInfo("Northbridge Voice", "020 7946 0999"))
    assert "Northbridge Voice" in turn.reply and "020 7946 0999" in turn.reply and "0800 1111" in turn.reply
    assert "How do you feel" in turn.reply and turn.events == ["help"]


def test_unreadable_answer_gets_an_example_then_an_offer_to_skip():
    turns = walk("banana", "banana again")
    assert "1 to 5" in turns[1].reply and "SKIP" not in turns[1].reply
    assert "SKIP" in turns[2].reply and "skip_offered" in turns[2].events
    answered = handle(SURVEY, turns[2].state, "3")
    assert answered.store == [StoredAnswer("feel", "3")] and answered.state["tries"] == 0


def test_required_question_cannot_be_skipped():
    from dataclasses import replace

    survey = sample_survey(questions=(replace(q("where"), required=True),) + SURVEY.questions[2:])
    turn = handle(survey, start(survey).state, "skip")
    assert turn.store == [] and "needs an answer" in turn.reply


def test_first_message_starts_the_conversation_and_is_not_taken_as_an_answer():
    turn = handle(SURVEY, None, "5")
    assert turn.store == [] and "(1/8)" in turn.reply and turn.events == ["started"]


def test_resumes_where_it_stopped_from_stored_state():
    import json

    state = json.loads(json.dumps(walk("4", "fine", "y")[-1].state))  # as stored in the database
    turn = handle(SURVEY, state, "c")
    assert turn.store == [StoredAnswer("where", "phone")]


def test_a_state_from_a_changed_survey_picks_up_at_the_first_unanswered_question():
    turn = handle(SURVEY, {"started": True, "current": "gone", "history": ["feel", "feel_why"]}, "y")
    assert turn.store == [StoredAnswer("know_why", "yes")]


def test_help_text_and_choice_prompt_are_neutral():
    text = help_text()
    assert "0800 1111" in text and "STOP" in text
    prompt = choice_prompt(["Tuesday 14 January", "Thursday 16 January"])
    assert "Reply 1 for the meeting on Tuesday 14 January" in prompt
    assert parse_choice("2", 2) == 1 and parse_choice("one", 2) == 0 and parse_choice("b", 2) == 1
    assert parse_choice("3", 2) is None and parse_choice("hello", 2) is None
