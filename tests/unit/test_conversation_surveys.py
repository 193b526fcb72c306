"""Every real survey in surveys/ can be answered by text from start to finish."""
from __future__ import annotations

from functools import lru_cache

import pytest

from voice_service.config import PROJECT_ROOT
from voice_service.conversation import handle, parse_answer, start
from voice_service.messaging.segments import sms_segments
from voice_service.surveys import load_surveys


@lru_cache(maxsize=1)
def surveys():
    return load_surveys(PROJECT_ROOT / "surveys").all()


def ids():
    return [f"{s.id}.v{s.version}" for s in surveys()]


@pytest.fixture(params=range(len(surveys())), ids=ids())
def survey(request):
    return surveys()[request.param]


def reply_for(question) -> str:
    if question.kind == "free_text":
        return "Things are mostly fine"
    if question.kind == "advocate":
        return str(len(question.options))  # no thanks (always last)
    return "1"


def test_every_survey_can_be_answered_by_text_to_the_end(survey):
    turn = start(survey)
    stored = []
    for _ in range(len(survey.questions) + 1):
        if turn.finished:
            break
        question = survey.question(turn.state["current"])
        turn = handle(survey, turn.state, reply_for(question))
        assert turn.events[0] == "answered", (question.id, turn.reply)
        stored += turn.store
    assert turn.finished
    assert [s.question_id for s in stored] == [q.id for q in survey.questions]


def test_every_scale_understands_emoji_from_both_ends(survey):
    for question in survey.questions:
        if question.kind == "scale" and all(o.emoji for o in question.options):
            happiest = parse_answer(question, "😀").value
            saddest = parse_answer(question, "😢").value
            assert happiest and saddest and happiest != saddest, question.id


def test_every_question_prompt_is_short_enough_for_a_text(survey):
    turn = start(survey)
    while not turn.finished:
        encoding, segments, _ = sms_segments(turn.reply)
        assert segments <= 4, (turn.state["current"], segments, encoding)
        turn = handle(survey, turn.state, "skip")
