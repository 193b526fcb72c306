"""Carrier keywords: STOP and friends, START, HELP. Read before anything else in a text.

A whole message that is one of these words, in any case, with stray punctuation or a polite word
around it ("Stop!", "'STOP'", "stop please", "Stop all"), is the keyword. A sentence that only
contains the word ("I want the arguing to stop") is not: it is an answer.
"""
from __future__ import annotations

import re
import unicodedata

OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
OPT_IN_WORDS = frozenset({"start", "unstop"})
HELP_WORDS = frozenset({"help", "info"})
_POLITE = frozenset({"please", "pls", "plz", "thanks", "thank you", "thankyou", "now", "ta"})


def _core(body: str) -> str:
    text = unicodedata.normalize("NFKC", body or "").casefold()
    text = re.sub(r"[^\w\s]|_|\d", " ", text)  # punctuation, emoji and digits become spaces
    text = re.sub(r"\s+", " ", text).strip()
    for _ in range(2):  # "stop please", "please stop", "stop now please"
        for word in sorted(_POLITE, key=len, reverse=True):
            if text.startswith(word + " "):
                text = text[len(word) + 1:]
            if text.endswith(" " + word):
                text = text[: -len(word) - 1]
    return text.replace(" ", "") if len(text.split(" ")) <= 2 else text


def classify(body: str) -> str | None:
    """'opt_out', 'opt_in', 'help' or None (an ordinary message)."""
    core = _core(body)
    if core in OPT_OUT_WORDS:
        return "opt_out"
    if core in OPT_IN_WORDS:
        return "opt_in"
    if core in HELP_WORDS:
        return "help"
    return None


def keyword(body: str) -> str:
    """The keyword as stored on OptOut.keyword ("STOP", "QUIT", ...)."""
    return _core(body).upper()[:16]
