"""JSON API for the case system: meetings in, moves and cancellations.

Authenticated by `Authorization: Bearer <key>` (keys from `flask api-keys create NAME`, stored
hashed). The OpenAPI 3 document at /api/v1/openapi.json is public: it describes the shape of
the API and holds no data. Responses never carry answers, names or phone numbers: the case
system gets back references, states and whether views are in.

Every bad request is a 400 with `{"errors": [{"field": ..., "message": ...}]}` naming each field.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from voice_service import audit
from voice_service.extensions import csrf, db
from voice_service.intake import FieldError, has_control_characters, parse_time, validate_meeting
from voice_service.store.meeting_import import Conflict, change_meeting, upsert_meeting
from voice_service.store.meetings import meeting_by_ref, participant_states
from voice_service.models import Child, Meeting
from voice_service.vocab import (
    AGE_BANDS, CHANNELS, CLOSURE_REASONS, DISABILITY_CODES, ETHNICITY_CODES, GENDER_CODES, MEETING_TYPES, ROLES, ROUTES,
    SERVICES,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.public_endpoints = ("api.openapi",)
csrf.exempt(bp)  # no cookies here: every call carries its key
log = logging.getLogger(__name__)
MAX_LIST = 200


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
def list_meetings():
    """Meetings starting between `from` and `to` (ISO 8601), soonest first, at most `limit`."""
    errors = []
    query = select(Meeting).join(Child).order_by(Meeting.starts_at, Meeting.id)
    for name, op in (("from", ">="), ("to", "<=")):
        raw = request.args.get(name)
        if raw is None:
            continue
        moment = parse_time(raw)
        if moment is None:
            errors.append(FieldError(name, "must be a date and time like 2025-10-01T10:00:00Z"))
        else:
            query = query.where(Meeting.starts_at >= moment if op == ">=" else Meeting.starts_at <= moment)
    status = request.args.get("status")
    if status is not None:
        if status not in ("scheduled", "cancelled", "held"):
            errors.append(FieldError("status", "must be one of: scheduled, cancelled, held"))
        else:
            query = query.where(Meeting.status == status)
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
    meetings = list(db.session.scalars(query.limit(limit)))
    states = participant_states([m.id for m in meetings])
    audit.record(g.api_key, "api_meetings_listed", None, {"count": len(meetings)})
    db.session.commit()
    return jsonify(meetings=[_meeting_json(m, states) for m in meetings])


@bp.post("/meetings")
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
def get_meeting(meeting_ref: str):
    meeting = meeting_by_ref(meeting_ref)
    if meeting is None:
        return _error(404, f"no meeting with the reference {meeting_ref[:64]}", "meeting_ref")
    return jsonify(_meeting_json(meeting))


@bp.patch("/meetings/<meeting_ref>")
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


# The OpenAPI document ---------------------------------------------------------------------------

_REF = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$", "minLength": 1, "maxLength": 64}
_ERRORS = {
    "description": "The request was refused; each entry names a field and what is wrong with it.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}


def openapi_document(base_url: str, languages: tuple[str, ...] = ("en",)) -> dict:
    doc = _document(base_url, languages)
    schemas = doc["components"]["schemas"]
    created = {**schemas["Meeting"], "properties": dict(schemas["Meeting"]["properties"])}
    created["properties"]["warnings"] = {"type": "array", "items": {
        "type": "object", "required": ["field", "message"], "additionalProperties": False,
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
    }}
    created["required"] = [*schemas["Meeting"]["required"], "warnings"]
    schemas["CreatedMeeting"] = created
    return doc


def _document(base_url: str, languages: tuple[str, ...]) -> dict:
    states = ["no_invitation", "not_sent", "sent", "delivered", "opened", "in_progress", "completed",
              "declined", "opted_out", "delivery_failed", "expired"]
    meeting_ref_param = {"name": "meeting_ref", "in": "path", "required": True, "schema": _REF,
                         "description": "The case system's meeting reference."}
    meeting_response = {"description": "The meeting.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Meeting"}}}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Family voice service API",
            "version": "1.0.0",
            "description": (
                "Meetings from the case system. Send `Authorization: Bearer <key>` (ask an administrator "
                "for a key: `flask api-keys create NAME`). Answers, names and phone numbers are never returned."
            ),
        },
        "servers": [{"url": base_url + "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/meetings": {
                "get": {
                    "operationId": "listMeetings",
                    "summary": "Meetings in a time window, soonest first",
                    "parameters": [
                        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["scheduled", "cancelled", "held"]}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIST, "default": 50}},
                    ],
                    "responses": {
                        "200": {"description": "The meetings.", "content": {"application/json": {"schema": {
                            "type": "object", "required": ["meetings"], "additionalProperties": False,
                            "properties": {"meetings": {"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}}},
                        }}}},
                        "400": _ERRORS, "401": _ERRORS,
                    },
                },
                "post": {
                    "operationId": "createMeeting",
                    "summary": "Create a meeting with its participants; they are invited and their messages planned",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewMeeting"}}}},
                    "responses": {
                        "201": {"description": "Created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreatedMeeting"}}}},
                        "400": _ERRORS, "401": _ERRORS,
                        "409": {**_ERRORS, "description": "A meeting with this reference exists already (use PATCH), or the reference belongs to another case."},
                    },
                },
            },
            "/meetings/{meeting_ref}": {
                "parameters": [meeting_ref_param],
                "get": {
                    "operationId": "getMeeting",
                    "summary": "One meeting, with each participant's invitation state",
                    "responses": {"200": meeting_response, "401": _ERRORS, "404": _ERRORS},
                },
                "patch": {
                    "operationId": "changeMeeting",
                    "summary": "Move, cancel or reinstate a meeting; its messages are re-planned",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MeetingChange"}}}},
                    "responses": {
                        "200": meeting_response, "400": _ERRORS, "401": _ERRORS, "404": _ERRORS,
                        "409": {**_ERRORS, "description": "The meeting has been held; it cannot be moved or cancelled."},
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "An API key made with `flask api-keys create NAME`."}},
            "schemas": {
                "Errors": {
                    "type": "object", "required": ["errors"], "additionalProperties": False,
                    "properties": {"errors": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "required": ["field", "message"], "additionalProperties": False,
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    }}},
                },
                "NewParticipant": {
                    "type": "object", "required": ["ref", "role", "name"],
                    "properties": {
                        "ref": {**_REF, "description": "The case system's person id (unique within the meeting)."},
                        "role": {"type": "string", "enum": list(ROLES)},
                        "name": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": "\\S"},
                        "age_band": {"type": "string", "enum": list(AGE_BANDS)},
                        "phone": {"type": "string", "maxLength": 40, "description": "A UK mobile number, e.g. 07700 900123."},
                        "email": {"type": "string", "maxLength": 254, "format": "email",
                                  "description": "An address that can receive email (checked; reserved names such as .invalid are refused)."},
                        "postal_address": {"description": "For letters: 2 to 7 lines, the last a UK postcode; a list of lines or one string with a line per line.",
                                           "oneOf": [{"type": "string", "maxLength": 600},
                                                     {"type": "array", "minItems": 2, "maxItems": 7, "items": {"type": "string", "maxLength": 80}}]},
                        "language": {"type": "string", "enum": list(languages), "default": "en"},
                        "channel": {"type": "string", "enum": list(CHANNELS), "default": "web"},
                        "route": {"type": "string", "enum": list(ROUTES),
                                  "description": "How the invitation reaches them. Left out: text if they have a mobile safe to text, else email, else letter, else in person (the worker gives the link)."},
                        "safe_to_text": {"type": "boolean", "default": False},
                        "easy_read": {"type": "boolean", "default": False},
                        "consent": {"type": "boolean", "default": True},
                    },
                },
                "NewMeeting": {
                    "type": "object", "required": ["meeting_ref", "case_ref", "meeting_type", "starts_at", "child"],
                    "properties": {
                        "meeting_ref": _REF,
                        "case_ref": {**_REF, "description": "The child's pseudonymous case reference."},
                        "meeting_type": {"type": "string", "enum": list(MEETING_TYPES)},
                        "starts_at": {"type": "string", "format": "date-time"},
                        "location": {"type": "string", "maxLength": 200},
                        "chair_email": {"type": "string", "format": "email", "maxLength": 200},
                        "child": {
                            "type": "object", "required": ["age_band", "service"],
                            "properties": {
                                "age_band": {"type": "string", "enum": list(AGE_BANDS)},
                                "service": {"type": "string", "enum": list(SERVICES)},
                                "team": {"type": "string", "maxLength": 64},
                                "ethnicity": {"type": "string", "enum": list(ETHNICITY_CODES), "description": "DfE census ethnicity code (optional)."},
                                "gender": {"type": "string", "enum": list(GENDER_CODES), "description": "DfE census gender code (optional)."},
                                "disability": {"type": "string", "enum": list(DISABILITY_CODES), "description": "DfE census disability code (optional)."},
                                "closed_on": {"type": "string", "format": "date", "description": "The date the case closed: Experience of Service questionnaires are planned."},
                                "closure_reason": {"type": "string", "enum": list(CLOSURE_REASONS), "description": "Census reason code (RC2: no questionnaire is sent)."},
                            },
                        },
                        "participants": {"type": "array", "maxItems": 20, "items": {"$ref": "#/components/schemas/NewParticipant"}},
                    },
                },
                "MeetingChange": {
                    "type": "object", "minProperties": 1, "additionalProperties": False,
                    "properties": {
                        "starts_at": {"type": "string", "format": "date-time"},
                        "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
                        "location": {"type": "string", "maxLength": 200},
                    },
                },
                "Participant": {
                    "type": "object", "required": ["ref", "role", "route", "invitation_state", "views"], "additionalProperties": False,
                    "properties": {
                        "ref": {"type": "string", "nullable": True},
                        "role": {"type": "string", "enum": list(ROLES)},
                        "route": {"type": "string", "enum": list(ROUTES), "nullable": True},
                        "invitation_state": {"type": "string", "enum": states},
                        "views": {"type": "string", "enum": ["in", "partial", "none"]},
                    },
                },
                "Meeting": {
                    "type": "object", "additionalProperties": False,
                    "required": ["meeting_ref", "case_ref", "meeting_type", "starts_at", "status", "location",
                                 "chair_email", "views_read", "outcome_recorded", "participants"],
                    "properties": {
                        "meeting_ref": {"type": "string"},
                        "case_ref": {"type": "string"},
                        "meeting_type": {"type": "string", "enum": list(MEETING_TYPES)},
                        "starts_at": {"type": "string", "format": "date-time"},
                        "status": {"type": "string", "enum": ["scheduled", "cancelled", "held"]},
                        "location": {"type": "string", "nullable": True},
                        "chair_email": {"type": "string", "nullable": True},
                        "views_read": {"type": "boolean"},
                        "outcome_recorded": {"type": "boolean"},
                        "participants": {"type": "array", "items": {"$ref": "#/components/schemas/Participant"}},
                    },
                },
            },
        },
    }
