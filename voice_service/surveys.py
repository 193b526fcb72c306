"""Survey definitions: load and validate the files in surveys/.

One TOML file per survey version. English wording lives in the file; other languages come from
the gettext catalogue `surveys` (voice_service/translations/<lang>/LC_MESSAGES/surveys.po), whose
msgids are the English strings. Files may include shared question files (surveys/shared/*.toml)
so common questions are written once. See surveys/README.md for the format.

Everything here is plain data and pure functions: no Flask, no database.
"""
from __future__ import annotations

import gettext
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

QUESTION_KINDS = (
    "scale", "single_choice", "multiple_choice", "yes_no", "free_text", "visibility", "advocate",
)
SMS_MESSAGE_KINDS = ("invite", "reminder", "close", "thanks", "you_said_we_did", "safeguarding_reply")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


class SurveyError(ValueError):
    """One or more problems in survey files; `.problems` lists each as file: question: field: what."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Wording:
    web: str
    sms: str
    easy_read: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    emoji: str | None = None
    sms_keys: tuple[str, ...] = ()  # extra words/letters that choose this option by SMS


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    wording: Wording
    options: tuple[Option, ...] = ()
    required: bool = False
    max_length: int | None = None
    follow_up_of: str | None = None  # e.g. "why did you give that score?" follows "overall"
    symbol: str | None = None  # shown beside easy-read wording (decorative: the words carry the meaning)
    themes: tuple[str, ...] = ()  # THEMES.md ids this question asks about (for reports)
    source: str = ""  # the file the question is written in (a shared file when included)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Survey:
    id: str
    version: int
    title: str
    roles: tuple[str, ...]
    age_bands: tuple[str, ...]
    meeting_types: tuple[str, ...]
    languages: tuple[str, ...]
    draft_languages: tuple[str, ...]
    easy_read: bool
    one_question_per_page: bool
    intro: str
    closing: str
    signposting: tuple[str, ...]
    questions: tuple[Question, ...]
    sms: dict[str, str]
    source: str = ""
    sms_max_segments: dict[str, int] = field(default_factory=dict)  # per SMS message kind
    language: str = "en"  # the language the strings are in (see localise)
    includes: tuple[str, ...] = ()  # shared files this survey uses, relative to surveys/

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def index_of(self, question_id: str) -> int:
        for i, q in enumerate(self.questions):
            if q.id == question_id:
                return i
        raise KeyError(question_id)


# Translation --------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("surveys", localedir=str(TRANSLATIONS_DIR), languages=[language], fallback=True)


def translate(text: str | None, language: str) -> str | None:
    """The survey string in `language`, or the English original when no translation exists."""
    if not text:
        return text
    return _catalogue(language).gettext(text)


def is_translated(text: str, language: str) -> bool:
    return language == "en" or translate(text, language) != text


def localise(survey: Survey, language: str) -> Survey:
    """A copy of `survey` with every respondent-facing string in `language`."""
    t = lambda s: translate(s, language)  # noqa: E731
    questions = tuple(
        replace(
            q,
            wording=Wording(
                web=t(q.wording.web), sms=t(q.wording.sms), easy_read=t(q.wording.easy_read), hint=t(q.wording.hint)
            ),
            options=tuple(replace(o, label=t(o.label)) for o in q.options),
        )
        for q in survey.questions
    )
    return replace(
        survey, title=t(survey.title), intro=t(survey.intro), closing=t(survey.closing),
        signposting=tuple(t(s) for s in survey.signposting), questions=questions,
        sms={k: t(v) for k, v in survey.sms.items()}, language=language,
    )
