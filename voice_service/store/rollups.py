"""The kept counts of closed periods (``month_rollup``): read where they still hold, locked for
a recount, made stale by a change, and the days of a month that has closed dropped. What they
are for and when they are counted is ``voice_service.analysis.rollups``. Nothing here commits:
the clock's job does.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from voice_service.analysis.queries import day_key
from voice_service.extensions import db
from voice_service.models import MonthRollup, utcnow


def holding(kind: str, periods: list[str]) -> dict[str, list]:
    """The stored rows of `kind` for those of `periods` counted since their last change."""
    return dict(db.session.execute(
        select(MonthRollup.period, MonthRollup.rows).where(
            MonthRollup.kind == kind, MonthRollup.period.in_(periods), MonthRollup.rows.is_not(None),
            MonthRollup.counted_version == MonthRollup.version)
    ).all())


def counted_since(kind: str, moment: datetime) -> set[str]:
    """The periods of `kind` counted at `moment` or later and unchanged since."""
    return set(db.session.scalars(select(MonthRollup.period).where(
        MonthRollup.kind == kind, MonthRollup.rows.is_not(None), MonthRollup.counted_version == MonthRollup.version,
        MonthRollup.counted_at >= moment)))


def locked_for_recount(kind: str, period: str) -> MonthRollup:
    """The period's row, locked until the transaction ends (made, empty, when there is none), so
    a change being written to the period waits for the recount and makes it stale after."""
    row = db.session.get(MonthRollup, (kind, period), with_for_update=True, populate_existing=True)
    if row is None:
        row = MonthRollup(kind=kind, period=period, version=0)
        db.session.add(row)
        db.session.flush()
    return row


def drop_days_before(month: str) -> int:
    """Forget the day counts of months before `month` (their month is counted whole instead)."""
    return db.session.execute(delete(MonthRollup).where(
        func.length(MonthRollup.period) == 10, MonthRollup.period < month)).rowcount


def make_stale(session: Session, moments: Iterable[datetime]) -> None:
    """The kept counts of every closed period a moment falls in no longer hold (all kinds): its
    month, and its day when the month is still open. Today has none: it is always counted live."""
    dialect = session.get_bind().dialect.name
    today = day_key(utcnow(), dialect)
    days = {d for d in (day_key(t, dialect) for t in moments) if d < today}
    periods = {d[:7] for d in days if d[:7] < today[:7]} | {d for d in days if d[:7] == today[:7]}
    if periods:
        session.execute(update(MonthRollup).where(MonthRollup.period.in_(sorted(periods)))
                        .values(version=MonthRollup.version + 1).execution_options(synchronize_session=False))
