"""After the meeting: "you said, we did" for each person, and QA's Learning Loop actions."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voice_service.extensions import db
from voice_service.models.types import EncryptedJSON, EncryptedText, UTCDateTime, utcnow


class YouSaidWeDid(db.Model):
    """One person's "you said, we did": how it reaches them, when they read it, and their
    answer a month later to "did it happen?" (a measure in the trends)."""

    __tablename__ = "you_said_we_did"
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), unique=True)
    route: Mapped[str] = mapped_column(String(16))  # text | email | letter | in_person
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # letter posted / given in person
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    first_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_answer: Mapped[str | None] = mapped_column(String(16))  # yes | partly | no | not_sure
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation = relationship("Invitation")


class LearningAction(db.Model):
    """A finding turned into work: who owns it, by when, and the measure it should move."""

    __tablename__ = "learning_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    finding_kind: Mapped[str] = mapped_column(String(16))  # theme | measure | review
    finding_ref: Mapped[str] = mapped_column(String(64))   # theme id, measure id, or a review note
    measure_id: Mapped[str] = mapped_column(String(40))     # the scorecard measure it should move
    service: Mapped[str | None] = mapped_column(String(16))  # None: every service
    owner_name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    due_on: Mapped[date] = mapped_column(Date)
    started_on: Mapped[date] = mapped_column(Date)  # "before" is the months up to this day
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | in_progress | done | dropped
    plain_words: Mapped[str | None] = mapped_column(String(600))  # what the Family Advisory Group reads
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    notes: Mapped[list["LearningActionNote"]] = relationship(
        back_populates="action", order_by="LearningActionNote.id")


class LearningActionNote(db.Model):
    """Status and notes over time (never edited: a new note is added)."""

    __tablename__ = "learning_action_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("learning_action.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action = relationship("LearningAction", back_populates="notes")


class SourceFeedback(db.Model):
    """Feedback gathered elsewhere (learning conversations, complaints and compliments, forums),
    recorded or imported by staff and coded by the same analysis as answers (other_voices.py).
    No names: the words are encrypted at rest like answers."""

    __tablename__ = "source_feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32), index=True)  # other_voices.SOURCES
    gathered_on: Mapped[date] = mapped_column(Date, index=True)
    service: Mapped[str | None] = mapped_column(String(16))
    team: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(EncryptedText)
    themes: Mapped[list | None] = mapped_column(JSON)
    sentiment: Mapped[str | None] = mapped_column(String(16))
    safeguarding: Mapped[bool] = mapped_column(Boolean, default=False)
    model_version: Mapped[str | None] = mapped_column(String(32))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The analysis as answers keep it (answers.apply_analysis): evidence, redacted words, language.
    analysis_evidence: Mapped[dict | None] = mapped_column(EncryptedJSON)
    redacted_text: Mapped[str | None] = mapped_column(EncryptedText)
    language: Mapped[str | None] = mapped_column(String(16))
    needs_interpreter: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Why it waits in the review queue (other_voices.REVIEW_REASONS); None: nothing for a person.
    review_reason: Mapped[str | None] = mapped_column(String(24), index=True)
    sentiment_source: Mapped[str | None] = mapped_column(String(16))  # model | person
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
