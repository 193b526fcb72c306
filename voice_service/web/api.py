"""JSON API for the case system: meetings in, moves and cancellations.

Authenticated by `Authorization: Bearer <key>` (keys from `flask api-keys create NAME --scope ...`, stored
hashed). The OpenAPI 3 document at /api/v1/openapi.json is public: it describes the shape of
the API and holds no data. Responses never carry answers, names or phone numbers: the case
system gets back references, states and whether views are in, and (scope outcomes:read) what
the chair recorded as decided. Each key has scopes (vocab.API_SCOPES): every route declares the
one it needs with `requires_scope`, and a route that declares none refuses every key.

Every bad request is a 400 with `{"errors": [{"field": ..., "message": ...}]}` naming each field.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from voice_service import audit
from voice_service.auth import requires_scope
from voice_service.extensions import csrf, db
from voice_service.intake import FieldError, has_control_characters, parse_time, validate_meeting
from voice_service.models import Meeting
from voice_service.store.meeting_import import Conflict, change_meeting, upsert_meeting
from voice_service.store.meetings import decisions_with_roles, meeting_by_ref, meetings_starting, participant_states
from voice_service.web.openapi import MAX_LIST, openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.public_endpoints = ("api.openapi",)
csrf.exempt(bp)  # no cookies here: every call carries its key
log = logging.getLogger(__name__)


def _errors(status: int, errors: list[FieldError]):
    return jsonify(errors=[e.as_dict() for e in errors]), status


def _error(status: int, message: str, field: str = "(request)"):
    return _errors(status, [FieldError(field, message)])


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    messages = {
        401: "a valid API key is required: send 'Authorization: Bearer <key>'",
        404: "not found",
        405: "method not allowed",
        413: "the request body is too large",
        429: "too many requests; slow down",
    }
    response, status = _error(error.code or 500, messages.get(error.code, error.description or "error"))
    if error.code == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response, status


def _meeting_json(meeting: Meeting, states: dict | None = None) -> dict:
    states = states if states is not None else participant_states([meeting.id])
    by_participant = {p.participant_id: p for p in states.get(meeting.id, [])}
    return {
        "meeting_ref": meeting.meeting_ref,
        "case_ref": meeting.child.case_ref,
        "meeting_type": meeting.meeting_type,
        "starts_at": meeting.starts_at.isoformat().replace("+00:00", "Z"),
        "status": meeting.status,
        "location": meeting.location,
        "chair_email": meeting.chair.email if meeting.chair else None,
        "views_read": meeting.views_read_at is not None,
        "outcome_recorded": meeting.outcome_recorded_at is not None,
        "participants": [
            {
                "ref": p.external_ref,
                "role": p.role,
                "route": p.route,
                "invitation_state": by_participant[p.id].state if p.id in by_participant else "no_invitation",
                "views": by_participant[p.id].views if p.id in by_participant else "none",
            }
            for p in meeting.participants
        ],
    }


def _body() -> dict | None:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else None


@bp.get("/meetings")
@requires_scope("meetings:read")
def list_meetings():
    """Meetings starting between `from` and `to` (ISO 8601), soonest first, at most `limit`."""
    errors = []
    bounds = {}
    for name in ("from", "to"):
        raw = request.args.get(name)
        if raw is None:
            continue
        bounds[name] = parse_time(raw)
        if bounds[name] is None:
            errors.append(FieldError(name, "must be a date and time like 2025-10-01T10:00:00Z"))
    status = request.args.get("status")
    if status is not None and status not in ("scheduled", "cancelled", "held"):
        errors.append(FieldError("status", "must be one of: scheduled, cancelled, held"))
    raw_limit = request.args.get("limit", "50")
    try:
        limit = int(raw_limit)
        if not 1 <= limit <= MAX_LIST:
            raise ValueError
    except ValueError:
        errors.append(FieldError("limit", f"must be a whole number from 1 to {MAX_LIST}"))
        limit = 50
    if errors:
        return _errors(400, errors)
    meetings = meetings_starting(bounds.get("from"), bounds.get("to"), status, limit)
    states = participant_states([m.id for m in meetings])
    audit.record(g.api_key, "api_meetings_listed", None, {"count": len(meetings)})
    db.session.commit()
    return jsonify(meetings=[_meeting_json(m, states) for m in meetings])


@bp.post("/meetings")
@requires_scope("meetings:write")
def create_meeting():
    """Create a meeting, its child's case and its participants, with invitations and their
    planned messages. 201 with the meeting; 400 naming each bad field; 409 if the reference exists."""
    data = _body()
    if data is None:
        return _error(400, "the body must be a JSON object (Content-Type: application/json)", "(body)")
    meeting_input, errors = validate_meeting(
        data, languages=tuple(current_app.config["LANGUAGES"]),
        allow_drama_numbers=bool(current_app.config.get("ALLOW_DRAMA_NUMBERS")),
    )
    if errors:
        return _errors(400, errors)
    try:
        result = upsert_meeting(meeting_input, create_only=True)
    except Conflict as conflict:
        db.session.rollback()
        return _errors(409, [conflict.error])
    audit.record(g.api_key, "api_meeting_created", result.meeting,
                 {"participants": result.participants_added, "invitations": result.invitations_created})
    db.session.commit()
    body = _meeting_json(result.meeting)
    body["warnings"] = [w.as_dict() for w in result.warnings]
    return jsonify(body), 201


@bp.get("/meetings/<meeting_ref>")
@requires_scope("meetings:read")
def get_meeting(meeting_ref: str):
    """One meeting (every single-record read is audited, like a member of staff opening it)."""
    meeting = meeting_by_ref(meeting_ref)
    if meeting is None:
        return _error(404, f"no meeting with the reference {meeting_ref[:64]}", "meeting_ref")
    body = _meeting_json(meeting)
    audit.record(g.api_key, "api_meeting_read", meeting)
    db.session.commit()
    return jsonify(body)


@bp.get("/meetings/<meeting_ref>/outcome")
@requires_scope("outcomes:read")
def get_outcome(meeting_ref: str):
    """Whether the chair read the views before the meeting, and what the chair recorded as
    decided, for the case record (scope outcomes:read; audited). Never the family's answers."""
    meeting = meeting_by_ref(meeting_ref)
    if meeting is None:
        return _error(404, f"no meeting with the reference {meeting_ref[:64]}", "meeting_ref")
    decisions = decisions_with_roles(meeting.id)
    body = {
        "meeting_ref": meeting.meeting_ref,
        "status": meeting.status,
        "views_read_at": _when(meeting.views_read_at),
        "outcome_recorded_at": _when(meeting.outcome_recorded_at),
        "decisions": [{"point": a.point, "decision": a.decision, "raised_by_role": role} for a, role in decisions],
    }
    audit.record(g.api_key, "api_outcome_read", meeting, {"decisions": len(decisions)})
    db.session.commit()
    return jsonify(body)


