"""Meetings for staff, the view models: what the upcoming list and the meeting page show. Built by
voice_service/store/meetings.py; the templates read nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AnswerView:
    answer_id: int
    question_id: str
    question: str
    kind: str
    own_words: bool  # free text: the person's own words
    text: str | None  # the words, or the chosen option's label(s)
    emoji: str | None
    skipped: bool
    sentiment: str | None
    flagged: bool
    themes: tuple[str, ...]
    alert_status: str | None
    needs_interpreter: bool = False  # in a language the analysis cannot read: a person reads it today
    language: str | None = None  # the detected language's name, when it needs an interpreter
    added_after_meeting: bool = False  # received once the meeting had started



# The upcoming list ------------------------------------------------------------------------

@dataclass(frozen=True)
class UpcomingParticipant:
    participant_id: int
    role: str
    role_label: str
    name: str
    state: str
    state_label: str
    state_class: str
    views: str
    views_label: str


@dataclass(frozen=True)
class UpcomingMeeting:
    meeting_ref: str
    meeting_type_label: str
    starts_at: datetime
    case_ref: str
    team: str | None
    chair_name: str | None
    participants: tuple[UpcomingParticipant, ...]
    open_alerts: int
    open_advocacy: int
    views_read: bool

    @property
    def views_in(self) -> int:
        return sum(1 for p in self.participants if p.views == "in")


@dataclass(frozen=True)
class UpcomingPage:
    meetings: list[UpcomingMeeting]
    window_start: datetime
    window_end: datetime
    scope: str
    page: int
    has_next: bool


# The meeting page --------------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedMessageView:
    kind: str
    sequence: int
    due_at: datetime
    state: str
    reason: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class AdvocacyView:
    id: int
    participant_name: str
    role_label: str
    status: str
    created_at: datetime
    referred_at: datetime | None


@dataclass(frozen=True)
class ActionView:
    point: str
    decision: str
    raised_by: str | None
    recorded_by: str | None
    recorded_at: datetime


@dataclass
class ParticipantView:
    participant_id: int
    invitation_id: int | None
    role: str
    role_label: str
    name: str
    age_band: str | None
    phone: str | None
    channel: str | None
    language: str
    state: str
    state_label: str
    state_class: str
    views: str
    views_label: str
    visibility: str
    visibility_label: str
    visibility_chosen: bool
    may_see_answers: bool
    own_words: list[AnswerView] = field(default_factory=list)
    choices: list[AnswerView] = field(default_factory=list)
    advocate_requested: bool = False
    speak_to_chair_alone: bool = False
    completed_at: datetime | None = None
    survey_title: str | None = None
    messages: list[PlannedMessageView] = field(default_factory=list)

    @property
    def has_answers(self) -> bool:
        return bool(self.own_words or self.choices)


@dataclass
class MeetingPage:
    meeting_id: int
    meeting_ref: str
    meeting_type_label: str
    starts_at: datetime
    status: str
    location: str | None
    case_ref: str
    service: str
    age_band: str
    team: str | None
    chair_name: str | None
    participants: list[ParticipantView]
    advocacy: list[AdvocacyView]
    actions: list[ActionView]
    views_read_at: datetime | None
    views_read_by: str | None
    outcome_recorded_at: datetime | None
    open_alerts: int
    shown_invitation_ids: list[int]
    withheld_invitation_ids: list[int]
    can_record_outcome: bool
    can_mark_read: bool
    started: bool


def survey_of(survey_id: str, version: int):
    try:
        from flask import current_app

        from voice_service.surveys import registry

        return registry(current_app).get(survey_id, version)
    except Exception:  # a broken survey folder must not hide the views: show question ids instead
        return None


def question_wording(question, question_id: str) -> str:
    if question is None:
        return question_id.replace("_", " ").capitalize()
    return question.wording.web
