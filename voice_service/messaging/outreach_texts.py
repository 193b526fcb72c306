"""The words of emails and letters to families, in the person's language.

Written once in English here and translated in the gettext catalogue ``outreach``
(voice_service/translations/<lang>/LC_MESSAGES/outreach.po; drafts awaiting a qualified
translator, like the surveys'). Subject lines are neutral: an inbox may be shared, so no
subject or first line names children's services, a child or a meeting.

    pybabel extract -k _n -o voice_service/translations/outreach.pot voice_service/messaging/outreach_texts.py
    pybabel update -D outreach -i voice_service/translations/outreach.pot -d voice_service/translations --no-wrap
    pybabel compile -D outreach -d voice_service/translations
"""
from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DRAFT_LANGUAGES = ("bn", "so", "ar")
RTL = ("ar",)


def _n(text: str) -> str:
    """Marks a string for extraction; translated later by `words`."""
    return text


@lru_cache(maxsize=8)
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("outreach", localedir=str(TRANSLATIONS), languages=[language], fallback=True)


def words(text: str, language: str, **values) -> str:
    """`text` in `language` (English when not translated), placeholders filled in."""
    translated = _catalogue(language or "en").gettext(text)
    if language in RTL:  # numbers, links and names keep their own left-to-right order
        values = {k: f"\u2066{v}\u2069" for k, v in values.items()}
    return translated % values if values else translated


def is_translated(text: str, language: str) -> bool:
    return language == "en" or _catalogue(language).gettext(text) != text


SUBJECTS = {
    "invite": _n("A message from %(service)s"),
    "reminder": _n("A reminder from %(service)s"),
    "you_said_we_did": _n("An update from %(service)s"),
}
OPENING = _n("Hello %(name)s,")
BODIES = {
    "invite": _n("This is %(service)s. We would like to hear your views. It is your choice, and you can skip any question."),
    "eos_invite": _n("This is %(service)s. We would like to know what our work with you was like, so we can do better."),
    "mq_invite": _n("This is %(service)s. We would like to know how the meeting went for you, so we can make meetings better."),
    "reminder": _n("This is %(service)s. There is still time to give your views."),
    "you_said_we_did": _n("This is %(service)s. Thank you for giving your views. You can see what was decided and what happens next."),
}
LINK_LINE = _n("Open your private link:")
LINK_PRIVATE = _n("This link is only for you. Please do not share it.")
CALL_US = _n("If you have questions, or would like help to answer, call %(phone)s.")
NO_REPLY = _n("Please do not reply to this email.")

# Letters.
LETTER_TITLE = _n("We would like to hear your views")
LETTER_DEAR = _n("Dear %(name)s,")
LETTER_WHY = _n("%(council)s would like to hear your views before a meeting on %(date)s.")
LETTER_WHY_EOS = _n("%(council)s would like to know what our work with you was like, so we can do better.")
LETTER_WHY_MQ = _n("%(council)s would like to know how the meeting on %(date)s went for you, so we can make meetings better.")
LETTER_HOW = _n("You can answer on a phone, tablet or computer. Scan the square code with your phone's camera, or type this address into a web browser:")
LETTER_CHOICE = _n("It is your choice. You can skip any question, and it takes about 10 minutes.")
LETTER_HELP = _n("If you would like help to answer, or would rather talk to someone, call %(phone)s.")
LETTER_KEEP = _n("This address is only for you. Please keep this letter safe.")
LETTER_SIGN = _n("With best wishes,")
QR_ALT = _n("A square code to scan with a phone camera. It opens your private link.")
DRAFT_NOTE = _n("This is a draft translation awaiting review by a qualified translator.")
# Easy read, for children under 12 and anyone marked easy read: short lines, one idea each.
EASY_TITLE = _n("We want to know what you think")
EASY_HELLO = _n("Hello %(name)s")
EASY_LINES = (
    _n("There is a meeting about you soon."),
    _n("You can tell us what you think."),
    _n("A grown-up can help you."),
)
EASY_EOS_LINE = _n("We want to know what it was like when we worked with you.")
EASY_MQ_LINE = _n("We want to know how the meeting went for you.")
EASY_SCAN = _n("Scan the square with a phone camera.")
EASY_TYPE = _n("Or type this:")
EASY_CHOICE = _n("You do not have to answer. You can stop at any time.")
EASY_CHILDLINE = _n("If you are worried, call Childline free on 0800 1111.")


def email_subject(kind: str, language: str, service: str) -> str:
    key = {"eos_invite": "invite", "mq_invite": "invite", "resend": "invite", "eos_reminder": "reminder"}.get(kind, kind)
    return words(SUBJECTS.get(key, SUBJECTS["invite"]), language, service=service)


def email_body(kind: str, language: str, *, name: str, service: str, phone: str, link: str) -> str:
    key = {"resend": "invite", "eos_reminder": "reminder"}.get(kind, kind)
    lines = [
        words(OPENING, language, name=name), "",
        words(BODIES.get(key, BODIES["invite"]), language, service=service), "",
        words(LINK_LINE, language), link, "",
        words(LINK_PRIVATE, language), words(CALL_US, language, phone=phone), "",
        words(NO_REPLY, language),
    ]
    if language in DRAFT_LANGUAGES:
        lines += ["", words(DRAFT_NOTE, language)]
    return "\n".join(lines)


def all_texts() -> list[str]:
    """Every English string here, for the translation check."""
    found = [*SUBJECTS.values(), OPENING, *BODIES.values(), LINK_LINE, LINK_PRIVATE, CALL_US, NO_REPLY,
             LETTER_TITLE, LETTER_DEAR, LETTER_WHY, LETTER_WHY_EOS, LETTER_HOW, LETTER_CHOICE, LETTER_HELP,
             LETTER_KEEP, LETTER_SIGN, QR_ALT, DRAFT_NOTE, EASY_TITLE, EASY_HELLO, *EASY_LINES, EASY_EOS_LINE,
             EASY_SCAN, EASY_TYPE, EASY_CHOICE, EASY_CHILDLINE]
    return found
