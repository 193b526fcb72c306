"""The conversation engine: one question at a time, for SMS, WhatsApp and the web chat.

Plain functions over plain data: a `Survey` (voice_service.surveys), the conversation `state` (a
JSON-safe dict, stored on Invitation.conversation_state) and the text the person sent. Nothing
here touches Flask, the database or the network, so every channel gets the same behaviour and it
can be tested exhaustively.

    turn = start(survey, language="en")          # the first question
    turn = handle(survey, turn.state, "4")       # an answer; turn.store says what to save
    turn.reply      -> what to say next
    turn.state      -> persist this
    turn.store      -> StoredAnswer(question_id, value, free_text, skipped) to save, in order
    turn.finished   -> the last question has been answered or skipped
    turn.events     -> e.g. "started", "answered", "skipped", "not_understood", "skip_offered",
                       "help", "back", "repeat", "advocate_requested", "speak_to_chair_requested",
                       "finished", "already_finished"

What a reply means, for every question kind:
- scale, single_choice, yes_no, visibility: the chosen option's id (a str);
- multiple_choice, advocate: a list of option ids;
- free_text: `free_text` holds the words, `value` is None.
An option is chosen by its number, its letter (A, B, ...), its id, its label or one of its
`sms_keys`, ignoring case and stray punctuation; a yes/no question also understands "y",
"yeah", "nah", "nope" and the like; a scale also understands number words ("four") and emoji
(😀 🙂 😐 🙁 😢 ...). When a reply carries more words than the answer ("2 because nobody
listens"), the whole text is kept as `free_text` too, so it is read (and analysed) like any
other comment.

SKIP, BACK, REPEAT (or "?"), HELP work at every question. Opt-out keywords (STOP ...) are not
handled here: the SMS layer deals with them before the engine runs (voice_service.messaging).
Choosing between two open invitations (`choice_prompt`, `parse_choice`) is here too, as it is
wording and parsing, but the caller decides when to ask.
"""
from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

STATE_VERSION = 1
MAX_TRIES_BEFORE_SKIP_OFFER = 2
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

SINGLE_KINDS = ("scale", "single_choice", "yes_no", "visibility")
MULTI_KINDS = ("multiple_choice", "advocate")

# Whole-message commands (after lower-casing and removing stray punctuation).
SKIP_WORDS = frozenset({"skip", "pass", "skip it", "skip this", "skip question", "skip this one", "next question"})
BACK_WORDS = frozenset({"back", "go back", "previous", "undo", "back please"})
REPEAT_WORDS = frozenset({"?", "??", "???", "repeat", "again", "say again", "pardon", "what", "wot", "wat", "huh"})
HELP_WORDS = frozenset({"help", "info", "help me", "help please", "please help", "i need help", "need help"})

YES_WORDS = frozenset({
    "y", "yes", "yeah", "yea", "yeh", "yep", "yup", "ya", "yah", "yh", "ye", "yess", "yesss", "yas", "aye",
    "sure", "ok", "okay", "k", "kk", "of course", "definitely", "yes please", "yes pls", "correct", "true",
    "i do", "i would", "i am", "👍", "✅", "✔",
})
NO_WORDS = frozenset({
    "n", "no", "nah", "nope", "na", "naw", "noo", "nooo", "nop", "no thanks", "no thank you", "not really",
    "never", "no way", "false", "i dont", "i don't", "i do not", "i wouldnt", "i wouldn't", "👎", "❌", "✖",
})
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
}
# Emoji on a scale from 0 (worst) to 1 (best). Variation selectors and skin tones are ignored.
EMOJI_FEELING: dict[str, float] = {}
for _chars, _score in (
    ("😀😃😄😁😆🤩😍🥰🥳😻💯❤💖💗💕🤗", 1.0),
    ("🙂😊☺😌👍👌😸🙌", 0.75),
    ("😐😑😶🤷🤔😬🫤🙃", 0.5),
    ("🙁☹😕😟😒👎😔😿", 0.25),
    ("😢😭😞😡😠😩😫😖😣💔🤬😰😨😱😥😪", 0.0),
):
    for _c in _chars:
        EMOJI_FEELING[_c] = _score

