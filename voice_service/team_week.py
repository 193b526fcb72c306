"""The team managers' weekly view (issue 18, item 7): per team, for one London week (Monday to
Sunday), counts only, never a name or an answer:

- meetings in the week, and the consultations for them: sent (any invitation past "scheduled")
  and answered (in progress, completed, or any current answer: the trends' own definition,
  analysis.queries.RESPONDED_STATUSES);
- of the week's meetings that have started, how many had their views read before they began;
- safeguarding alerts open now (not yet acknowledged) and the age of the oldest, and those
  acknowledged but not yet actioned;
- outcomes overdue now: meetings held OUTCOME_DUE_DAYS to OUTCOME_LOOKBACK_DAYS ago, not
  cancelled, with no outcome recorded (any week: the backlog a manager chases).

There is no "team manager" role: admins, QA and chairs see every team; a worker (a team manager
is given the worker role with their team) sees their own team only, as on the meetings list.
Questionnaires sent after (Experience of Service, how a meeting went) are not meetings and are left out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, func, literal, or_, select

from voice_service.extensions import db
from voice_service.models import Answer, Child, Invitation, Meeting, Participant, SafeguardingAlert, User, utcnow

LONDON = ZoneInfo("Europe/London")
OUTCOME_DUE_DAYS = 7
OUTCOME_LOOKBACK_DAYS = 90  # older meetings without an outcome are history, not a manager's backlog
#: Questionnaires after (Experience of Service, how a meeting went) are not meetings to count.
NOT_MEETINGS = ("experience_of_service", "meeting_quality")
NO_TEAM = "No team recorded"


@dataclass
class TeamWeek:
    team: str
    meetings: int = 0
    sent: int = 0
    answered: int = 0
    started: int = 0
    read_before: int = 0
    open_alerts: int = 0
    oldest_open_alert: timedelta | None = None
    acknowledged_alerts: int = 0
    overdue_outcomes: int = 0

    @property
    def answered_percent(self) -> int | None:
        return round(100 * self.answered / self.sent) if self.sent else None

    @property
    def read_percent(self) -> int | None:
        return round(100 * self.read_before / self.started) if self.started else None


def week_bounds(day: date) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) in London, of the week holding `day`, as aware datetimes."""
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(0, 0), tzinfo=LONDON)
    return start, datetime.combine(monday + timedelta(days=7), time(0, 0), tzinfo=LONDON)


def age_words(age: timedelta | None) -> str:
    if age is None:
        return ""
    hours = int(age.total_seconds() // 3600)
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"


def _scope(query, user: User):
    if user.role == "worker":
        return query.where(Child.team == user.team) if user.team else query.where(False)
    return query


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        from datetime import timezone

        return moment.replace(tzinfo=timezone.utc)
    return moment


def team_week(user: User, day: date, now: datetime | None = None) -> list[TeamWeek]:
    """One row per team the user may see that had anything this week or has anything open now."""
    now = now or utcnow()
    start, end = week_bounds(day)
    rows: dict[str, TeamWeek] = {}

    def row(team: str | None) -> TeamWeek:
        name = team or NO_TEAM
        return rows.setdefault(name, TeamWeek(name))

    in_week = (Meeting.starts_at >= start, Meeting.starts_at < end, Meeting.status != "cancelled",
               Meeting.meeting_type.not_in(NOT_MEETINGS))
    meeting_rows = db.session.execute(_scope(
        select(Child.team, Meeting.starts_at, Meeting.views_read_at).select_from(Meeting).join(Child, Child.id == Meeting.child_id)
        .where(*in_week), user))
    for team, starts_at, read_at in meeting_rows:
        r = row(team)
        r.meetings += 1
        starts_at, read_at = _aware(starts_at), _aware(read_at)
        if starts_at <= now:
            r.started += 1
            r.read_before += int(read_at is not None and read_at <= starts_at)

    answered = exists().where(Answer.invitation_id == Invitation.id, Answer.is_current.is_(True),
                              Answer.skipped.is_(False))
    from voice_service.analysis.queries import RESPONDED_STATUSES

    responded = case((or_(Invitation.status.in_(RESPONDED_STATUSES), answered), literal(1)), else_=literal(0))
    for team, sent, replied in db.session.execute(_scope(
            select(Child.team, func.count(), func.sum(responded))
            .select_from(Invitation).join(Participant, Participant.id == Invitation.participant_id)
            .join(Meeting, Meeting.id == Participant.meeting_id).join(Child, Child.id == Meeting.child_id)
            .where(*in_week, Invitation.status != "scheduled").group_by(Child.team), user)):
        r = row(team)
        r.sent, r.answered = int(sent), int(replied or 0)

    for team, status, raised_at in db.session.execute(_scope(
            select(Child.team, SafeguardingAlert.status, SafeguardingAlert.raised_at)
            .select_from(SafeguardingAlert)
            .outerjoin(Participant, Participant.id == SafeguardingAlert.participant_id)
            .outerjoin(Meeting, Meeting.id == Participant.meeting_id).outerjoin(Child, Child.id == Meeting.child_id)
            .where(SafeguardingAlert.status.in_(("open", "acknowledged"))), user)):
        r = row(team)
        if status == "open":
            r.open_alerts += 1
            age = now - _aware(raised_at)
            r.oldest_open_alert = max(age, r.oldest_open_alert or age)
        else:
            r.acknowledged_alerts += 1

    for team, n in db.session.execute(_scope(
            select(Child.team, func.count()).select_from(Meeting).join(Child, Child.id == Meeting.child_id)
            .where(Meeting.starts_at < now - timedelta(days=OUTCOME_DUE_DAYS),
                   Meeting.starts_at >= now - timedelta(days=OUTCOME_LOOKBACK_DAYS), Meeting.status != "cancelled",
                   Meeting.meeting_type.not_in(NOT_MEETINGS), Meeting.outcome_recorded_at.is_(None))
            .group_by(Child.team), user)):
        row(team).overdue_outcomes = int(n)

    return sorted(rows.values(), key=lambda r: (r.team == NO_TEAM, r.team.lower()))
