"""Feedback from other sources in the database (voice_service.other_voices): what waits for a
person in the review queue, and the grouped counts the trends and the monthly pack add as a
source of their own. Nothing here commits.
"""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import String, cast, func, select

from voice_service.extensions import db
from voice_service.models import LabelledExample, SafeguardingAlertItem, SourceFeedback


def _waiting(flagged_only: bool):
    # a reason to read it (other_voices.review_reason) and nobody has yet
    conditions = [SourceFeedback.review_reason.is_not(None), SourceFeedback.reviewed_at.is_(None)]
    if flagged_only:
        conditions.append(SourceFeedback.safeguarding.is_(True))
    return conditions


def waiting_for_review(flagged_only: bool = False, limit: int = 20, offset: int = 0) -> list[SourceFeedback]:
    """Feedback waiting for a person, newest first."""
    return list(db.session.scalars(
        select(SourceFeedback).where(*_waiting(flagged_only))
        .order_by(SourceFeedback.created_at.desc(), SourceFeedback.id.desc()).limit(limit).offset(offset)
    ))


def waiting_count(flagged_only: bool = False) -> int:
    return int(db.session.scalar(select(func.count()).select_from(SourceFeedback).where(*_waiting(flagged_only))) or 0)


def gathered_before(cutoff: date) -> list[SourceFeedback]:
    """Feedback gathered before `cutoff` (the nightly retention's candidates)."""
    return list(db.session.scalars(select(SourceFeedback).where(SourceFeedback.gathered_on < cutoff)))


def get(feedback_id: int) -> SourceFeedback | None:
    return db.session.get(SourceFeedback, feedback_id)


def has_alert(feedback_id: int) -> bool:
    return db.session.scalar(select(SafeguardingAlertItem.id)
                             .where(SafeguardingAlertItem.source_feedback_id == feedback_id).limit(1)) is not None


def labelled_example(feedback_id: int) -> LabelledExample | None:
    return db.session.scalar(select(LabelledExample).where(LabelledExample.source_feedback_id == feedback_id))


def _month(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def month_span(first_month: str, last_month: str) -> tuple[date, date]:
    """The first and last days of whole months first_month..last_month ('2026-10')."""
    year, mon = (int(p) for p in last_month.split("-"))
    after = date(year + 1, 1, 1) if mon == 12 else date(year, mon + 1, 1)
    return date(*(int(p) for p in first_month.split("-")), 1), date.fromordinal(after.toordinal() - 1)


def coded_rows(first: date, last: date) -> list[dict]:
    """Feedback gathered first..last (both days included), grouped in SQL by month, source,
    sentiment and its set of themes (a sorted list, compared as text):
    {"month", "source", "sentiment", "themes", "n"}. The one query behind every count of it."""
    month = _month(SourceFeedback.gathered_on)
    themes = cast(SourceFeedback.themes, String)
    query = (
        select(month, SourceFeedback.source, SourceFeedback.sentiment, themes, func.count())
        .where(SourceFeedback.gathered_on >= first, SourceFeedback.gathered_on <= last)
        .group_by(month, SourceFeedback.source, SourceFeedback.sentiment, themes)
    )
    return [{"month": m, "source": s, "sentiment": sentiment, "themes": json.loads(t) if t else [], "n": int(n)}
            for m, s, sentiment, t, n in db.session.execute(query)]
