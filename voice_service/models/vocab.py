"""Moved to voice_service/vocab.py (pure, no ORM). Kept for voice_service/surveys.py until its split
imports voice_service.vocab; delete then."""
from voice_service.vocab import (  # noqa: F401
    MEETING_TYPES,
    SERVICES,
    ROLES,
    AGE_BANDS,
    CHANNELS,
    MEETING_STATUSES,
    INVITATION_STATUSES,
    OPEN_INVITATION_STATUSES,
    VISIBILITY,
    MESSAGE_STATUSES,
    MESSAGE_STATUS_RANK,
    SCHEDULED_KINDS,
    SCHEDULED_STATES,
    STAFF_ROLES,
    ALERT_STATUSES,
    ADVOCACY_STATUSES,
    SENTIMENTS,
    TAG_SOURCES,
)
