"""Meetings for staff: who may open what, the upcoming list and the meeting page.

Three layers, so each can be tested on its own:

* rules (pure): `can_open_meeting`, `can_see_answers`, `invitation_state`, `views_state`,
  `mask_phone`, `answer_display`;
* queries (the "dao" layer): `upcoming_meetings`, `meeting_by_ref`, `load_meeting_page`, a handful
  of set-based queries whatever the number of meetings;
* changes: `mark_views_read`, `record_outcome` (which plans the "you said, we did" messages).

Visibility is enforced here, not in the template: answers a person may not see are never put
into the view model, so no page, print view or export built from it can show them.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import func, select

from voice_service.extensions import db
from voice_service.learning.history import added_after_meeting
from voice_service.models import (
    Action, AdvocacyRequest, Answer, Child, Invitation, Meeting, Message, Participant,
    SafeguardingAlert, SafeguardingAlertItem, ScheduledMessage, ThemeTag, User, utcnow,
)
from voice_service.vocab import MEETING_TYPES, ROLES, VISIBILITY

LONDON = ZoneInfo("Europe/London")

# Rules --------------------------------------------------------------------------------------

#: Which of the respondent's choices (vocab.VISIBILITY) let each staff role read the answers.
#: "Only the chair" means only chairs/IROs; family_advisory never reads identifiable answers.
ANSWER_VISIBILITY: dict[str, frozenset[str]] = {
    "chair": frozenset({"chair_only", "worker_and_chair", "meeting"}),
    "worker": frozenset({"worker_and_chair", "meeting"}),
    "admin": frozenset({"meeting"}),
    "qa": frozenset({"meeting"}),
    "family_advisory": frozenset(),
}
MEETING_ROLES = ("admin", "qa", "chair", "worker")  # roles that may open a meeting page at all
PHONE_ROLES = ("admin",)  # roles that see whole phone numbers


def effective_visibility(chosen: str | None) -> str:
    """The respondent's choice; not chosen (or unknown) counts as the narrowest: chair only."""
    return chosen if chosen in VISIBILITY else "chair_only"


def can_see_answers(role: str, chosen: str | None) -> bool:
    return effective_visibility(chosen) in ANSWER_VISIBILITY.get(role, frozenset())


def can_open_meeting(role: str, user_team: str | None, child_team: str | None) -> bool:
    """Chairs, QA and admins open any meeting; a worker only their own team's."""
    if role not in MEETING_ROLES:
        return False
    if role == "worker":
        return user_team is not None and user_team == child_team
    return True


def can_record_outcome(role: str) -> bool:
    return role == "chair"


STATE_LABELS = {
    "not_sent": "Not sent",
    "sent": "Sent",
    "delivered": "Delivered",
    "opened": "Opened",
    "in_progress": "In progress",
    "completed": "Completed",
    "declined": "Declined",
    "opted_out": "Opted out",
    "delivery_failed": "Delivery failed",
    "expired": "Closed, no reply",
    "no_invitation": "No invitation",
}
# GOV.UK tag colours: problems red/orange, done green, waiting grey/blue.
STATE_TAG_CLASSES = {
    "not_sent": "govuk-tag--grey", "sent": "govuk-tag--blue", "delivered": "govuk-tag--light-blue",
    "opened": "govuk-tag--turquoise", "in_progress": "govuk-tag--yellow", "completed": "govuk-tag--green",
    "declined": "govuk-tag--orange", "opted_out": "govuk-tag--orange", "delivery_failed": "govuk-tag--red",
    "expired": "govuk-tag--grey", "no_invitation": "govuk-tag--grey",
}
_FAILED_MESSAGE = ("failed", "undelivered")
_DELIVERED_MESSAGE = ("delivered", "read")
_SENT_MESSAGE = ("accepted", "queued", "sending", "sent")


