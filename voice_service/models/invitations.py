"""Invitations to give views, the answers given, and requests for an advocate."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voice_service.extensions import db
from voice_service.models.types import EncryptedJSON, EncryptedText, UTCDateTime, utcnow

if TYPE_CHECKING:
    from voice_service.models.analysis import ThemeTag


class Invitation(db.Model):
    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    survey_id: Mapped[str] = mapped_column(String(80))
    survey_version: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Random per-invitation secret the private link is derived from; a new one revokes the link.
    link_salt: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    channel: Mapped[str] = mapped_column(String(16), default="web")
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who the respondent allows to see the answers (vocab.VISIBILITY); None until they choose.
    visibility: Mapped[str | None] = mapped_column(String(24))
    advocate_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    speak_to_chair_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where an SMS / web chat conversation is up to (conversation engine state, plain data).
    conversation_state: Mapped[dict | None] = mapped_column(JSON)
    delivery_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Helped to answer": the member of staff who helped on a tablet, and how (vocab.ASSISTANCE).
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    assisted_how: Mapped[list | None] = mapped_column(JSON)
    assisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    participant = relationship("Participant", back_populates="invitations")
    answers: Mapped[list[Answer]] = relationship(back_populates="invitation", order_by="Answer.id")


class Answer(db.Model):
    """One answer to one question. One current answer per question; earlier ones are kept."""

    __tablename__ = "answer"
    __table_args__ = (
        Index(
            "uq_answer_current",
            "invitation_id",
            "question_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    # Chosen option id(s) or scale value, as a JSON-encoded string; None for a skipped question.
    value: Mapped[str | None] = mapped_column(Text)
    free_text: Mapped[str | None] = mapped_column(EncryptedText)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    # Analysis of free text (suggestions, with their evidence on ThemeTag / here).
    sentiment: Mapped[str | None] = mapped_column(String(16))
    sentiment_source: Mapped[str | None] = mapped_column(String(16))
    safeguarding_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    analysis_evidence: Mapped[dict | None] = mapped_column(EncryptedJSON)
    analysis_version: Mapped[str | None] = mapped_column(String(32))
    analysed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redacted_text: Mapped[str | None] = mapped_column(EncryptedText)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invitation: Mapped[Invitation] = relationship(back_populates="answers")
    tags: Mapped[list["ThemeTag"]] = relationship(back_populates="answer")


class AdvocacyRequest(db.Model):
    __tablename__ = "advocacy_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notes: Mapped[str | None] = mapped_column(EncryptedText)

    invitation: Mapped[Invitation] = relationship()
