"""The kept counts of closed months (``month_rollup``): read where they still hold, locked for
a recount, and made stale by a change. What they are for and when they are counted is
``voice_service.analysis.rollups``. Nothing here commits: the clock's job does.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from voice_service.analysis.queries import month_key
from voice_service.extensions import db
from voice_service.models import MonthRollup, utcnow


def holding(kind: str, months: list[str]) -> dict[str, list]:
    """The stored rows of `kind` for those of `months` counted since their last change."""
    return dict(db.session.execute(
        select(MonthRollup.month, MonthRollup.rows).where(
            MonthRollup.kind == kind, MonthRollup.month.in_(months), MonthRollup.rows.is_not(None),
            MonthRollup.counted_version == MonthRollup.version)
    ).all())


def counted_since(kind: str, moment: datetime) -> set[str]:
    """The months of `kind` counted at `moment` or later and unchanged since."""
    return set(db.session.scalars(select(MonthRollup.month).where(
        MonthRollup.kind == kind, MonthRollup.rows.is_not(None), MonthRollup.counted_version == MonthRollup.version,
        MonthRollup.counted_at >= moment)))


def locked_for_recount(kind: str, month: str) -> MonthRollup:
    """The month's row, locked until the transaction ends (made, empty, when there is none), so
    a change being written to the month waits for the recount and makes it stale after."""
    row = db.session.get(MonthRollup, (kind, month), with_for_update=True, populate_existing=True)
    if row is None:
        row = MonthRollup(kind=kind, month=month, version=0)
        db.session.add(row)
        db.session.flush()
    return row


def make_stale(session: Session, moments: Iterable[datetime]) -> None:
    """The kept counts of every closed month a moment falls in no longer hold (all kinds). A month
    still open has none: it is always counted live."""
    dialect = session.get_bind().dialect.name
    this_month = month_key(utcnow(), dialect)
    months = {m for m in (month_key(t, dialect) for t in moments) if m < this_month}
    if months:
        session.execute(update(MonthRollup).where(MonthRollup.month.in_(sorted(months)))
                        .values(version=MonthRollup.version + 1).execution_options(synchronize_session=False))
