"""Requests for an advocate in the database. Opening, referring and closing them is
`voice_service.advocacy`. Nothing here commits.
"""
from __future__ import annotations

from voice_service.extensions import db
from voice_service.models import AdvocacyRequest


def advocacy_request_by_id(request_id: int) -> AdvocacyRequest | None:
    return db.session.get(AdvocacyRequest, request_id)
