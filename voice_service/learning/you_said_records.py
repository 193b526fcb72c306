"""'You said, we did' in the database: finding the person behind a link, what they said and what
was decided, their route, and their answer to the follow-up. The caller commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


from voice_service import audit
from voice_service.extensions import db
from voice_service.learning import you_said
from voice_service.models import Invitation, Meeting, User, YouSaidWeDid, utcnow
from voice_service.store.answers import current_answers, has_current_answer
from voice_service.store.invitations import invitation_with_token_hash
from voice_service.store.meetings import meeting_decisions
from voice_service.store.messages import is_opted_out
from voice_service.store.scheduled import state_of
from voice_service.store.you_said import you_said_record


class FollowUpRefused(ValueError):
    pass


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation behind a private link, whether or not it still takes answers (this page
    comes after the meeting); None for an unknown link or a cancelled meeting."""
    from voice_service.crypto import token_hash

    if not token or len(token) > 64:
        return None
    invitation = invitation_with_token_hash(token_hash(token))
    if invitation is None or invitation.participant.meeting.status == "cancelled":
        return None
    return invitation


def gave_views(invitation: Invitation) -> bool:
    if invitation.status == "completed":
        return True
    return has_current_answer(invitation.id)


def route_of(invitation: Invitation) -> str:
    p = invitation.participant
    opted_out = is_opted_out(p.phone_hash)
    return you_said.route_for(role=p.role, has_phone=bool(p.phone), safe_to_text=bool(p.safe_to_text),
                              consent=bool(p.consent), opted_out=opted_out, has_email=bool(p.email),
                              preferred_channel=p.preferred_channel)


def record_for(invitation: Invitation) -> YouSaidWeDid:
    """The person's record, made the first time it is needed (the route is worked out then)."""
    found = you_said_record(invitation.id)
    if found is None:
        found = YouSaidWeDid(invitation_id=invitation.id, route=route_of(invitation), created_at=utcnow())
        db.session.add(found)
        db.session.flush()
    return found


@dataclass(frozen=True)
class PageData:
    said: list[you_said.Said]
    decided: list[you_said.Decided]
    follow_up_open: bool
    follow_up_answer: str | None


def page_data(invitation: Invitation, survey, now: datetime | None = None) -> PageData:
    """What they said (as they allowed) and what was decided, with the follow-up's state."""
    now = now or utcnow()
    meeting = invitation.participant.meeting
    rows = current_answers(invitation).values()
    order = {q.id: i for i, q in enumerate(survey.questions)} if survey else {}
    answers = []
    for a in sorted(rows, key=lambda a: (order.get(a.question_id, 999), a.id)):
        question = survey.question(a.question_id) if survey else None
        answers.append({"question": question.wording.web if question else "", "free_text": a.free_text,
                        "skipped": a.skipped, "flagged": a.safeguarding_flag})
    actions = [
        {"invitation_id": a.invitation_id, "point": a.point, "decision": a.decision}
        for a in meeting_decisions(meeting.id)
    ]
    record = record_for(invitation)
    return PageData(
        said=you_said.what_they_said(answers),
        decided=you_said.what_was_decided(actions, invitation.id),
        follow_up_open=you_said.follow_up_open(meeting.outcome_recorded_at, now, record.follow_up_answer is not None),
        follow_up_answer=record.follow_up_answer,
    )


def note_viewed(invitation: Invitation, now: datetime | None = None) -> None:
    record = record_for(invitation)
    if record.first_viewed_at is None:
        record.first_viewed_at = now or utcnow()


def answer_follow_up(invitation: Invitation, answer: str, now: datetime | None = None) -> YouSaidWeDid:
    """Store the answer to "did it happen?" once; a second answer changes it (the latest counts)."""
    now = now or utcnow()
    if answer not in you_said.FOLLOW_UP_ANSWERS:
        raise FollowUpRefused("Choose one of the answers")
    meeting = invitation.participant.meeting
    record = record_for(invitation)
    if meeting.outcome_recorded_at is None or now < you_said.follow_up_due(meeting.outcome_recorded_at):
        raise FollowUpRefused("This question opens a month after the meeting")
    record.follow_up_answer = answer
    record.follow_up_at = now
    return record


@dataclass(frozen=True)
class PersonRoute:
    invitation_id: int
    name: str
    role: str
    route: str
    route_label: str
    state: str  # not_needed | waiting | sent | handed_over | to_hand_over
    viewed: bool
    follow_up_answer: str | None


def meeting_routes(meeting: Meeting) -> list[PersonRoute]:
    """For staff: how each person who gave views gets "you said, we did", and where it is up to."""
    out = []
    for participant in meeting.participants:
        for invitation in participant.invitations:
            if not gave_views(invitation):
                continue
            record = record_for(invitation)
            sent = state_of(invitation.id, "you_said_we_did")
            if meeting.outcome_recorded_at is None:
                state = "waiting"
            elif record.handed_over_at is not None or sent == "sent":
                state = "handed_over" if record.handed_over_at else "sent"
            elif record.route == "text":
                state = "waiting"
            else:
                state = "to_hand_over"
            out.append(PersonRoute(invitation.id, participant.display_name, participant.role, record.route,
                                   you_said.ROUTES[record.route], state, record.first_viewed_at is not None,
                                   record.follow_up_answer))
    return out


def mark_handed_over(invitation: Invitation, user: User, now: datetime | None = None) -> None:
    record = record_for(invitation)
    record.handed_over_at = now or utcnow()
    record.handed_over_by_id = user.id
    audit.record(user, "you_said_we_did_handed_over", invitation, {"route": record.route})
