"""What kind of question an answer replies to, and whether the answer is a non-answer.

Sentiment and safeguarding read the question: "nothing" answering "What could be better?"
is not a complaint, and "my mum's boyfriend" answering "Who makes you feel unsafe?" is a
disclosure although the answer alone has no alarming word.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Order matters: the first kind that matches wins.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Asks who/what makes them unsafe, scared or worried: an answer naming someone is a disclosure.
    (
        "risk",
        re.compile(
            r"\b(unsafe|not (feel )?safe|scared|scare[sd]?|frighten\w*|afraid|hurt\w*|worr(y|ies|ied|ying)|"
            r"upset(s)? you|bother(s|ing)? you)\b",
            re.I,
        ),
    ),
    # Asks what should change or is going badly.
    (
        "improve",
        re.compile(
            r"\b(better|improve\w*|change\w*|differently|wish|wrong|difficult\w*|hard|not (going )?(so )?well|"
            r"don't like|do not like|(don't|do not|didn't) you (like|enjoy)|dislike|problem\w*|missing|would help|could (we|they|you) do|should)\b",
            re.I,
        ),
    ),
    # Asks what is going well.
    (
        "good",
        re.compile(
            r"\b(going well|good|like about|you like|enjoy\w*|happy|best|helpful|helped|proud|working well|great|"
            r"(did|do|does|went) (we |they |it )?well)\b",
            re.I,
        ),
    ),
)

_NON_ANSWER = re.compile(
    r"^\W*(no|nothing|none|nah|nope|nil|n ?/ ?a|na|not really|nothing really|no thanks?( you)?|"
    r"nothing else|no comment|nothing (at the moment|right now|for now|i can think of|to add|to say|much)|"
    r"no one|nobody|no-one|not that i know of|not at the moment|"
    r"(i )?(don't|dont|do not) know|idk|dunno|not sure|no idea|pass|skip)"
    r"(\W+(no|nothing|none|thanks?( you)?|really|ta|sorry))*\W*$",
    re.I,
)
_UNSURE = re.compile(r"\b(don't|dont|do not) know\b|\bidk\b|\bdunno\b|\bnot sure\b|\bno idea\b|\bpass\b|\bskip\b", re.I)


@lru_cache(maxsize=1024)
def question_kind(question: str | None) -> str:
    """One of ``risk``, ``improve``, ``good`` or ``open``."""
    if not question:
        return "open"
    q = question.replace("\u2019", "'")
    for kind, pattern in _KINDS:
        if pattern.search(q):
            return kind
    return "open"


def non_answer(text: str) -> str | None:
    """``"none"`` for "nothing"/"no"/"nobody", ``"unsure"`` for "don't know", else None."""
    t = text.replace("\u2019", "'").strip()
    if not t or not re.search(r"\w", t):
        return "none"
    if _NON_ANSWER.match(t):
        return "unsure" if _UNSURE.search(t) else "none"
    return None
