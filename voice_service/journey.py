"""The web form journey as plain functions: which page comes next, how far along, what to check.

Pages are: the start page, one page per question, "check your answers", then the confirmation.
Everything here works on a Survey (already localised) and the answers given so far, as plain
`Given` values; no Flask, no database. The web handlers turn Answer rows into `Given`.

Follow-up questions ("why did you give that score?") are shown only when the question they
follow was answered, not skipped.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from voice_service.surveys import Question, Survey

CHOICE_KINDS = ("scale", "single_choice", "yes_no", "visibility")
MULTI_KINDS = ("multiple_choice", "advocate")
TEXT_KINDS = ("free_text",)

START = "start"
CHECK = "check"


@dataclass(frozen=True)
class Given:
    """What someone gave for one question: an option id, a list of option ids, or free text."""

    value: Any = None
    free_text: str | None = None
    skipped: bool = False

    @property
    def is_answered(self) -> bool:
        return not self.skipped and (bool(self.value) or bool(self.free_text and self.free_text.strip()))


@dataclass(frozen=True)
class Progress:
    number: int  # 1-based position of this question among the questions shown to this person
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.number / self.total) if self.total else 100


@dataclass(frozen=True)
class CheckRow:
    question_id: str
    question: str
    answer: tuple[str, ...]  # option labels, or the free text; empty when skipped
    skipped: bool


def visible_questions(survey: Survey, answers: Mapping[str, Given]) -> list[Question]:
    """The questions this person will be asked, in order, given what they have answered so far."""
    shown: list[Question] = []
    for question in survey.questions:
        parent = question.follow_up_of
        if parent is not None:
            given = answers.get(parent)
            if given is None or not given.is_answered:
                continue
        shown.append(question)
    return shown


def is_visible(survey: Survey, answers: Mapping[str, Given], question_id: str) -> bool:
    return any(q.id == question_id for q in visible_questions(survey, answers))


def next_page(survey: Survey, answers: Mapping[str, Given], current: str) -> str:
    """The page after `current` (START, a question id): the next question shown, else CHECK."""
    shown = visible_questions(survey, answers)
    if current == START:
        return shown[0].id if shown else CHECK
    ids = [q.id for q in shown]
    if current in ids:
        position = ids.index(current)
        return ids[position + 1] if position + 1 < len(ids) else CHECK
    # `current` is no longer shown (a follow-up whose question was then skipped): carry on
    # from the first question after it in survey order that is shown.
    order = [q.id for q in survey.questions]
    if current in order:
        later = order[order.index(current) + 1:]
        for question_id in later:
            if question_id in ids:
                return question_id
    return CHECK


def previous_page(survey: Survey, answers: Mapping[str, Given], current: str) -> str:
    """The page before `current` (a question id or CHECK): the question shown before it, else START."""
    ids = [q.id for q in visible_questions(survey, answers)]
    if current == CHECK:
        return ids[-1] if ids else START
    if current in ids:
        position = ids.index(current)
        return ids[position - 1] if position > 0 else START
    return START


def resume_page(survey: Survey, answers: Mapping[str, Given]) -> str:
    """Where someone coming back carries on: the first question not yet answered or skipped."""
    for question in visible_questions(survey, answers):
        if question.id not in answers:
            return question.id
    return CHECK


def progress(survey: Survey, answers: Mapping[str, Given], current: str) -> Progress:
    ids = [q.id for q in visible_questions(survey, answers)]
    number = ids.index(current) + 1 if current in ids else len(ids)
    return Progress(number=number, total=len(ids))


def missing_required(survey: Survey, answers: Mapping[str, Given]) -> list[str]:
    """Required questions shown to this person that have no answer yet (they block submitting)."""
    return [
        q.id for q in visible_questions(survey, answers)
        if q.required and not (q.id in answers and answers[q.id].is_answered)
    ]


def question_text(question: Question, easy_read: bool) -> str:
    """The words to show: the easy-read wording when wanted and written, else the web wording."""
    if easy_read and question.wording.easy_read:
        return question.wording.easy_read
    return question.wording.web


def answer_labels(question: Question, given: Given) -> tuple[str, ...]:
    """Human words for an answer: the chosen options' labels (in survey order), then any free text."""
    parts: list[str] = []
    if given.skipped:
        return ()
    chosen = given.value
    if isinstance(chosen, str):
        chosen = [chosen]
    if isinstance(chosen, list | tuple):
        wanted = {str(c) for c in chosen}
        for option in question.options:
            if option.id in wanted:
                parts.append(option.label)
        known = {o.id for o in question.options}
        parts.extend(str(c) for c in chosen if str(c) not in known and not question.options)
    if given.free_text and given.free_text.strip():
        parts.append(given.free_text.strip())
    return tuple(parts)


def check_rows(survey: Survey, answers: Mapping[str, Given], easy_read: bool = False) -> list[CheckRow]:
    """One row per question shown: its words and the answer given (or skipped / not answered)."""
    rows = []
    for question in visible_questions(survey, answers):
        given = answers.get(question.id)
        rows.append(
            CheckRow(
                question_id=question.id,
                question=question_text(question, easy_read),
                answer=answer_labels(question, given) if given else (),
                skipped=given is None or not given.is_answered,
            )
        )
    return rows


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_placeholders(survey: Survey, values: Mapping[str, str]) -> Survey:
    """A copy of `survey` with {service}, {phone}, {meeting_date}... filled in its page texts.

    Unknown placeholders are left as written (the survey checker reports them).
    """
    def fill(text: str | None) -> str | None:
        if not text or "{" not in text:
            return text
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)

    questions = tuple(
        replace(
            q,
            wording=replace(q.wording, web=fill(q.wording.web), easy_read=fill(q.wording.easy_read), hint=fill(q.wording.hint)),
            options=tuple(replace(o, label=fill(o.label)) for o in q.options),
        )
        for q in survey.questions
    )
    return replace(
        survey, title=fill(survey.title), intro=fill(survey.intro), closing=fill(survey.closing),
        signposting=tuple(fill(s) for s in survey.signposting), questions=questions,
    )
