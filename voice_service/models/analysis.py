"""What the analysis suggested about answers, and what people confirmed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voice_service.extensions import db
from voice_service.models.types import EncryptedJSON, EncryptedText, UTCDateTime, utcnow


class ThemeTag(db.Model):
    __tablename__ = "theme_tag"
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id"), index=True)
    theme_id: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(String(16))  # codebook | model | person
    evidence: Mapped[dict | list | None] = mapped_column(EncryptedJSON)
    model_version: Mapped[str | None] = mapped_column(String(32))
    rejected: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answer = relationship("Answer", back_populates="tags")


class SafeguardingAlert(db.Model):
    """A possible disclosure for a person to read today: in an answer, or in a text that reached no
    open questions (an unknown number, one that texted STOP, one with nothing open)."""

    __tablename__ = "safeguarding_alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id"), unique=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), unique=True)
    # feedback from other sources (other_voices.py): recorded by staff, with no person to group by
    source_feedback_id: Mapped[int | None] = mapped_column(ForeignKey("source_feedback.id"), unique=True, index=True)
    evidence: Mapped[dict | list | None] = mapped_column(EncryptedJSON)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actioned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actioned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action_notes: Mapped[str | None] = mapped_column(EncryptedText)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whose alert it is: one open alert per person (a participant belongs to one meeting), or per
    # number for a text from a number with no questions open. Later flagged words join it.
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    model_version: Mapped[str | None] = mapped_column(String(32))
    # "concern" (the default once actioned) or "not_a_concern", with the reason (a labelled example)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_reason: Mapped[str | None] = mapped_column(EncryptedText)

    answer = relationship("Answer")
    message = relationship("Message")
    source_feedback = relationship("SourceFeedback")
    participant = relationship("Participant")
    items = relationship("SafeguardingAlertItem", back_populates="alert", order_by="SafeguardingAlertItem.id")


class SafeguardingAlertItem(db.Model):
    """One flagged answer or message on an alert: the first, and every later one from the same
    person while the alert is open."""

    __tablename__ = "safeguarding_alert_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_alert.id"), index=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), index=True)
    source_feedback_id: Mapped[int | None] = mapped_column(ForeignKey("source_feedback.id"), index=True)
    evidence: Mapped[dict | list | None] = mapped_column(EncryptedJSON)
    model_version: Mapped[str | None] = mapped_column(String(32))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alert = relationship("SafeguardingAlert", back_populates="items")
    answer = relationship("Answer")
    message = relationship("Message")
    source_feedback = relationship("SourceFeedback")


class LabelledExample(db.Model):
    """A person-confirmed label: training data for the theme and sentiment model."""

    __tablename__ = "labelled_example"
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id"), index=True)
    source_feedback_id: Mapped[int | None] = mapped_column(ForeignKey("source_feedback.id"), index=True)
    text: Mapped[str] = mapped_column(EncryptedText)  # redacted text
    question: Mapped[str | None] = mapped_column(String(300))
    themes: Mapped[list] = mapped_column(JSON, default=list)
    sentiment: Mapped[str | None] = mapped_column(String(16))
    safeguarding: Mapped[bool | None] = mapped_column(Boolean)
    labelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SharedQuote(db.Model):
    """A person's decision about quoting one answer outside QA (the Family Advisory Group's page,
    the monthly pack, quotes.csv): nothing is quoted there until a QA officer or admin has read
    the redacted words and approved them, perhaps taking out more."""

    __tablename__ = "shared_quote"
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id"), unique=True)
    decision: Mapped[str] = mapped_column(String(16))  # vocab.QUOTE_DECISIONS
    text: Mapped[str | None] = mapped_column(EncryptedText)  # the words as approved; None when withheld
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MonthRollup(db.Model):
    """The grouped counts of one closed period, a month or (in the month still open) a day, for
    one part of the trends (analysis/rollups.py): counted by the clock, so a page does not count
    a million answers again. `version` goes up whenever an answer or theme tag in the period
    changes; the rows are trusted only while `counted_version` still equals it."""

    __tablename__ = "month_rollup"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)  # 'YYYY-MM' or 'YYYY-MM-DD'
    rows: Mapped[list | None] = mapped_column(JSON)  # counts only: never a word or a person
    version: Mapped[int] = mapped_column(default=0)
    counted_version: Mapped[int | None] = mapped_column()
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
