"""The data-access layer: reads and writes per aggregate, one module each.

* `store.answers`: the current answer to each question; retiring and restoring it.
* `store.messages`: opt-outs (STOP / START) and the texts of a number.
* `store.meetings`: the upcoming list and everything the meeting page reads.
* `store.meeting_import`: a meeting from the case system, created or updated (CSV and API).

Invitations keep their reads and writes in `voice_service.invitations` (token lookup and status
moves); analysis queries stay in `voice_service.analysis.queries`.

Nothing here commits. Transactions are decided at the edge: the web handler, the CLI command or
the clock job commits once its work is done (or rolls back on error), either itself or with
`transactional`, modelled on GOV.UK Notify's `app/dao` decorator.
"""
from __future__ import annotations

import functools
from typing import Callable, TypeVar

from voice_service.extensions import db

T = TypeVar("T")


def transactional(func: Callable[..., T]) -> Callable[..., T]:
    """Commit when `func` returns, roll back (and re-raise) when it raises."""

    @functools.wraps(func)
    def commit_or_rollback(*args, **kwargs) -> T:
        try:
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise

    return commit_or_rollback
