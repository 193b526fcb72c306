"""Carrier keywords: STOP and friends in any case with stray punctuation; sentences are answers."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voice_service.messaging.keywords import classify, keyword


@pytest.mark.parametrize("body", [
    "STOP", "stop", "Stop", " stop ", "STOP!", "stop.", "'STOP'", "\"stop\"", "STOP!!!", "stop 🙏", "Stop please",
    "please stop", "STOPALL", "stop all", "UNSUBSCRIBE", "unsubscribe.", "Cancel", "END", "end!", "QUIT", "quit.",
    "ＳＴＯＰ",  # full-width letters from some phone keyboards
])
def test_opt_out_words(body):
    assert classify(body) == "opt_out"


@pytest.mark.parametrize("body", ["START", "start", "Start!", "UNSTOP", "unstop."])
def test_opt_in_words(body):
    assert classify(body) == "opt_in"


@pytest.mark.parametrize("body", ["HELP", "help?", "Info", "INFO."])
def test_help_words(body):
    assert classify(body) == "help"


@pytest.mark.parametrize("body", [
    "I want the arguing to stop", "stop it", "don't stop", "the end of the meeting", "help me", "4", "", "yes",
    "nonstop", "stopping", "start again next week",
])
def test_ordinary_messages_are_not_keywords(body):
    assert classify(body) is None


def test_the_stored_keyword_is_the_word_itself():
    assert keyword(" Stop! ") == "STOP" and keyword("stop all") == "STOPALL"


@given(st.text(max_size=200))
def test_any_text_is_classified_without_error(body):
    assert classify(body) in (None, "opt_out", "opt_in", "help")
