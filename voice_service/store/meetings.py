"""Meetings in the database: the upcoming list and everything the meeting page reads, a handful of
set-based queries whatever the number of meetings. Nothing here commits.

Answers the user may not see (meetings.rules.can_see_answers) are never read into the view
model (meetings.views), so no page, print view or export built from it can show them.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from voice_service.analysis.language import language_name
from voice_service.extensions import db
from voice_service.learning.history import added_after_meeting
from voice_service.meetings.rules import (
    HIDDEN_KINDS, PAGE_SIZE, ROLE_ORDER, STATE_LABELS, STATE_TAG_CLASSES, THEME_LABELS, VIEWS_LABELS,
    allowed_scopes, answer_display, can_record_outcome, can_see_answers, default_scope, effective_visibility,
    invitation_state, phone_for, views_state,
)
from voice_service.meetings.views import (
    ActionView, AdvocacyView, AnswerView, MeetingPage, ParticipantView, PlannedMessageView, UpcomingMeeting,
    UpcomingPage, UpcomingParticipant, question_wording, survey_of,
)
from voice_service.models import (
    Action, AdvocacyRequest, Answer, Child, Invitation, Meeting, Message, Participant,
    SafeguardingAlert, SafeguardingAlertItem, ScheduledMessage, ThemeTag, User, utcnow,
)
from voice_service.vocab import MEETING_TYPES, ROLES, VISIBILITY

LONDON = ZoneInfo("Europe/London")


# The upcoming list ----------------------------------------------------------------------------

def start_of_london_day(now: datetime) -> datetime:
    local = now.astimezone(LONDON)
    return datetime.combine(local.date(), time(0, 0), tzinfo=LONDON).astimezone(now.tzinfo)


def upcoming_meetings(user: User, now: datetime | None = None, days: int = 14, scope: str | None = None,
                      page: int = 1) -> UpcomingPage:
    """Meetings from the start of today (London) to `days` ahead, soonest first, 50 to a page,
    with each participant's invitation state. Five queries however many meetings there are."""
    now = now or utcnow()
    days = max(1, min(int(days), 90))
    scope = scope if scope in allowed_scopes(user) else default_scope(user)
    start, end = start_of_london_day(now), now + timedelta(days=days)
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
    alerts = open_alert_counts(meeting_ids)
    advocacy = open_advocacy_counts(meeting_ids)
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


def latest_invitation_ids(participant_ids: list[int]) -> dict[int, int]:
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


