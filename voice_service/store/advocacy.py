"""Requests for an advocate in the database. Opening, referring and closing them is
`voice_service.advocacy`. Nothing here commits.
"""
from __future__ import annotations

from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import AdvocacyRequest


def advocacy_request_by_id(request_id: int) -> AdvocacyRequest | None:
    return db.session.get(AdvocacyRequest, request_id)


def advocacy_request_for(invitation_id: int) -> AdvocacyRequest | None:
    """The invitation's request (at most one)."""
    return db.session.scalar(select(AdvocacyRequest).where(AdvocacyRequest.invitation_id == invitation_id))


def unreferred_open_requests() -> list[AdvocacyRequest]:
    """Open requests the advocacy service has not been told about, oldest first."""
    return list(db.session.scalars(
        select(AdvocacyRequest).where(AdvocacyRequest.status == "open", AdvocacyRequest.referred_at.is_(None))
        .order_by(AdvocacyRequest.created_at)
    ))
