"""Invitations: creating them, finding one by its private link, moving its status.

Only the SHA-256 of a link's token is stored. The token is derived (HMAC with LOOKUP_HASH_KEY)
from the invitation's id and a random per-invitation salt, so the link printed for staff, the
one in the first text and the one in every reminder are the same link; `reissue_token` draws a
new salt, which revokes the old link for good.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from voice_service.crypto import keyring, token_hash
from voice_service.extensions import db
from voice_service.models import Invitation, Participant, utcnow
from voice_service.store.invitations import invitation_with_token_hash
from voice_service.vocab import OPEN_INVITATION_STATUSES


@dataclass(frozen=True)
class TokenLookup:
    invitation: Invitation | None
    problem: str | None  # None | "unknown" | "expired" | "closed"


def create_invitation(
    participant: Participant,
    survey_id: str,
    survey_version: int,
    expires_at: datetime,
    channel: str | None = None,
    language: str | None = None,
) -> tuple[Invitation, str]:
    """Add an invitation (flushed, so it has an id); returns it and its private-link token."""
    invitation = Invitation(
        participant=participant,
        survey_id=survey_id,
        survey_version=survey_version,
        link_salt=secrets.token_hex(16),
        token_hash=secrets.token_hex(32),  # placeholder until the id exists; replaced below
        channel=channel or participant.preferred_channel,
        language=language or participant.language,
        expires_at=expires_at,
        status="scheduled",
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, link_token(invitation)


def _derive_token(invitation: Invitation) -> str:
    key = keyring.lookup_hash("invitation-link").encode()
    digest = hmac.new(key, f"{invitation.id}:{invitation.link_salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode("ascii")  # 192 bits, 32 characters


def link_token(invitation: Invitation) -> str:
    """The invitation's private-link token: the same every time until reissued."""
    token = _derive_token(invitation)
    hashed = token_hash(token)
    if invitation.token_hash != hashed:
        invitation.token_hash = hashed
    return token


def reissue_token(invitation: Invitation) -> str:
    """A new private link; the old one stops working for good."""
    invitation.link_salt = secrets.token_hex(16)
    return link_token(invitation)


def lookup_token(token: str, now: datetime | None = None) -> TokenLookup:
    now = now or utcnow()
    if not token or len(token) > 64:
        return TokenLookup(None, "unknown")
    invitation = invitation_with_token_hash(token_hash(token))
    if invitation is None:
        return TokenLookup(None, "unknown")
    if invitation.status in ("expired", "opted_out") or invitation.participant.meeting.status == "cancelled":
        return TokenLookup(invitation, "closed")
    if invitation.expires_at <= now:
        return TokenLookup(invitation, "expired")
    return TokenLookup(invitation, None)


def is_open(invitation: Invitation, now: datetime | None = None) -> bool:
    return invitation.status in OPEN_INVITATION_STATUSES and invitation.expires_at > (now or utcnow())


def mark_opened(invitation: Invitation) -> None:
    if invitation.status in ("scheduled", "sent"):
        invitation.status = "opened"
        invitation.opened_at = invitation.opened_at or utcnow()


def mark_in_progress(invitation: Invitation) -> None:
    if invitation.status in ("scheduled", "sent", "opened"):
        invitation.status = "in_progress"
        invitation.opened_at = invitation.opened_at or utcnow()


def mark_completed(invitation: Invitation) -> None:
    """Submitted: the schedule is planned again, so pending reminders and the close are
    cancelled ("views already given") and "you said, we did" can follow the outcome."""
    if invitation.status != "completed":
        invitation.status = "completed"
        invitation.completed_at = utcnow()
    _replan(invitation)


def mark_declined(invitation: Invitation) -> None:
    """Declined: every pending message, the close included, is cancelled ("invitation declined")."""
    invitation.status = "declined"
    _replan(invitation)


def _replan(invitation: Invitation) -> None:
    from voice_service.scheduling.service import plan_invitation_messages

    plan_invitation_messages(invitation)
