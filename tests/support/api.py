"""The JSON API as a case system calls it: a key, its header, and a meeting as posted."""
from __future__ import annotations

from datetime import timedelta

from voice_service.auth import create_api_key
from voice_service.extensions import db
from voice_service.models import utcnow


CASE_SYSTEM_SCOPES = ("meetings:read", "meetings:write")


def new_api_key(scopes=CASE_SYSTEM_SCOPES, name="case-system") -> str:
    """A live API key for the case system (the raw secret, as the caller holds it)."""
    _key, raw = create_api_key(name, scopes)
    db.session.commit()
    return raw


def auth(raw):
    return {"Authorization": f"Bearer {raw}"}


def meeting_body(ref="MTG-API-1", days=12, **overrides):
    body = {
        "meeting_ref": ref, "case_ref": "CASE-API-1", "meeting_type": "cp_conference",
        "starts_at": (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat(),
        "location": "Room 2, Civic Centre",
        "child": {"age_band": "8_12", "service": "cp", "team": "north"},
        "participants": [
            {"ref": "P1", "role": "child", "name": "Maya", "age_band": "8_12", "channel": "web"},
            {"ref": "P2", "role": "parent", "name": "Dana Lewis", "phone": "07700 900101", "channel": "sms",
             "safe_to_text": True},
        ],
    }
    body.update(overrides)
    return body