_STRAY = re.compile(r"^[\s\W_]+|[\s\W_]+$", re.UNICODE)
_EMOJI_NOISE = re.compile("[\ufe0e\ufe0f\u200d\U0001F3FB-\U0001F3FF]")
_SPLIT = re.compile(r"\s*(?:,|;|/|&|\+|\band\b|\s)\s*")


# Data ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredAnswer:
    """One answer to save (answers.save_answer): an option id / list of ids, free text, or a skip."""

    question_id: str
    value: Any = None
    free_text: str | None = None
    skipped: bool = False


@dataclass(frozen=True)
class Turn:
    """The engine's answer to one message: what to say, what to persist, what to save."""

    reply: str
    state: dict
    store: list[StoredAnswer] = field(default_factory=list)
    finished: bool = False
    events: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceInfo:
    """Who is asking, for the HELP reply (from the app's settings; defaults for tests)."""

    name: str = "Family Voice"
    phone: str = "020 7946 0000"
    channel: str = "sms"  # "webchat": help names no text keywords


@dataclass(frozen=True)
class _Parsed:
    ok: bool
    value: Any = None
    extra_words: bool = False


# Wording ------------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("messages", localedir=str(TRANSLATIONS_DIR), languages=[language], fallback=True)


def translate(text: str, language: str, **values: Any) -> str:
    """The engine's own wording in `language` (English when not translated yet), filled in."""
    translated = _catalogue(language).gettext(text)
    return translated.format(**values) if values else translated


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else str(i + 1)


def _options_line(question, language: str) -> str:
    listing = ", ".join(f"{i} {o.label}" for i, o in enumerate(question.options, start=1))
    if question.kind in MULTI_KINDS:
        return listing + ". " + translate("You can choose more than one, like: 1 3", language)
    return listing


def question_prompt(survey, question, language: str = "en") -> str:
    """The text that asks `question`: its SMS wording, its numbered options, its place."""
    total = len(survey.questions)
    position = survey.index_of(question.id) + 1
    lines = [f"({position}/{total}) {question.wording.sms}"]
    # Survey files usually say "Reply 1 ..., 2 ..." themselves; otherwise list the options.
    if question.options and not re.search(r"\breply\b", question.wording.sms, re.IGNORECASE):
        lines.append(_options_line(question, language))
    return "\n".join(lines)


def _example(question, language: str) -> str:
    if question.kind == "free_text":
        return translate("Please reply in your own words.", language)
    n = len(question.options)
    if question.kind in MULTI_KINDS:
        return translate("Reply with the numbers of your choices, like: 1 2", language)
    if question.kind == "yes_no":
        return translate("Reply YES or NO.", language)
    return translate("Reply with a number from 1 to {n}, like: {example}", language, n=n, example=min(2, n))


def _intro(survey, language: str) -> str:
    return translate(
        "Thank you. There are {n} questions. Reply SKIP to skip one, BACK to go back, HELP for help.",
        language, n=len(survey.questions),
    )


def help_text(language: str = "en", service: ServiceInfo | None = None) -> str:
    """Who we are, a phone number, and free help (shared with the SMS HELP keyword)."""
    service = service or ServiceInfo()
    if service.channel == "webchat":
        return translate(
            "This is {service}. Write SKIP to skip a question or BACK to go back. "
            "To talk to us call {phone}. Free, any time: Childline 0800 1111.",
            language, service=service.name, phone=service.phone,
        )
    return translate(
        "This is {service}. Reply SKIP to skip a question, BACK to go back, STOP for no more texts. "
        "To talk to us call {phone}. Free, any time: Childline 0800 1111.",
        language, service=service.name, phone=service.phone,
    )


