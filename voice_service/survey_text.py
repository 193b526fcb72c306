"""The words of a survey as text: placeholders, the SMS option list, every string to translate.

Also the rules every text message keeps (placeholders, the stand-ins its length is measured
with, default segment budgets, words a shared phone must never show). Pure functions.
"""
from __future__ import annotations

import re
import string

from voice_service.survey_model import SMS_MESSAGE_KINDS, Question, Survey

# Placeholders a text may use. SMS: filled by the sender; pages: filled by the web form.
SMS_PLACEHOLDERS = ("service", "link", "meeting_date", "phone")
PAGE_PLACEHOLDERS = ("service", "council", "phone", "advocacy_phone", "duty_team_phone", "meeting_date")
# Lengths are checked with these stand-ins: the longest we expect (a private link is 45 characters).
SMS_PLACEHOLDER_SAMPLES = {
    "service": "Northbridge Family Voice",
    "link": "https://voice.example.org/r/".ljust(45, "x"),
    "meeting_date": "Wednesday 24 September",
    "phone": "+44 20 7946 0000",
}
# Budgets: each [sms] message kind, and "question": the text asking one question, as the
# conversation sends it (its number, its wording and its numbered options).
BUDGET_KINDS = (*SMS_MESSAGE_KINDS, "question")
DEFAULT_SMS_MAX_SEGMENTS = {
    "question": 1,
    "invite": 2, "reminder": 2, "you_said_we_did": 2, "you_said_follow_up": 2, "close": 1, "thanks": 1, "safeguarding_reply": 1,
}
INVITE_REPLY_PHRASE = "or reply to this text to answer here"
# Words that must never be in a text: a phone may be shared, and a text read by someone else.
SMS_AVOID = (
    "child protection", "protection plan", "abuse", "abused", "neglect", "safeguarding", "social services",
    "social care", "social worker", "police", "court", "offend", "offending", "offence", "youth justice",
    "youth offending", "conference", "looked after", "looked-after", "care order", "in care", "crime",
)


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """`text` with each {name} in `values` replaced; unknown {names} are left as they are."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)


def sms_option_list(question: Question) -> str:
    """The options as one SMS line, "1 Very happy, 2 Happy, ..."; a reply of the number chooses one.

    By SMS an option is chosen by its number (its place in the list), its id, its label, or any of
    its sms_keys, ignoring case.
    """
    return ", ".join(f"{i} {o.label}" for i, o in enumerate(question.options, start=1))


def survey_strings(survey: Survey) -> list[tuple[str | None, str, str, str]]:
    """Every respondent-facing English string: (question id or None, field, text, file it is written in)."""
    out: list[tuple[str | None, str, str, str]] = []
    src = survey.source
    out.append((None, "title", survey.title, src))
    out.append((None, "intro", survey.intro, src))
    out.append((None, "closing", survey.closing, src))
    out.extend((None, f"signposting[{i}]", s, src) for i, s in enumerate(survey.signposting))
    out.extend((None, f"sms.{k}", v, src) for k, v in survey.sms.items())
    for q in survey.questions:
        qsrc = q.source or src
        for name in ("web", "sms", "easy_read", "hint"):
            text = getattr(q.wording, name)
            if text:
                out.append((q.id, name, text, qsrc))
        out.extend((q.id, f"options.{o.id}.label", o.label, qsrc) for o in q.options)
    return out


def placeholders_in(text: str) -> set[str] | None:
    """The {names} in `text`, or None when its braces do not pair up."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None

