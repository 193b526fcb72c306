"""Survey definitions as plain data: a survey, its questions, options and wording.

Built by voice_service.survey_validation from the files in surveys/ (see surveys/README.md);
pure data, no Flask, no database, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field

QUESTION_KINDS = (
    "scale", "single_choice", "multiple_choice", "yes_no", "free_text", "visibility", "advocate",
)
#: Texts a survey may leave out: the scheduler then records the step as not sent, with why.
OPTIONAL_SMS_KINDS = ("you_said_follow_up",)
SMS_MESSAGE_KINDS = ("invite", "reminder", "close", "thanks", "you_said_we_did", "you_said_follow_up", "safeguarding_reply")
CHILD_ROLES = ("child", "young_adult")  # questions are never compulsory, easy-read wording needed
ADULT_ROLES = ("parent", "carer", "other")
OPTION_KINDS = ("scale", "single_choice", "multiple_choice", "yes_no", "visibility", "advocate")
MULTI_SELECT_KINDS = ("multiple_choice", "advocate")  # more than one option may be chosen
YES_NO_OPTIONS = {"yes": ("Yes", ("y",)), "no": ("No", ("n",)), "not_sure": ("Not sure", ("ns", "dont know", "don't know"))}
# Respondent-facing labels when a visibility question gives none (vocab.VISIBILITY is staff wording).
DEFAULT_VISIBILITY_LABELS = {
    "chair_only": "Only the person who runs the meeting",
    "worker_and_chair": "My worker and the person who runs the meeting",
    "meeting": "Everyone at the meeting",
}
ADVOCATE_OPTIONS = {
    "advocate": "I would like an advocate to help me give my views",
    "speak_to_chair": "I would like to speak to the chair on my own",
    "no_thanks": "No, thank you",
}

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