def _when(moment) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@bp.patch("/meetings/<meeting_ref>")
@requires_scope("meetings:write")
def patch_meeting(meeting_ref: str):
    """Move (`starts_at`), cancel or reinstate (`status`), or change `location`; the messages
    are re-planned. 200 with the meeting; 400 naming each bad field; 404 unknown reference."""
    meeting = meeting_by_ref(meeting_ref)
    if meeting is None:
        return _error(404, f"no meeting with the reference {meeting_ref[:64]}", "meeting_ref")
    data = _body()
    if data is None:
        return _error(400, "the body must be a JSON object (Content-Type: application/json)", "(body)")
    errors = []
    unknown = sorted(set(data) - {"starts_at", "status", "location"})
    for name in unknown:
        errors.append(FieldError(name[:64], "is not a field you can change: use starts_at, status or location"))
    starts_at = None
    if "starts_at" in data:
        starts_at = parse_time(data["starts_at"])
        if starts_at is None:
            errors.append(FieldError("starts_at", "must be a date and time like 2025-10-01T10:00:00+01:00"))
    status = data.get("status")
    if "status" in data and status not in ("scheduled", "cancelled"):
        errors.append(FieldError("status", "must be scheduled or cancelled"))
    location = data.get("location")
    if "location" in data and not (isinstance(location, str) and len(location) <= 200):
        errors.append(FieldError("location", "must be text of 200 characters or fewer"))
    elif "location" in data and has_control_characters(location):
        errors.append(FieldError("location", "must not contain control characters"))
    if not data:
        errors.append(FieldError("(body)", "give at least one of starts_at, status, location"))
    if errors:
        return _errors(400, errors)
    if meeting.status == "held" and (starts_at is not None or status is not None):
        return _error(409, "this meeting has been held and has an outcome; it cannot be moved or cancelled", "status")
    changed = change_meeting(meeting, starts_at=starts_at, status=status, location=location)
    audit.record(g.api_key, "api_meeting_changed", meeting, {k: v for k, v in changed.items() if k != "location"} | {"location": "location" in changed})
    db.session.commit()
    return jsonify(_meeting_json(meeting))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API (public: it holds no data)."""
    return jsonify(openapi_document(current_app.config["PUBLIC_BASE_URL"], tuple(current_app.config["LANGUAGES"])))
