"""Messages and opt-outs in the database: whether a number texted STOP, recording STOP and
START. Nothing here commits: the webhook, the status callback or the sender commits.
"""
from __future__ import annotations

import logging

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from voice_service.extensions import db
from voice_service.models import OptOut

log = logging.getLogger(__name__)


def is_opted_out(hashed: str | None) -> bool:
    if not hashed:
        return False
    return db.session.scalar(select(OptOut.id).where(OptOut.phone_hash == hashed)) is not None


def record_opt_out(hashed: str, keyword: str) -> None:
    """Opt the number out of every future text (idempotent, safe under concurrency)."""
    if is_opted_out(hashed):
        return
    try:
        with db.session.begin_nested():
            db.session.add(OptOut(phone_hash=hashed, keyword=keyword[:16]))
    except IntegrityError:
        pass  # another request recorded it first
    log.info("number opted out", extra={"keyword": keyword[:16]})


def remove_opt_out(hashed: str) -> bool:
    """START / UNSTOP: the number may be texted again. Returns whether it had opted out."""
    return bool(db.session.execute(delete(OptOut).where(OptOut.phone_hash == hashed)).rowcount)
