"""Children, their meetings and the people asked for their views."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voice_service.extensions import db
from voice_service.models.types import EncryptedText, UTCDateTime, utcnow

if TYPE_CHECKING:
    from voice_service.models.invitations import Invitation


class Child(db.Model):
    """A child known to the service, by a pseudonymous case reference only."""

    __tablename__ = "child"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(64), unique=True)
    age_band: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(16))
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    # Equality fields: optional, used only for "who is not being heard".
    ethnicity: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(32))
    disability: Mapped[str | None] = mapped_column(String(32))
    case_closed_on: Mapped[date | None] = mapped_column(Date)
    case_closure_reason: Mapped[str | None] = mapped_column(String(16))  # vocab.CLOSURE_REASONS
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meetings: Mapped[list[Meeting]] = relationship(back_populates="child")


class Meeting(db.Model):
    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_ref: Mapped[str] = mapped_column(String(64), unique=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    meeting_type: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    location: Mapped[str | None] = mapped_column(String(200))
    outcome_notes: Mapped[str | None] = mapped_column(EncryptedText)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    views_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    views_read_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    child: Mapped[Child] = relationship(back_populates="meetings")
    participants: Mapped[list[Participant]] = relationship(back_populates="meeting", order_by="Participant.id")
    chair = relationship("User", foreign_keys=[chair_id])
    worker = relationship("User", foreign_keys=[worker_id])


class Participant(db.Model):
    """Someone asked for their views before a meeting: the child, a parent, a carer..."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("meeting_id", "external_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(64))  # case system's person id
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(EncryptedText)
    age_band: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(EncryptedText)  # E.164, encrypted
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    # Lines of the postal address for letters, newline-separated, encrypted like the phone.
    postal_address: Mapped[str | None] = mapped_column(EncryptedText)
    # How the invitation reaches them (vocab.ROUTES); None: worked out from the contact details.
    route: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="en")
    preferred_channel: Mapped[str] = mapped_column(String(16), default="web")
    easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[bool] = mapped_column(Boolean, default=True)
    safe_to_text: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    invitations: Mapped[list["Invitation"]] = relationship(back_populates="participant")