def invitation_state(status: str | None, delivery_failed: bool, last_message_status: str | None) -> str:
    """Where an invitation is up to, for staff: from its status, its delivery flag and the
    status of the latest text we sent for it. What the person did beats what the network said."""
    if status is None:
        return "no_invitation"
    if status in ("completed", "declined", "opted_out", "in_progress", "opened"):
        return status
    if delivery_failed or last_message_status in _FAILED_MESSAGE:
        return "delivery_failed"
    if last_message_status in _DELIVERED_MESSAGE:
        return "delivered"
    if status == "expired":
        return "expired"
    if status == "sent" or last_message_status in _SENT_MESSAGE:
        return "sent"
    return "not_sent"


VIEWS_LABELS = {"in": "Views in", "partial": "Some views in", "none": "No views yet"}


def views_state(status: str | None, answered: int) -> str:
    if status == "completed":
        return "in"
    return "partial" if answered else "none"


def mask_phone(phone: str | None) -> str | None:
    """07700 900123 -> 07700 900•••: enough to recognise a number, not to ring it."""
    if not phone:
        return None
    try:
        national = phonenumbers.format_number(phonenumbers.parse(phone, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        national = phone
    out, hidden = [], 0
    for ch in reversed(national):
        if ch.isdigit() and hidden < 3:
            out.append("•")
            hidden += 1
        else:
            out.append(ch)
    return "".join(reversed(out))


def phone_for(role: str, phone: str | None) -> str | None:
    if not phone:
        return None
    if role in PHONE_ROLES:
        try:
            return phonenumbers.format_number(phonenumbers.parse(phone, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL)
        except phonenumbers.NumberParseException:
            return phone
    return mask_phone(phone)


THEME_LABELS = {
    "listened_to": "Being listened to", "understanding": "Understanding what is happening",
    "worker_relationship": "Relationship with the worker", "family_contact": "Family time and contact",
    "home_and_care": "Home and care", "safety": "Safety", "education": "Education",
    "health_wellbeing": "Health and wellbeing", "meetings": "Meetings",
    "support_services": "Support and services", "identity_culture": "Identity and culture",
    "rights_advocacy": "Rights and advocacy", "friends_activities": "Friends and activities",
    "communication": "Communication",
}
ROLE_ORDER = {"child": 0, "young_adult": 1, "parent": 2, "carer": 3, "other": 4}
_YES_NO = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
_HIDDEN_KINDS = ("visibility", "advocate")  # shown as "who may see" and advocacy instead


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
    added_after_meeting: bool = False  # received once the meeting had started


def answer_display(question, value, free_text: str | None) -> tuple[str | None, str | None]:
    """(text, emoji) for an answer: a scale or choice shows its label, free text its words."""
    if question is None:
        if free_text:
            return free_text, None
        if isinstance(value, list):
            return ", ".join(str(v) for v in value), None
        return (None if value is None else str(value)), None
    if question.kind == "free_text":
        return free_text, None
    chosen = value if isinstance(value, list) else [value]
    labels, emoji = [], None
    for option_id in chosen:
        if option_id is None:
            continue
        option = question.option(str(option_id)) if question.options else None
        if option is not None:
            labels.append(option.label)
            emoji = emoji or option.emoji
        else:
            labels.append(_YES_NO.get(str(option_id), str(option_id)))
    text = ", ".join(labels) if labels else None
    if free_text:  # an "other, please say" box beside a choice
        text = f"{text}: {free_text}" if text else free_text
    return text, emoji


# Queries: upcoming meetings -------------------------------------------------------------------

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


PAGE_SIZE = 50
SCOPES = ("mine", "team", "all")


def default_scope(user: User) -> str:
    return {"chair": "mine", "worker": "team"}.get(user.role, "all")


def allowed_scopes(user: User) -> tuple[str, ...]:
    if user.role == "worker":
        return ("team",)
    if user.role == "chair":
        return ("mine", "all")
    return ("all",)


def _start_of_london_day(now: datetime) -> datetime:
    local = now.astimezone(LONDON)
    return datetime.combine(local.date(), time(0, 0), tzinfo=LONDON).astimezone(now.tzinfo)


def upcoming_meetings(user: User, now: datetime | None = None, days: int = 14, scope: str | None = None,
                      page: int = 1) -> UpcomingPage:
    """Meetings from the start of today (London) to `days` ahead, soonest first, 50 to a page,
    with each participant's invitation state. Five queries however many meetings there are."""
    now = now or utcnow()
    days = max(1, min(int(days), 90))
    scope = scope if scope in allowed_scopes(user) else default_scope(user)
    start, end = _start_of_london_day(now), now + timedelta(days=days)
    query = (
        select(Meeting.id, Meeting.meeting_ref, Meeting.meeting_type, Meeting.starts_at, Meeting.views_read_at,
               Child.case_ref, Child.team, User.name)
        .join(Child, Meeting.child_id == Child.id)
        .outerjoin(User, Meeting.chair_id == User.id)
        .where(Meeting.starts_at >= start, Meeting.starts_at <= end, Meeting.status != "cancelled")
        .order_by(Meeting.starts_at, Meeting.id)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    if user.role == "worker" or scope == "team":
        query = query.where(Child.team == user.team) if user.team else query.where(False)
    elif scope == "mine":
        query = query.where(Meeting.chair_id == user.id)
    rows = list(db.session.execute(query))
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    meeting_ids = [r.id for r in rows]
    people = participant_states(meeting_ids)
    alerts = _open_alert_counts(meeting_ids)
    advocacy = _open_advocacy_counts(meeting_ids)
    meetings = [
        UpcomingMeeting(
            meeting_ref=r.meeting_ref, meeting_type_label=MEETING_TYPES.get(r.meeting_type, r.meeting_type),
            starts_at=r.starts_at, case_ref=r.case_ref, team=r.team, chair_name=r.name,
            participants=tuple(people.get(r.id, ())), open_alerts=alerts.get(r.id, 0),
            open_advocacy=advocacy.get(r.id, 0), views_read=r.views_read_at is not None,
        )
        for r in rows
    ]
    return UpcomingPage(meetings, start, end, scope, max(page, 1), has_next)


def _latest_invitation_ids(participant_ids: list[int]) -> dict[int, int]:
    if not participant_ids:
        return {}
    rows = db.session.execute(
        select(Invitation.participant_id, func.max(Invitation.id))
        .where(Invitation.participant_id.in_(participant_ids))
        .group_by(Invitation.participant_id)
    )
    return {pid: iid for pid, iid in rows}


def participant_states(meeting_ids: list[int]) -> dict[int, list[UpcomingParticipant]]:
    if not meeting_ids:
        return {}
    participants = list(db.session.execute(
        select(Participant.id, Participant.meeting_id, Participant.role, Participant.display_name)
        .where(Participant.meeting_id.in_(meeting_ids))
    ))
    # Each participant's latest invitation, in one query (a participant is rarely invited twice).
    latest: dict[int, int] = {}
    invitations = {}
    if participants:
        for row in db.session.execute(
            select(Invitation.id, Invitation.participant_id, Invitation.status, Invitation.delivery_failed)
            .where(Invitation.participant_id.in_([p.id for p in participants]))
        ):
            if row.id > latest.get(row.participant_id, 0):
                latest[row.participant_id] = row.id
            invitations[row.id] = row
    invitation_ids = list(latest.values())
    last_message: dict[int, str] = {}
    answered: dict[int, int] = {}
    if invitation_ids:
        newest = (
            select(Message.invitation_id, func.max(Message.id).label("message_id"))
            .where(Message.invitation_id.in_(invitation_ids), Message.direction == "outbound")
            .group_by(Message.invitation_id)
            .subquery()
        )
        last_message = dict(db.session.execute(
            select(newest.c.invitation_id, Message.status).join(Message, Message.id == newest.c.message_id)
        ).all())
        answered = dict(db.session.execute(
            select(Answer.invitation_id, func.count(Answer.id))
            .where(Answer.invitation_id.in_(invitation_ids), Answer.is_current.is_(True), Answer.skipped.is_(False))
            .group_by(Answer.invitation_id)
        ).all())
    out: dict[int, list[UpcomingParticipant]] = defaultdict(list)
    for p in sorted(participants, key=lambda p: (ROLE_ORDER.get(p.role, 9), p.id)):
        invitation_id = latest.get(p.id)
        inv = invitations.get(invitation_id)
        state = invitation_state(inv.status if inv else None, bool(inv and inv.delivery_failed),
                                 last_message.get(invitation_id))
        views = views_state(inv.status if inv else None, answered.get(invitation_id, 0))
        out[p.meeting_id].append(UpcomingParticipant(
            participant_id=p.id, role=p.role, role_label=ROLES.get(p.role, p.role), name=p.display_name,
            state=state, state_label=STATE_LABELS[state], state_class=STATE_TAG_CLASSES[state],
            views=views, views_label=VIEWS_LABELS[views],
        ))
    return out


def _open_alert_counts(meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    return dict(db.session.execute(
        select(Participant.meeting_id, func.count(SafeguardingAlert.id))
        .join(Participant, SafeguardingAlert.participant_id == Participant.id)
        .where(Participant.meeting_id.in_(meeting_ids), SafeguardingAlert.status == "open")
        .group_by(Participant.meeting_id)
    ).all())


def _open_advocacy_counts(meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    return dict(db.session.execute(
        select(Participant.meeting_id, func.count(AdvocacyRequest.id))
        .join(Invitation, AdvocacyRequest.invitation_id == Invitation.id)
        .join(Participant, Invitation.participant_id == Participant.id)
        .where(Participant.meeting_id.in_(meeting_ids), AdvocacyRequest.status != "handled")
        .group_by(Participant.meeting_id)
    ).all())


# Queries: the meeting page ------------------------------------------------------------------

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


def meeting_by_ref(meeting_ref: str) -> Meeting | None:
    if not meeting_ref or len(meeting_ref) > 64:
        return None
    return db.session.scalar(select(Meeting).where(Meeting.meeting_ref == meeting_ref))


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


def load_meeting_page(meeting: Meeting, user: User, now: datetime | None = None) -> MeetingPage:
    """Everything the chair needs about one meeting, with answers the user may not see left out."""
    now = now or utcnow()
    participants = sorted(meeting.participants, key=lambda p: (ROLE_ORDER.get(p.role, 9), p.id))
    latest = _latest_invitation_ids([p.id for p in participants])
    invitation_ids = list(latest.values())
    invitations = {
        i.id: i for i in db.session.scalars(select(Invitation).where(Invitation.id.in_(invitation_ids)))
    } if invitation_ids else {}
    visible_ids = [
        iid for iid, inv in invitations.items() if can_see_answers(user.role, inv.visibility)
    ]
    answers: dict[int, list[Answer]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    alerts: dict[int, str] = {}
    answered_counts: dict[int, int] = {}
    if invitation_ids:
        answered_counts = dict(db.session.execute(
            select(Answer.invitation_id, func.count(Answer.id))
            .where(Answer.invitation_id.in_(invitation_ids), Answer.is_current.is_(True), Answer.skipped.is_(False))
            .group_by(Answer.invitation_id)
        ).all())
    if visible_ids:
        rows = list(db.session.scalars(
            select(Answer).where(Answer.invitation_id.in_(visible_ids), Answer.is_current.is_(True)).order_by(Answer.id)
        ))
        for a in rows:
            answers[a.invitation_id].append(a)
        answer_ids = [a.id for a in rows]
        if answer_ids:
            for answer_id, theme_id in db.session.execute(
                select(ThemeTag.answer_id, ThemeTag.theme_id)
                .where(ThemeTag.answer_id.in_(answer_ids), ThemeTag.rejected.is_(False))
                .order_by(ThemeTag.id)
            ):
                label = THEME_LABELS.get(theme_id, theme_id)
                if label not in tags[answer_id]:
                    tags[answer_id].append(label)
            alerts = dict(db.session.execute(  # every flagged answer is an item of its person's alert
                select(SafeguardingAlertItem.answer_id, SafeguardingAlert.status)
                .join(SafeguardingAlert, SafeguardingAlertItem.alert_id == SafeguardingAlert.id)
                .where(SafeguardingAlertItem.answer_id.in_(answer_ids))
            ).all())
    last_message: dict[int, str] = {}
    planned: dict[int, list[PlannedMessageView]] = defaultdict(list)
    if invitation_ids:
        newest = (
            select(Message.invitation_id, func.max(Message.id).label("message_id"))
            .where(Message.invitation_id.in_(invitation_ids), Message.direction == "outbound")
            .group_by(Message.invitation_id).subquery()
        )
        last_message = dict(db.session.execute(
            select(newest.c.invitation_id, Message.status).join(Message, Message.id == newest.c.message_id)
        ).all())
        for row in db.session.scalars(
            select(ScheduledMessage).where(ScheduledMessage.invitation_id.in_(invitation_ids))
            .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
        ):
            planned[row.invitation_id].append(PlannedMessageView(
                row.kind, row.sequence, row.due_at, row.state, row.reason, row.sent_at))

    views: list[ParticipantView] = []
    for p in participants:
        inv = invitations.get(latest.get(p.id))
        status = inv.status if inv else None
        state = invitation_state(status, bool(inv and inv.delivery_failed), last_message.get(inv.id) if inv else None)
        seen = views_state(status, answered_counts.get(inv.id, 0) if inv else 0)
        visibility = effective_visibility(inv.visibility if inv else None)
        survey = survey_of(inv.survey_id, inv.survey_version) if inv else None
        view = ParticipantView(
            participant_id=p.id, invitation_id=inv.id if inv else None, role=p.role,
            role_label=ROLES.get(p.role, p.role), name=p.display_name, age_band=p.age_band,
            phone=phone_for(user.role, p.phone), channel=inv.channel if inv else p.preferred_channel,
            language=p.language, state=state, state_label=STATE_LABELS[state],
            state_class=STATE_TAG_CLASSES[state], views=seen, views_label=VIEWS_LABELS[seen],
            visibility=visibility, visibility_label=VISIBILITY[visibility],
            visibility_chosen=bool(inv and inv.visibility in VISIBILITY),
            may_see_answers=bool(inv and inv.id in visible_ids),
            advocate_requested=bool(inv and inv.advocate_requested),
            speak_to_chair_alone=bool(inv and inv.speak_to_chair_alone),
            completed_at=inv.completed_at if inv else None,
            survey_title=survey.title if survey else None,
            messages=planned.get(inv.id, []) if inv else [],
        )
        if view.may_see_answers:
            order = {q.id: i for i, q in enumerate(survey.questions)} if survey else {}
            for a in sorted(answers.get(inv.id, []), key=lambda a: (order.get(a.question_id, 999), a.id)):
                question = survey.question(a.question_id) if survey else None
                kind = question.kind if question else ("free_text" if a.free_text else "choice")
                if kind in _HIDDEN_KINDS:
                    continue
                value = json.loads(a.value) if a.value is not None else None
                text, emoji = (None, None) if a.skipped else answer_display(question, value, a.free_text)
                av = AnswerView(
                    answer_id=a.id, question_id=a.question_id, question=question_wording(question, a.question_id),
                    kind=kind, own_words=kind == "free_text", text=text, emoji=emoji, skipped=a.skipped,
                    sentiment=a.sentiment, flagged=a.safeguarding_flag, themes=tuple(tags.get(a.id, ())),
                    alert_status=alerts.get(a.id),
                    needs_interpreter=bool((a.analysis_evidence or {}).get("needs_interpreter")),
                    added_after_meeting=added_after_meeting(a.received_at, meeting.starts_at),
                )
                (view.own_words if av.own_words else view.choices).append(av)
        views.append(view)

    advocacy = [
        AdvocacyView(r.id, r.invitation.participant.display_name, ROLES.get(r.invitation.participant.role, ""),
                     r.status, r.created_at, r.referred_at)
        for r in db.session.scalars(
            select(AdvocacyRequest).where(AdvocacyRequest.invitation_id.in_(invitation_ids), AdvocacyRequest.status != "handled")
            .order_by(AdvocacyRequest.created_at)
        )
    ] if invitation_ids else []
    names = {p.id: p.display_name for p in participants}
    inv_to_participant = {iid: inv.participant_id for iid, inv in invitations.items()}
    recorder_names = dict(db.session.execute(
        select(User.id, User.name).join(Action, Action.recorded_by_id == User.id).where(Action.meeting_id == meeting.id)
    ).all())
    actions = [
        ActionView(a.point, a.decision, names.get(inv_to_participant.get(a.invitation_id)) if a.invitation_id else None,
                   recorder_names.get(a.recorded_by_id), a.recorded_at)
        for a in db.session.scalars(select(Action).where(Action.meeting_id == meeting.id).order_by(Action.recorded_at, Action.id))
    ]
    read_by = db.session.get(User, meeting.views_read_by_id).name if meeting.views_read_by_id else None
    open_alerts = _open_alert_counts([meeting.id]).get(meeting.id, 0)
    return MeetingPage(
        meeting_id=meeting.id, meeting_ref=meeting.meeting_ref,
        meeting_type_label=MEETING_TYPES.get(meeting.meeting_type, meeting.meeting_type),
        starts_at=meeting.starts_at, status=meeting.status, location=meeting.location,
        case_ref=meeting.child.case_ref, service=meeting.child.service, age_band=meeting.child.age_band,
        team=meeting.child.team, chair_name=meeting.chair.name if meeting.chair else None,
        participants=views, advocacy=advocacy, actions=actions,
        views_read_at=meeting.views_read_at, views_read_by=read_by,
        outcome_recorded_at=meeting.outcome_recorded_at, open_alerts=open_alerts,
        shown_invitation_ids=sorted(visible_ids),
        withheld_invitation_ids=sorted(set(invitation_ids) - set(visible_ids)),
        can_record_outcome=can_record_outcome(user.role), can_mark_read=user.role == "chair",
        started=meeting.starts_at <= now,
    )


# Changes ------------------------------------------------------------------------------------

def mark_views_read(meeting: Meeting, user: User, now: datetime | None = None) -> None:
    """The chair has read the views (caller commits; audited)."""
    from voice_service import audit

    meeting.views_read_at = now or utcnow()
    meeting.views_read_by_id = user.id
    audit.record(user, "views_marked_read", meeting)


class OutcomeRefused(ValueError):
    pass


def record_outcome(meeting: Meeting, user: User, point: str, decision: str, invitation_id: int | None = None,
                   now: datetime | None = None) -> Action:
    """Record what was discussed and decided on one point, and plan "you said, we did".

    The first outcome sets Meeting.outcome_recorded_at; the schedule planner then adds a
    `you_said_we_did` message, due at the next decent time, for every invitation whose
    respondent gave their views. Re-planning is idempotent, so further points add no duplicates.
    """
    from voice_service import audit

    now = now or utcnow()
    if meeting.status == "cancelled":
        raise OutcomeRefused("This meeting was cancelled, so there is no outcome to record")
    if meeting.starts_at > now:
        raise OutcomeRefused("You can record what was decided once the meeting has started")
    if invitation_id is not None:
        owner = db.session.scalar(
            select(Participant.meeting_id).join(Invitation, Invitation.participant_id == Participant.id)
            .where(Invitation.id == invitation_id)
        )
        if owner != meeting.id:
            raise OutcomeRefused("Choose someone who was invited to this meeting")
    action = Action(meeting_id=meeting.id, invitation_id=invitation_id, point=point.strip(),
                    decision=decision.strip(), recorded_by_id=user.id, recorded_at=now)
    db.session.add(action)
    if meeting.outcome_recorded_at is None:
        meeting.outcome_recorded_at = now
    if meeting.status == "scheduled":
        meeting.status = "held"
    db.session.flush()
    audit.record(user, "outcome_recorded", meeting, {"action_id": action.id, "invitation_id": invitation_id})
    plan_you_said_we_did(meeting, now)
    return action


def plan_you_said_we_did(meeting: Meeting, now: datetime) -> int:
    """Re-plan the meeting's invitations (the planner adds "you said, we did" for those who
    answered). Returns how many such messages are now pending."""
    from voice_service.scheduling.service import plan_meeting_messages

    plan_meeting_messages(meeting, now)
    invitation_ids = [i.id for p in meeting.participants for i in p.invitations]
    if not invitation_ids:
        return 0
    return db.session.scalar(
        select(func.count(ScheduledMessage.id)).where(
            ScheduledMessage.invitation_id.in_(invitation_ids), ScheduledMessage.kind == "you_said_we_did",
            ScheduledMessage.state == "pending",
        )
    ) or 0
