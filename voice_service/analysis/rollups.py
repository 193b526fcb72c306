"""The counts of closed periods, kept so the trends, scorecard and pack pages need not count a
million answers again after every restart.

Every part of the trends is a sum of grouped rows (``queries``, ``learning.scorecard_queries``),
and the rows of one period added to another's give the two periods' rows. A period that has
ended changes rarely, so the clock counts it once (``refresh``) and stores its rows in
``month_rollup``: each closed month, and each closed day of the month still open. A page reads
the stored periods and counts only the rest live (``rows``): today, and any period whose stored
rows no longer hold; so its cost does not grow with the answers already kept.

When stored rows stop holding:

* an answer or a theme tag in the period is added or changed (a review, a changed answer, a
  late analysis): every flush that touches one makes the period stale (``_forget_changed``;
  the bulk retire of an answer says so itself), and the page counts it live until the clock's
  next run. The clock locks a period's row before it counts, so a change being written while it
  counts is either in its count or makes it stale after;
* a change counted by the meeting or the person instead (a meeting moved or cancelled, an
  invitation that expired, a child's recorded ethnicity corrected): the clock counts every kept
  period again once a day (``RECOUNT_AFTER``), so such a change shows by the next morning.

The stored rows are counts by group, never a word or a person, like the rows they stand for.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from functools import partial
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session

from voice_service.analysis import queries, trends
from voice_service.analysis.trends import months_between, previous_month
from voice_service.database import begin_writing
from voice_service.extensions import db
from voice_service.models import Answer, ThemeTag, utcnow
from voice_service.store import rollups as kept

#: Closed months the clock keeps: the longest period the pages offer (24 months) and the month
#: before it, which the monthly report compares with.
KEPT_MONTHS = 25
RECOUNT_AFTER = timedelta(days=1)
Counter = Callable[[datetime, datetime], list[dict]]


def scorecard_kind(question_ids: Iterable[str]) -> str:
    """The scorecard's rows depend on which questions its measures map: a new mapping is a new kind."""
    digest = hashlib.sha256(",".join(sorted(question_ids)).encode()).hexdigest()[:12]
    return f"scorecard {digest}"


def parts() -> dict[str, tuple[str, Counter]]:
    """Each part of the trends kept by period: the kind its rows are stored under, and what counts
    it for a window [start, end)."""
    from voice_service.learning import scorecard, scorecard_queries

    question_ids = scorecard.question_ids(scorecard.measures())
    return {
        "coverage": ("coverage", _coverage_margins),
        "themes": ("themes", queries.theme_rows),
        "sentiment": ("sentiment", queries.sentiment_rows),
        "confirmation": ("confirmation", queries.confirmation_rows),
        "scorecard": (scorecard_kind(question_ids), partial(scorecard_queries.answer_rows, question_ids=question_ids)),
    }


def _coverage_margins(start: datetime, end: datetime) -> list[dict]:
    return trends.coverage_margins(queries.coverage_rows(start, end))


def rows(part: str, first_month: str, last_month: str, now: datetime | None = None) -> list[dict]:
    """The rows of one part (a key of `parts()`) for whole months first..last: stored where they
    still hold, counted live where not (one query a run of periods)."""
    kind, count = parts()[part]
    segments = _segments(first_month, last_month, now or utcnow())
    stored = kept.holding(kind, [period for period, _start, _end in segments if period])
    out: list[dict] = []
    live: list[tuple[datetime, datetime]] = []
    for period, start, end in segments:
        if period in stored:
            out.extend(stored[period])
        elif live and live[-1][1] == start:
            live[-1] = (live[-1][0], end)
        else:
            live.append((start, end))
    for start, end in live:
        out.extend(count(start, end))
    return out


def _segments(first_month: str, last_month: str, now: datetime) -> list[tuple[str | None, datetime, datetime]]:
    """months first..last cut into the periods the clock keeps (closed months; the closed days
    of this month) and, unnamed, the rest from the start of today."""
    today = queries.day_key(now)
    out: list[tuple[str | None, datetime, datetime]] = []
    for month in months_between(first_month, last_month):
        start, end = queries.period_bounds(month)
        if month < today[:7]:
            out.append((month, start, end))
        elif month > today[:7]:
            out.append((None, start, end))
        else:
            for day in _days_before(today):
                out.append((day, *queries.period_bounds(day)))
            out.append((None, queries.period_bounds(today)[0], end))
    return out


def _days_before(today: str) -> list[str]:
    """The days of today's month before it: '2026-12-03' -> ['2026-12-01', '2026-12-02']."""
    day = date.fromisoformat(today)
    return [day.replace(day=d).isoformat() for d in range(1, day.day)]


def kept_periods(now: datetime) -> list[str]:
    """The closed periods the clock keeps at `now`: the last KEPT_MONTHS closed months, oldest
    first, then this month's closed days."""
    today = queries.day_key(now)
    last = previous_month(today[:7])
    first = last
    for _ in range(KEPT_MONTHS - 1):
        first = previous_month(first)
    return months_between(first, last) + _days_before(today)


def refresh(now: datetime | None = None, progress: Callable[[str], None] = lambda _: None) -> int:
    """Count each kept period of each part whose stored rows are missing, no longer hold, or were
    counted more than RECOUNT_AFTER ago, one transaction a period and part; drop the days of
    months now counted whole. Returns how many periods were counted."""
    now = now or utcnow()
    counted = 0
    for kind, count in parts().values():
        fresh = kept.counted_since(kind, now - RECOUNT_AFTER)
        db.session.rollback()  # each recount below is a transaction of its own
        for period in kept_periods(now):
            if period in fresh:
                continue
            progress(f"{kind}: {period}")
            begin_writing()  # SQLite: the write lock first, so no change lands between the count and the store
            row = kept.locked_for_recount(kind, period)
            # Counted after the lock: every change that made the period stale before it is in
            # the count, and one written while we count waits for our commit and makes it stale after.
            row.rows = count(*queries.period_bounds(period))
            row.counted_version = row.version
            row.counted_at = now
            db.session.commit()
            counted += 1
    kept.drop_days_before(queries.month_key(now))
    db.session.commit()
    return counted


def refresh_job() -> dict:
    """The clock's job: keep the closed periods' counts stored and holding."""
    return {"periods_counted": refresh()}


# -- forgetting what a change makes wrong --------------------------------------------------------

def _forget_changed(session: Session, _flush_context) -> None:
    """After each flush: the closed periods whose answers or theme tags it added, changed or
    deleted are stale (the bulk retire of an answer, which no flush sees, says so itself)."""
    changed = [o for o in chain(session.new, session.dirty, session.deleted)
               if isinstance(o, (Answer, ThemeTag)) and (o not in session.dirty or session.is_modified(o))]
    moments = set()
    for obj in changed:
        answer = obj if isinstance(obj, Answer) else (obj.answer or session.get(Answer, obj.answer_id))
        if answer is not None and answer.received_at is not None:
            moments.add(answer.received_at)
    if moments:
        kept.make_stale(session, moments)


def watch_changes() -> None:
    """Forget on every flush (once per process; called by database.init_app)."""
    if not event.contains(Session, "after_flush", _forget_changed):
        event.listen(Session, "after_flush", _forget_changed)