def choice_prompt(labels: list[str], language: str = "en") -> str:
    """Ask which of several sets of questions to answer first. `labels` are neutral (meeting dates)."""
    lines = [translate("You have {n} sets of questions. Which one first?", language, n=len(labels))]
    lines += [translate("Reply {n} for the meeting on {label}", language, n=i, label=label) for i, label in enumerate(labels, 1)]
    return "\n".join(lines)


def parse_choice(text: str, count: int) -> int | None:
    """0-based index of the set chosen by `text` ("1", "two", "b"), or None when unclear."""
    words = normalise(text)
    number = _number(words)
    if number is not None and 1 <= number <= count:
        return number - 1
    if len(words) == 1 and "a" <= words <= "z" and ord(words) - ord("a") < count:
        return ord(words) - ord("a")
    return None


# Parsing ------------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """Lower case, single spaces, no stray punctuation around ("Yes!!" -> "yes"); "?" is kept."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _EMOJI_NOISE.sub("", text).casefold().strip()
    text = re.sub(r"\s+", " ", text)
    if text and set(text) <= {"?", " "}:
        return "?" * min(3, text.count("?"))
    stripped = _STRAY.sub("", text)
    # Emoji are "punctuation-like" (\W); keep a text made only of them.
    return stripped if stripped else "".join(c for c in text if not c.isspace())


