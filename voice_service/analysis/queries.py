"""The SQL side of trends: plain rows, aggregated in the database.

Every function groups in SQL (GROUP BY over the finest grain the trends need) and returns a list
of plain dicts, so the roll-ups and suppression in ``voice_service.analysis.trends`` stay pure
and a million answers never come into Python one by one. Only quotes, alert times and "you
said, we did" examples come back as individual rows, each query bounded by a LIMIT or a month.

Months are calendar months in London time on PostgreSQL; on SQLite (the one-machine demo) they
are UTC months, because SQLite has no time zones.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, literal, or_, select, text

from voice_service.extensions import db
from voice_service.models import (
    Action, Answer, Child, Invitation, Meeting, Participant, SafeguardingAlert, SharedQuote, ThemeTag,
)
from voice_service.analysis.quote_approval import meeting_names
from voice_service.analysis.trends import SHAREABLE_VISIBILITY

LONDON = ZoneInfo("Europe/London")
RESPONDED_STATUSES = ("in_progress", "completed")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def month_start(month: str) -> datetime:
    """The first moment of `month` ('2026-10') as an aware UTC datetime."""
    year, mon = (int(p) for p in month.split("-"))
    return datetime(year, mon, 1, tzinfo=_zone()).astimezone(timezone.utc)


def _zone(dialect: str | None = None):
    return LONDON if (dialect or _dialect()) == "postgresql" else timezone.utc


def day_key(moment: datetime, dialect: str | None = None) -> str:
    """The day a moment falls in, 'YYYY-MM-DD', in the queries' time zone (as month_key)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(_zone(dialect)).date().isoformat()


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of a month 'YYYY-MM' or a day 'YYYY-MM-DD', as aware UTC datetimes."""
    if len(period) == 7:
        return bounds(period, period)
    day = date.fromisoformat(period)
    zone = _zone()
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    after = day + timedelta(days=1)
    return start.astimezone(timezone.utc), datetime(after.year, after.month, after.day, tzinfo=zone).astimezone(timezone.utc)


def month_key(moment: datetime, dialect: str | None = None) -> str:
    """The month a moment falls in, as the queries group it: 'YYYY-MM' in London time on
    PostgreSQL, in UTC on SQLite (a naive moment is UTC)."""
    return day_key(moment, dialect)[:7]


def bounds(first_month: str, last_month: str) -> tuple[datetime, datetime]:
    """[start, end) covering whole months first_month..last_month."""
    year, mon = (int(p) for p in last_month.split("-"))
    after = f"{year + 1}-01" if mon == 12 else f"{year}-{mon + 1:02d}"
    return month_start(first_month), month_start(after)


def _for_aggregation() -> None:
    """On PostgreSQL, for the rest of this transaction: no JIT (compiling these one-off GROUP BYs
    cost more than running them: 3 s of a 2 s query over a million answers), and enough memory
    for the grouping sorts to stay off disk."""
    if _dialect() == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))


def _month(column):
    if _dialect() == "postgresql":
        return func.to_char(func.timezone("Europe/London", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _answer_context():
    """answer -> invitation -> participant -> meeting -> child, as one FROM clause."""
    return (
        Answer.__table__
        .join(Invitation.__table__, Invitation.id == Answer.invitation_id)
        .join(Participant.__table__, Participant.id == Invitation.participant_id)
        .join(Meeting.__table__, Meeting.id == Participant.meeting_id)
        .join(Child.__table__, Child.id == Meeting.child_id)
    )


def coverage_rows(start: datetime, end: datetime) -> list[dict]:
    """People asked for their views before meetings held in [start, end), grouped, with whether
    they gave any (a current, non-skipped answer, or an invitation in progress or completed)."""
    _for_aggregation()
    answered = exists().where(
        Answer.invitation_id == Invitation.id, Answer.is_current.is_(True), Answer.skipped.is_(False)
    )
    responded = case((or_(Invitation.status.in_(RESPONDED_STATUSES), answered), literal(True)), else_=literal(False))
    dims = (Participant.role, Participant.age_band, Child.service, Meeting.meeting_type,
            Child.ethnicity, Child.gender, Child.disability, Participant.language, Participant.route)
    query = (
        select(*dims, responded.label("responded"), func.count().label("n"))
        .select_from(
            Invitation.__table__
            .join(Participant.__table__, Participant.id == Invitation.participant_id)
            .join(Meeting.__table__, Meeting.id == Participant.meeting_id)
            .join(Child.__table__, Child.id == Meeting.child_id)
        )
        .where(Meeting.starts_at >= start, Meeting.starts_at < end, Invitation.status != "scheduled",
               Meeting.status != "cancelled")
        .group_by(*dims, responded)
    )
    keys = ("role", "age_band", "service", "meeting_type", "ethnicity", "gender", "disability", "language", "route",
            "responded", "n")
    return [{**dict(zip(keys, row)), "responded": bool(row[9])} for row in db.session.execute(query)]


def _answer_window(start: datetime, end: datetime):
    return and_(Answer.received_at >= start, Answer.received_at < end, Answer.is_current.is_(True))


def theme_rows(start: datetime, end: datetime) -> list[dict]:
    """Answers per theme (rejected tags left out) by month, service, meeting type and role."""
    _for_aggregation()
    month = _month(Answer.received_at).label("month")
    dims = (month, Child.service, Meeting.meeting_type, Participant.role, ThemeTag.theme_id)
    query = (
        select(*dims, func.count().label("n"))
        .select_from(_answer_context().join(ThemeTag.__table__, ThemeTag.answer_id == Answer.id))
        .where(_answer_window(start, end), ThemeTag.rejected.is_(False))
        .group_by(*dims)
    )
    keys = ("month", "service", "meeting_type", "role", "theme", "n")
    return [dict(zip(keys, row)) for row in db.session.execute(query)]


def sentiment_rows(start: datetime, end: datetime) -> list[dict]:
    """Analysed answers per sentiment by month, service, meeting type and role."""
    _for_aggregation()
    month = _month(Answer.received_at).label("month")
    dims = (month, Child.service, Meeting.meeting_type, Participant.role, Answer.sentiment)
    query = (
        select(*dims, func.count().label("n"))
        .select_from(_answer_context())
        .where(_answer_window(start, end), Answer.sentiment.is_not(None))
        .group_by(*dims)
    )
    keys = ("month", "service", "meeting_type", "role", "sentiment", "n")
    return [dict(zip(keys, row)) for row in db.session.execute(query)]


def confirmation_rows(start: datetime, end: datetime) -> list[dict]:
    """Theme tags on the months' answers: confirmed by a person or not, rejected or not."""
    _for_aggregation()
    confirmed = case(
        (or_(ThemeTag.confirmed_at.is_not(None), ThemeTag.source == "person"), literal(True)), else_=literal(False)
    )
    query = (
        select(confirmed.label("confirmed"), ThemeTag.rejected, func.count())
        .select_from(ThemeTag.__table__.join(Answer.__table__, Answer.id == ThemeTag.answer_id))
        .where(_answer_window(start, end))
        .group_by(confirmed, ThemeTag.rejected)
    )
    return [{"confirmed": bool(c), "rejected": bool(r), "n": n} for c, r, n in db.session.execute(query)]