def open_alert_counts(meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    return dict(db.session.execute(
        select(Participant.meeting_id, func.count(SafeguardingAlert.id))
        .join(Participant, SafeguardingAlert.participant_id == Participant.id)
        .where(Participant.meeting_id.in_(meeting_ids), SafeguardingAlert.status == "open")
        .group_by(Participant.meeting_id)
    ).all())


def open_advocacy_counts(meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    return dict(db.session.execute(
        select(Participant.meeting_id, func.count(AdvocacyRequest.id))
        .join(Invitation, AdvocacyRequest.invitation_id == Invitation.id)
        .join(Participant, Invitation.participant_id == Participant.id)
        .where(Participant.meeting_id.in_(meeting_ids), AdvocacyRequest.status != "handled")
        .group_by(Participant.meeting_id)
    ).all())


# The meeting page -----------------------------------------------------------------------------

def meeting_by_ref(meeting_ref: str) -> Meeting | None:
    if not meeting_ref or len(meeting_ref) > 64:
        return None
    return db.session.scalar(select(Meeting).where(Meeting.meeting_ref == meeting_ref))


def case_participants(child_id: int, roles: tuple[str, ...], except_type: str) -> list[Participant]:
    """Everyone in `roles` on the child's meetings other than those of `except_type`, latest meeting
    first (so the first record of each person is their latest)."""
    return list(db.session.scalars(
        select(Participant).join(Meeting).where(Meeting.child_id == child_id, Meeting.meeting_type != except_type,
                                                Participant.role.in_(roles))
        .order_by(Meeting.starts_at.desc(), Participant.id)
    ))


def meetings_starting(start: datetime | None = None, end: datetime | None = None, status: str | None = None,
                      limit: int = 50) -> list[Meeting]:
    """Meetings starting from `start` to `end` (either open), optionally in one status, soonest first,
    at most `limit` (the case system's list)."""
    query = select(Meeting).join(Child).order_by(Meeting.starts_at, Meeting.id)
    if start is not None:
        query = query.where(Meeting.starts_at >= start)
    if end is not None:
        query = query.where(Meeting.starts_at <= end)
    if status is not None:
        query = query.where(Meeting.status == status)
    return list(db.session.scalars(query.limit(limit)))


def decisions_with_roles(meeting_id: int) -> list[tuple[Action, str | None]]:
    """The meeting's recorded decisions in the order recorded, each with the role of whoever raised
    its point (None: raised by the meeting itself)."""
    return [(action, role) for action, role in db.session.execute(
        select(Action, Participant.role)
        .outerjoin(Invitation, Invitation.id == Action.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .where(Action.meeting_id == meeting_id)
        .order_by(Action.id)
    )]


def load_meeting_page(meeting: Meeting, user: User, now: datetime | None = None) -> MeetingPage:
    """Everything the chair needs about one meeting, with answers the user may not see left out."""
    now = now or utcnow()
    participants = sorted(meeting.participants, key=lambda p: (ROLE_ORDER.get(p.role, 9), p.id))
    latest = latest_invitation_ids([p.id for p in participants])
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
                if kind in HIDDEN_KINDS:
                    continue
                value = json.loads(a.value) if a.value is not None else None
                text, emoji = (None, None) if a.skipped else answer_display(question, value, a.free_text)
                av = AnswerView(
                    answer_id=a.id, question_id=a.question_id, question=question_wording(question, a.question_id),
                    kind=kind, own_words=kind == "free_text", text=text, emoji=emoji, skipped=a.skipped,
                    sentiment=a.sentiment, flagged=a.safeguarding_flag, themes=tuple(tags.get(a.id, ())),
                    alert_status=alerts.get(a.id),
                    needs_interpreter=bool((a.analysis_evidence or {}).get("needs_interpreter")),
                    language=language_name((a.analysis_evidence or {}).get("language")),
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
    open_alerts = open_alert_counts([meeting.id]).get(meeting.id, 0)
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


def meeting_id_of_invitation(invitation_id: int) -> int | None:
    """The meeting the invitation belongs to (None: no such invitation)."""
    return db.session.scalar(
        select(Participant.meeting_id).join(Invitation, Invitation.participant_id == Participant.id)
        .where(Invitation.id == invitation_id)
    )


def meeting_decisions(meeting_id: int) -> list[Action]:
    """The meeting's recorded decisions in the order recorded."""
    return list(db.session.scalars(select(Action).where(Action.meeting_id == meeting_id).order_by(Action.id)))


def meeting_participants(meeting_id: int, roles: tuple[str, ...]) -> list[Participant]:
    """The meeting's people in `roles`, in the order added."""
    return list(db.session.scalars(select(Participant).where(
        Participant.meeting_id == meeting_id, Participant.role.in_(roles)).order_by(Participant.id)))


def meetings_held_between(start: datetime, end: datetime, except_types: tuple[str, ...]) -> list[Meeting]:
    """Meetings that started after `start` and by `end`, not cancelled, of any type but those, earliest first."""
    return list(db.session.scalars(select(Meeting).where(
        Meeting.starts_at <= end, Meeting.starts_at > start, Meeting.status != "cancelled",
        Meeting.meeting_type.not_in(except_types)).order_by(Meeting.starts_at)))


def existing_meeting_refs(refs: list[str]) -> set[str]:
    """Those of the references that a meeting already has."""
    return set(db.session.scalars(select(Meeting.meeting_ref).where(Meeting.meeting_ref.in_(refs))))
