"""Messages and opt-outs in the database: a stored text locked for its answer or its delivery
status; whether a number texted STOP, recording STOP and START. Nothing here commits: the
webhook (messaging/inbound.py), the status callback (messaging/status.py) or the sender commits.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from voice_service.extensions import db
from voice_service.models import Message, OptOut, utcnow

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


def claim(message_id: int) -> str | None:
    """Lock the stored row until commit; return the reply already given (None: not answered yet).

    One statement on both databases: the UPDATE takes PostgreSQL's row lock (a concurrent
    delivery of the same message waits here) and SQLite's write lock, and RETURNING reads the
    row as the lock holder sees it.
    """
    row = db.session.execute(
        update(Message).where(Message.id == message_id).values(updated_at=utcnow())
        .returning(Message.reply_body)
        .execution_options(synchronize_session=False)
    ).one()
    return row.reply_body


def lock_message(message_id: int) -> Message:
    """The row as an object, locked until commit (delivery status callbacks use it)."""
    claim(message_id)
    return db.session.scalars(
        select(Message).where(Message.id == message_id).execution_options(populate_existing=True)
    ).one()


def latest_outbound_messages(invitation_ids: list[int]) -> dict[int, Message]:
    """invitation id -> the newest message sent for it (invitations with none are left out)."""
    if not invitation_ids:
        return {}
    newest = (select(func.max(Message.id)).where(Message.invitation_id.in_(invitation_ids), Message.direction == "outbound")
              .group_by(Message.invitation_id))
    return {m.invitation_id: m for m in db.session.scalars(select(Message).where(Message.id.in_(newest)))}


def invitations_with_complaints(invitation_ids: list[int]) -> set[int]:
    """Those of the invitations whose email someone reported as spam."""
    if not invitation_ids:
        return set()
    return set(db.session.scalars(
        select(Message.invitation_id).where(Message.invitation_id.in_(invitation_ids), Message.error_code == "complaint")))


def latest_outbound_for_scheduled(scheduled_message_id: int) -> Message | None:
    """The newest text stored for one planned message (None: the provider was never called)."""
    return db.session.scalar(
        select(Message)
        .where(Message.scheduled_message_id == scheduled_message_id, Message.direction == "outbound")
        .order_by(Message.id.desc())
        .limit(1)
    )


def last_text_times(invitation_ids) -> dict[int, datetime]:
    """invitation id -> when the last text went (or may have gone) to it: failed ones left out."""
    return dict(db.session.execute(
        select(Message.invitation_id, func.max(Message.created_at))
        .where(Message.invitation_id.in_(invitation_ids), Message.direction == "outbound", Message.status != "failed")
        .group_by(Message.invitation_id)
    ).all())


def opted_out_among(hashes) -> set[str]:
    """Those of the hashed numbers that texted STOP."""
    hashes = set(hashes)
    return set(db.session.scalars(select(OptOut.phone_hash).where(OptOut.phone_hash.in_(hashes)))) if hashes else set()


def lock_outbound_by_provider_ref(notification_id, reference) -> Message | None:
    """The message we sent that a provider's callback names, by the provider's id (our
    provider_sid) or our reference ``fv-<message id>``, locked until commit; None if neither matches."""
    query = select(Message).where(Message.direction == "outbound").with_for_update()
    if isinstance(notification_id, str) and notification_id:
        found = db.session.scalar(query.where(Message.provider_sid == notification_id[:64]))
        if found is not None:
            return found
    if isinstance(reference, str) and reference.startswith("fv-") and reference[3:].isdigit():
        return db.session.scalar(query.where(Message.id == int(reference[3:])))
    return None


def message_by_id(message_id: int) -> Message | None:
    return db.session.get(Message, message_id)


def message_id_with_sid(provider_sid: str) -> int | None:
    """Our id for the message the provider knows by this SID (None: not one we hold)."""
    return db.session.scalar(select(Message.id).where(Message.provider_sid == provider_sid))


def recent_unsent_outbound(invitation_id: int, limit: int = 5) -> list[Message]:
    """The invitation's newest outbound texts stored but not yet handed to the provider."""
    return list(db.session.scalars(
        select(Message)
        .where(Message.invitation_id == invitation_id, Message.direction == "outbound",
               Message.provider_sid.is_(None), Message.status == "accepted")
        .order_by(Message.id.desc())
        .limit(limit)
    ))


def has_email_complaint(invitation_ids: list[int]) -> bool:
    """Whether someone reported an email sent for any of these invitations as spam."""
    if not invitation_ids:
        return False
    return db.session.scalar(
        select(Message.id).where(Message.invitation_id.in_(invitation_ids), Message.channel == "email",
                                 Message.error_code == "complaint").limit(1)
    ) is not None