def quote_candidates(first_month: str, last_month: str, themes: list[str], per_theme: int = 12) -> list[dict]:
    """Recent quotes for each theme that a person approved for sharing (quote_approval), in the
    approved words; from respondents who allowed sharing, never one flagged for safeguarding;
    person-confirmed tags first. Bounded: `per_theme` rows a theme."""
    start, end = bounds(first_month, last_month)
    out: list[dict] = []
    for theme in themes:
        query = (
            select(ThemeTag.theme_id, SharedQuote.text, Participant.role, Invitation.visibility,
                   Answer.safeguarding_flag, ThemeTag.confirmed_at)
            .select_from(
                ThemeTag.__table__
                .join(Answer.__table__, Answer.id == ThemeTag.answer_id)
                .join(SharedQuote.__table__, SharedQuote.answer_id == Answer.id)
                .join(Invitation.__table__, Invitation.id == Answer.invitation_id)
                .join(Participant.__table__, Participant.id == Invitation.participant_id)
            )
            .where(_answer_window(start, end), ThemeTag.theme_id == theme, ThemeTag.rejected.is_(False),
                   Invitation.visibility.in_(sorted(SHAREABLE_VISIBILITY)), Answer.safeguarding_flag.is_(False),
                   SharedQuote.decision == "approved", SharedQuote.text.is_not(None))
            .order_by(Answer.received_at.desc(), Answer.id.desc())
            .limit(per_theme)
        )
        rows = [
            {"theme": t, "text": text, "role": role, "visibility": vis, "safeguarding": flag, "confirmed": confirmed is not None}
            for t, text, role, vis, flag, confirmed in db.session.execute(query)
        ]
        rows.sort(key=lambda r: not r["confirmed"])  # stable: newest first within each group
        out.extend(rows)
    return out


