"""Builders and fakes for the scheduler tests (times are fixed, never the real clock)."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime

from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.invitations import create_invitation
from voice_service.models import Child, Meeting, Participant
from voice_service.scheduling.calendar import LONDON

_seq = itertools.count(1)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def invitation_for(
    starts_at: datetime,
    created_at: datetime,
    role: str = "parent",
    phone: str | None = "+447700900123",
    meeting_type: str = "cla_review",
    age_band: str = "adult",
    status: str = "scheduled",
):
    """A meeting with one participant and one invitation, committed."""
    n = next(_seq)
    child = Child(case_ref=f"CASE-S{n:05d}", age_band="13_17", service="cla", team="north")
    meeting = Meeting(meeting_ref=f"MTG-S{n:05d}", child=child, meeting_type=meeting_type, starts_at=starts_at)
    participant = Participant(
        meeting=meeting, role=role, display_name="Sam Example", phone=phone, age_band=age_band,
        phone_hash=phone_hash(phone) if phone else None, safe_to_text=phone is not None,
    )
    db.session.add_all([child, meeting, participant])
    invitation, _token = create_invitation(participant, "test_survey", 1, starts_at)
    invitation.created_at = created_at
    invitation.status = status
    db.session.commit()
    return invitation


class FakeSender:
    """Records every call; fails on request."""

    def __init__(self, fail_with: Exception | None = None):
        self.calls: list[tuple[str, str, int]] = []
        self.fail_with = fail_with

    def send(self, to_e164, body, invitation):
        self.calls.append((to_e164, body, invitation.id))
        if self.fail_with is not None:
            raise self.fail_with
        return f"SM{len(self.calls):032d}"


def compose(row, invitation) -> str:
    return f"{row.kind} {row.sequence}"


class ProviderRefused(Exception):
    retryable = True
    code = "30003"


#: One sender for the clock tests, reached through SCHEDULER_SENDER_FACTORY. It lives here, not
#: in a test module: pytest imports a test module under its own name, so a "module:function"
#: target naming the test module would load a second copy with a second sender.
CLOCK_SENDER = FakeSender()


def clock_sender_factory(app):
    return CLOCK_SENDER
