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
from dataclasses import dataclass, field
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
        Question(
            id=q.id,
            kind=q.kind,
            wording=Wording(
                web=t(q.wording.web), sms=t(q.wording.sms), easy_read=t(q.wording.easy_read), hint=t(q.wording.hint)
            ),
            options=tuple(Option(o.id, t(o.label), o.emoji, o.sms_keys) for o in q.options),
            required=q.required,
            max_length=q.max_length,
            follow_up_of=q.follow_up_of,
        )
        for q in survey.questions
    )
    return Survey(
        id=survey.id, version=survey.version, title=t(survey.title), roles=survey.roles,
        age_bands=survey.age_bands, meeting_types=survey.meeting_types, languages=survey.languages,
        draft_languages=survey.draft_languages, easy_read=survey.easy_read,
        one_question_per_page=survey.one_question_per_page, intro=t(survey.intro), closing=t(survey.closing),
        signposting=tuple(t(s) for s in survey.signposting), questions=questions,
        sms={k: t(v) for k, v in survey.sms.items()}, source=survey.source,
    )
