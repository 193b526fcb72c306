"""The counts of closed months, kept so the trends, scorecard and pack pages need not count a
million answers again after every restart.

Every part of the trends is a sum of grouped rows (``queries``, ``learning.scorecard_queries``),
and the rows of one month added to another's give the two months' rows. A month that has ended
changes rarely, so the clock counts it once (``refresh``) and stores its rows in ``month_rollup``;
a page reads the stored months and counts only the rest live: this month, and any month whose
stored rows no longer hold.

When stored rows stop holding:

* an answer or a theme tag in the month is added or changed (a review, a changed answer, a late
  analysis): every flush that touches one raises the month's ``version`` (``_forget_changed``),
  and rows counted at an earlier version are not used. The clock locks a month's rows before it
  counts them, so a change being written while it counts is either in its count or raises the
  version after it;
* a change counted by the meeting or the person instead (a meeting moved or cancelled, an
  invitation that expired, a child's recorded ethnicity corrected): the clock counts every stored
  month again once a day (``RECOUNT_AFTER``), so such a change shows by the next morning.

The stored rows are counts by group, never a word or a person, like the rows they stand for.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session

from voice_service.analysis import queries
from voice_service.analysis.trends import months_between, previous_month
from voice_service.database import begin_writing
from voice_service.extensions import db
from voice_service.models import Answer, ThemeTag, utcnow
from voice_service.store import rollups as kept

#: Closed months the clock keeps: the longest period the pages offer (24 months) and the month
#: before it, which the monthly report compares with.
KEPT_MONTHS = 25
RECOUNT_AFTER = timedelta(days=1)
Counter = Callable[[str, str], list[dict]]


def scorecard_kind(question_ids: Iterable[str]) -> str:
    """The scorecard's rows depend on which questions its measures map: a new mapping is a new kind."""
    digest = hashlib.sha256(",".join(sorted(question_ids)).encode()).hexdigest()[:12]
    return f"scorecard {digest}"


def parts() -> dict[str, tuple[str, Counter]]:
    """Each part of the trends kept by month: the kind its rows are stored under, and what counts
    it for whole months first..last."""
    from voice_service.learning import scorecard, scorecard_queries

    question_ids = scorecard.question_ids(scorecard.measures())
    return {
        "coverage": ("coverage", queries.coverage_rows),
        "themes": ("themes", queries.theme_rows),
        "sentiment": ("sentiment", queries.sentiment_rows),
        "confirmation": ("confirmation", queries.confirmation_rows),
        "scorecard": (scorecard_kind(question_ids), partial(scorecard_queries.answer_rows, question_ids=question_ids)),
    }


def rows(part: str, first_month: str, last_month: str) -> list[dict]:
    """The rows of one part (a key of `parts()`) for whole months first..last: stored where they
    still hold, counted live where not (one query a run of months)."""
    kind, count = parts()[part]
    months = months_between(first_month, last_month)
    stored = kept.holding(kind, months)
    out: list[dict] = []
    for run in _runs([m for m in months if m not in stored]):
        out.extend(count(run[0], run[-1]))
    for month in months:
        out.extend(stored.get(month, ()))
    return out


def _runs(months: list[str]) -> list[list[str]]:
    """['2026-01', '2026-02', '2026-05'] -> [['2026-01', '2026-02'], ['2026-05']]."""
    runs: list[list[str]] = []
    for month in months:
        if runs and previous_month(month) == runs[-1][-1]:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def kept_months(now: datetime) -> list[str]:
    """The closed months the clock keeps at `now`, oldest first."""
    this_month = queries.month_key(now)
    last = previous_month(this_month)
    first = last
    for _ in range(KEPT_MONTHS - 1):
        first = previous_month(first)
    return months_between(first, last)


def refresh(now: datetime | None = None, progress: Callable[[str], None] = lambda _: None) -> int:
    """Count each kept month of each part whose stored rows are missing, no longer hold, or were
    counted more than RECOUNT_AFTER ago; one transaction a month and part. Returns how many."""
    now = now or utcnow()
    counted = 0
    for kind, count in parts().values():
        fresh = kept.counted_since(kind, now - RECOUNT_AFTER)
        db.session.rollback()  # each recount below is a transaction of its own
        for month in kept_months(now):
            if month in fresh:
                continue
            progress(f"{kind}: {month}")
            begin_writing()  # SQLite: the write lock first, so no change lands between the count and the store
            row = kept.locked_for_recount(kind, month)
            # Counted after the lock: every change that made the month stale before it is in the
            # count, and one written while we count waits for our commit and makes it stale after.
            row.rows = count(month, month)
            row.counted_version = row.version
            row.counted_at = now
            db.session.commit()
            counted += 1
    return counted


def refresh_job() -> dict:
    """The clock's job: keep the closed months' counts stored and holding."""
    return {"months_counted": refresh()}


# -- forgetting what a change makes wrong --------------------------------------------------------

def _forget_changed(session: Session, _flush_context) -> None:
    """After each flush: the closed months whose answers or theme tags it added, changed or
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
