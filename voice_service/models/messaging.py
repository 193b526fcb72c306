"""Messages sent and received, the per-person schedule, and opt-outs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voice_service.extensions import db
from voice_service.models.types import EncryptedText, UTCDateTime, utcnow


class Message(db.Model):
    """One SMS/WhatsApp message in or out. Our id exists before the provider is called."""

    __tablename__ = "message"
    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # inbound | outbound
    channel: Mapped[str] = mapped_column(String(16), default="sms")
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), index=True)
    scheduled_message_id: Mapped[int | None] = mapped_column(ForeignKey("scheduled_message.id"), index=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    to_address: Mapped[str | None] = mapped_column(EncryptedText)
    from_address: Mapped[str | None] = mapped_column(EncryptedText)
    body: Mapped[str | None] = mapped_column(EncryptedText)
    # For an inbound message: the reply we gave, so a webhook retry gets the same reply.
    reply_body: Mapped[str | None] = mapped_column(EncryptedText)
    segments: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(String(200))  # an email's subject (neutral words)
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    error_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    invitation = relationship("Invitation")


class ScheduledMessage(db.Model):
    """One planned message for one invitation. Rows, not APScheduler jobs: queryable, movable."""

    __tablename__ = "scheduled_message"
    __table_args__ = (
        UniqueConstraint("invitation_id", "kind", "sequence", name="uq_scheduled_message_step"),
        Index("ix_scheduled_message_due", "state", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(String(200))  # why failed / cancelled / missed
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    invitation = relationship("Invitation")


class OptOut(db.Model):
    """A number that texted STOP. Keyed by phone hash; START removes the row (kept in audit)."""

    __tablename__ = "opt_out"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    keyword: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