def _number(words: str) -> int | None:
    """A single whole number in the text ("4", "4/5", "4 out of 5", "number four"), else None."""
    words = re.sub(r"\b(number|no\.?|option|choice|score|it'?s|i'?d say|i say|maybe)\b", " ", words)
    words = re.sub(r"(\d+)\s*(?:/|out of|of)\s*\d+", r"\1", words)
    digits = re.findall(r"\d+", words)
    named = [NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", words) if w in NUMBER_WORDS]
    found = {int(d) for d in digits if len(d) <= 3} | set(named)
    if len(found) == 1 and len(digits) <= 1:
        return found.pop()
    return None


_FILLER = re.compile(
    r"\b(number|no|option|choice|score|out|of|i'?d|i|say|it'?s|its|is|maybe|about|" + "|".join(NUMBER_WORDS) + r")\b"
)


def _has_extra_words(words: str) -> bool:
    """Whether a reply read as a number also carries words worth keeping ("2 nobody listens")."""
    rest = _FILLER.sub(" ", re.sub(r"\d+", " ", words))
    return bool(re.search(r"[^\W\d_]", rest))


def _strip_emoji_noise(s: str) -> str:
    return _EMOJI_NOISE.sub("", unicodedata.normalize("NFKC", s))


def _option_by_exact(question, words: str):
    for o in question.options:
        keys = {o.id.casefold(), o.id.replace("_", " ").casefold(), normalise(o.label)}
        keys |= {normalise(k) for k in o.sms_keys}
        if words in keys:
            return o
    return None


def _option_by_emoji(question, text: str):
    marks = [c for c in _strip_emoji_noise(text) if c in EMOJI_FEELING or any(c == _strip_emoji_noise(o.emoji or "") for o in question.options)]
    if not marks:
        return None
    for o in question.options:  # the survey's own emoji first
        if o.emoji and _strip_emoji_noise(o.emoji) in marks:
            if all(_strip_emoji_noise(o.emoji) == m for m in marks):
                return o
    feelings = {EMOJI_FEELING[m] for m in marks if m in EMOJI_FEELING}
    if len(feelings) != 1:
        return None
    feeling = feelings.pop()
    scored = [(EMOJI_FEELING.get(_strip_emoji_noise(o.emoji or "")), o) for o in question.options]
    scored = [(s, o) for s, o in scored if s is not None]
    if len(scored) < 2:
        return None
    best = min(abs(s - feeling) for s, _ in scored)
    nearest = [o for s, o in scored if abs(s - feeling) == best]
    return nearest[0] if len(nearest) == 1 else None


def _yes_no(words: str) -> tuple[str | None, bool]:
    """("yes" | "no" | None, whether more words followed)."""
    if words in YES_WORDS:
        return "yes", False
    if words in NO_WORDS:
        return "no", False
    first = re.split(r"[\s,.!;:]+", words, maxsplit=1)
    head, rest = first[0], (first[1] if len(first) > 1 else "")
    for size in (3, 2):  # "no thank you, ..." / "yes please ..."
        lead = " ".join(words.split(" ")[:size]).rstrip(",.!")
        if lead in YES_WORDS and len(lead) > 1:
            return "yes", True
        if lead in NO_WORDS and len(lead) > 1:
            return "no", True
    if head in YES_WORDS and rest:
        return "yes", True
    if head in NO_WORDS and rest:
        return "no", True
    return None, False


def _option_single(question, text: str):
    """(option, extra_words) for a one-option reply, or (None, False)."""
    words = normalise(text)
    if not words:
        return None, False
    o = _option_by_exact(question, words)
    if o is not None:
        return o, False
    n = len(question.options)
    if len(words) == 1 and "a" <= words <= "z" and ord(words) - ord("a") < n and question.kind != "yes_no":
        return question.options[ord(words) - ord("a")], False
    if question.kind == "yes_no":
        answer, extra = _yes_no(words)
        if answer is not None:
            o = question.option(answer)
            if o is not None:
                return o, extra
    number = _number(words)
    if number is not None:
        if 1 <= number <= n:
            return question.options[number - 1], _has_extra_words(words)
        # A scale may use its own ids as numbers (0 to 4, say).
        by_id = question.option(str(number))
        if by_id is not None:
            return by_id, _has_extra_words(words)
        return None, False
    if question.kind == "scale" or any(o.emoji for o in question.options):
        o = _option_by_emoji(question, text)
        if o is not None:
            leftover = re.sub(r"[\W_]", "", _EMOJI_NOISE.sub("", text), flags=re.UNICODE)
            return o, bool(leftover)
    # "A)" "(b)" or a letter followed by words: "b because ..."
    head = re.match(r"^\(?([a-z])\)?(?:[\s,.:-]+(.*))?$", words)
    if head and question.kind != "yes_no":
        i = ord(head.group(1)) - ord("a")
        if i < n and head.group(2):
            return question.options[i], True
    return None, False


def _options_multi(question, text: str) -> list[str] | None:
    words = normalise(text)
    if not words:
        return None
    whole = _option_by_exact(question, words)
    if whole is not None:
        return [whole.id]
    chosen: list[str] = []
    n = len(question.options)
    for token in (t for t in _SPLIT.split(words) if t):
        token = _STRAY.sub("", token)
        if not token or token in ("and", "or", "option", "options", "number", "numbers"):
            continue
        o = _option_by_exact(question, token)
        if o is None and token.isdigit() and 1 <= int(token) <= n:
            o = question.options[int(token) - 1]
        if o is None and token in NUMBER_WORDS and 1 <= NUMBER_WORDS[token] <= n:
            o = question.options[NUMBER_WORDS[token] - 1]
        if o is None and len(token) == 1 and "a" <= token <= "z" and ord(token) - ord("a") < n:
            o = question.options[ord(token) - ord("a")]
        if o is None:
            return None
        if o.id not in chosen:
            chosen.append(o.id)
    if not chosen:
        return None
    if question.kind == "advocate" and "no_thanks" in chosen and len(chosen) > 1:
        return None  # "no thanks" and "yes please" at once: ask again
    return chosen


def parse_answer(question, text: str) -> _Parsed:
    """Read `text` as an answer to `question`. Never raises."""
    if question.kind == "free_text":
        cleaned = (text or "").strip()
        return _Parsed(True, None) if cleaned else _Parsed(False)
    if question.kind in MULTI_KINDS:
        chosen = _options_multi(question, text)
        return _Parsed(True, chosen) if chosen else _Parsed(False)
    if not question.options:
        return _Parsed(False)
    option, extra = _option_single(question, text)
    return _Parsed(True, option.id, extra) if option is not None else _Parsed(False)


def command(text: str) -> str | None:
    """'skip', 'back', 'repeat' or 'help' when the whole message is that command, else None."""
    words = normalise(text)
    if words in SKIP_WORDS:
        return "skip"
    if words in BACK_WORDS:
        return "back"
    if words in REPEAT_WORDS:
        return "repeat"
    if words in HELP_WORDS:
        return "help"
    return None


# State --------------------------------------------------------------------------------------

def _clean_state(survey, state: Any) -> dict | None:
    """A valid state for `survey`, or None when the conversation has not started (or is unusable)."""
    if not isinstance(state, dict) or not state.get("started"):
        return None
    ids = [q.id for q in survey.questions]
    language = state.get("language") if isinstance(state.get("language"), str) else "en"
    history = [q for q in state.get("history", []) if isinstance(q, str) and q in ids] if isinstance(state.get("history"), list) else []
    skipped = [q for q in state.get("skipped", []) if isinstance(q, str) and q in ids] if isinstance(state.get("skipped"), list) else []
    current = state.get("current")
    finished = state.get("finished") is True
    if not finished and current not in ids:
        remaining = [q for q in ids if q not in history]
        if not remaining:
            finished, current = True, None
        else:
            current = remaining[0]
    tries = state.get("tries")
    tries = tries if isinstance(tries, int) and not isinstance(tries, bool) and 0 <= tries < 1000 else 0
    return {
        "v": STATE_VERSION, "started": True, "survey": survey.id, "version": survey.version,
        "language": language[:8], "current": None if finished else current, "history": history,
        "skipped": skipped, "tries": tries, "finished": finished,
    }


def _localised(survey, language: str):
    if getattr(survey, "language", "en") == language:
        return survey
    from voice_service.surveys import localise

    return localise(survey, language)


def _next_question(survey, after_id: str | None, skipped: list[str]):
    """The question after `after_id` (None: the first), passing follow-ups of skipped questions."""
    start = 0 if after_id is None else survey.index_of(after_id) + 1
    for q in survey.questions[start:]:
        if q.follow_up_of and q.follow_up_of in skipped:
            continue
        return q
    return None


# The engine ---------------------------------------------------------------------------------

def start(survey, language: str = "en", service: ServiceInfo | None = None) -> Turn:
    """Begin the conversation: a short welcome and the first question."""
    survey = _localised(survey, language)
    state = {
        "v": STATE_VERSION, "started": True, "survey": survey.id, "version": survey.version,
        "language": language, "current": None, "history": [], "skipped": [], "tries": 0, "finished": False,
    }
    first = _next_question(survey, None, [])
    if first is None:
        state["finished"] = True
        return Turn(_thanks(survey, language, service), state, [], True, ["started", "finished"])
    state["current"] = first.id
    reply = _intro(survey, language) + "\n\n" + question_prompt(survey, first, language)
    return Turn(reply, state, [], False, ["started"])


def handle(survey, state: dict | None, text: str, service: ServiceInfo | None = None) -> Turn:
    """Take one message. Any text in any state gives a reply; this never raises for bad input.

    With no usable state the conversation starts (the message is read as "hello", not an answer).
    """
    text = text if isinstance(text, str) else ""
    language = state.get("language") if isinstance(state, dict) and isinstance(state.get("language"), str) else "en"
    cleaned = _clean_state(survey, state)
    if cleaned is None:
        return start(survey, language, service)
    survey = _localised(survey, cleaned["language"])
    language = cleaned["language"]
    if cleaned["finished"]:
        return Turn(
            translate("You have answered all the questions. Thank you.", language), cleaned, [], True, ["already_finished"]
        )
    question = survey.question(cleaned["current"])
    what = command(text)

    if what == "help":
        reply = help_text(language, service) + "\n\n" + question_prompt(survey, question, language)
        return Turn(reply, cleaned, [], False, ["help"])
    if what == "repeat":
        return Turn(question_prompt(survey, question, language), {**cleaned, "tries": 0}, [], False, ["repeat"])
    if what == "back":
        if not cleaned["history"]:
            reply = translate("This is the first question.", language) + "\n" + question_prompt(survey, question, language)
            return Turn(reply, cleaned, [], False, ["back"])
        previous = cleaned["history"][-1]
        new = {**cleaned, "current": previous, "history": cleaned["history"][:-1], "tries": 0,
               "skipped": [q for q in cleaned["skipped"] if q != previous]}
        return Turn(question_prompt(survey, survey.question(previous), language), new, [], False, ["back"])
    if what == "skip":
        if question.required:
            reply = translate("This question needs an answer.", language) + " " + _example(question, language)
            return Turn(reply, cleaned, [], False, ["not_understood"])
        skipped = cleaned["skipped"] + [question.id]
        return _advance(survey, cleaned, question, StoredAnswer(question.id, skipped=True), ["skipped"], skipped, service)

    parsed = parse_answer(question, text)
    if not parsed.ok:
        tries = cleaned["tries"] + 1
        events = ["not_understood"]
        if question.kind == "free_text":
            reply = translate("Sorry, that message was empty.", language) + " " + _example(question, language)
        else:
            reply = translate("Sorry, I did not understand.", language) + " " + _example(question, language)
        if tries >= MAX_TRIES_BEFORE_SKIP_OFFER and not question.required:
            reply += " " + translate("Or reply SKIP to go to the next question.", language)
            events.append("skip_offered")
        return Turn(reply, {**cleaned, "tries": tries}, [], False, events)

    raw = text.strip()
    if question.kind == "free_text":
        answer = StoredAnswer(question.id, None, raw, False)
    else:
        answer = StoredAnswer(question.id, parsed.value, raw if parsed.extra_words else None, False)
    events = ["answered"]
    if question.kind == "advocate":
        if "advocate" in parsed.value:
            events.append("advocate_requested")
        if "speak_to_chair" in parsed.value:
            events.append("speak_to_chair_requested")
    skipped = [q for q in cleaned["skipped"] if q != question.id]
    return _advance(survey, cleaned, question, answer, events, skipped, service)


def _thanks(survey, language: str, service: ServiceInfo | None) -> str:
    service = service or ServiceInfo()
    text = survey.sms.get("thanks") or translate("Thank you. Your answers have been saved.", language)
    values = {"service": service.name, "phone": service.phone}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), ""), text)


def _advance(survey, state: dict, question, answer: StoredAnswer, events: list[str], skipped: list[str],
             service: ServiceInfo | None) -> Turn:
    language = state["language"]
    history = state["history"] + [question.id]
    following = _next_question(survey, question.id, skipped)
    if following is None:
        new = {**state, "history": history, "skipped": skipped, "current": None, "tries": 0, "finished": True}
        return Turn(_thanks(survey, language, service), new, [answer], True, events + ["finished"])
    new = {**state, "history": history, "skipped": skipped, "current": following.id, "tries": 0}
    return Turn(question_prompt(survey, following, language), new, [answer], False, events)


def current_question_id(state: Any) -> str | None:
    """The question a stored state is waiting on (None before the start or after the end)."""
    if isinstance(state, dict) and state.get("started") and not state.get("finished"):
        current = state.get("current")
        return current if isinstance(current, str) else None
    return None


def is_active(state: Any) -> bool:
    """Started and not finished: the person is part-way through."""
    return isinstance(state, dict) and bool(state.get("started")) and state.get("finished") is not True