def alert_rows(first_month: str, last_month: str) -> list[dict]:
    """Safeguarding alerts raised in the months, with their response times."""
    start, end = bounds(first_month, last_month)
    query = select(SafeguardingAlert.raised_at, SafeguardingAlert.acknowledged_at, SafeguardingAlert.actioned_at,
                   SafeguardingAlert.status).where(SafeguardingAlert.raised_at >= start, SafeguardingAlert.raised_at < end)
    keys = ("raised_at", "acknowledged_at", "actioned_at", "status")
    return [dict(zip(keys, row)) for row in db.session.execute(query)]


def action_counts(first_month: str, last_month: str) -> list[dict]:
    """"You said, we did" actions recorded in the months, by meeting type."""
    start, end = bounds(first_month, last_month)
    query = (
        select(Meeting.meeting_type, func.count())
        .select_from(Action.__table__.join(Meeting.__table__, Meeting.id == Action.meeting_id))
        .where(Action.recorded_at >= start, Action.recorded_at < end)
        .group_by(Meeting.meeting_type)
    )
    return [{"meeting_type": t, "n": n} for t, n in db.session.execute(query)]


def action_examples(first_month: str, last_month: str, limit: int = 5) -> list[dict]:
    """A few recent actions raised by respondents who allowed sharing, redacted (every name the
    service holds for that meeting is removed too)."""
    from voice_service.analysis.trends import scrub

    start, end = bounds(first_month, last_month)
    query = (
        select(Action, Participant.role)
        .join(Invitation, Invitation.id == Action.invitation_id)
        .join(Participant, Participant.id == Invitation.participant_id)
        .where(Action.recorded_at >= start, Action.recorded_at < end,
               Invitation.visibility.in_(sorted(SHAREABLE_VISIBILITY)))
        .order_by(Action.recorded_at.desc(), Action.id.desc())
        .limit(limit)
    )
    out = []
    for action, role in db.session.execute(query):
        names = meeting_names(action.meeting_id)
        out.append({"point": scrub(action.point or "", names), "decision": scrub(action.decision or "", names), "role": role})
    return out


def data_version() -> tuple:
    """Cheap marks that change when answers, tags or alerts are added (for caches)."""
    return tuple(db.session.execute(select(
        select(func.max(Answer.id)).scalar_subquery(),
        select(func.max(ThemeTag.id)).scalar_subquery(),
        select(func.max(Invitation.id)).scalar_subquery(),
    )).one())


# Shared with the Learning Loop's queries (voice_service.learning), which group the same way.
def month_of(column):
    """The calendar month of a time column, 'YYYY-MM' (London on PostgreSQL, UTC on SQLite)."""
    return _month(column)


def answer_context():
    """answer -> invitation -> participant -> meeting -> child, as one FROM clause."""
    return _answer_context()


def for_aggregation() -> None:
    """Settings for one-off grouping queries for the rest of the transaction (see _for_aggregation)."""
    _for_aggregation()
