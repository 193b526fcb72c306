"""The OpenAPI 3 description of the JSON API (served public at /api/v1/openapi.json: it holds
the API's shape and no data). Each operation names the key scope it needs (x-required-scope)."""
from __future__ import annotations

from voice_service.vocab import (
    AGE_BANDS, API_SCOPES, CHANNELS, CLOSURE_REASONS, DISABILITY_CODES, ETHNICITY_CODES, GENDER_CODES, MEETING_TYPES,
    ROLES, ROUTES, SERVICES,
)

MAX_LIST = 200

_REF = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$", "minLength": 1, "maxLength": 64}
_ERRORS = {
    "description": "The request was refused; each entry names a field and what is wrong with it.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}
_FORBIDDEN = {**_ERRORS, "description": "The key is valid but lacks the scope this operation needs."}


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
                "for a key: `flask api-keys create NAME --scope SCOPE`). Each operation needs one scope "
                "(x-required-scope): " + "; ".join(f"`{k}`: {v}" for k, v in API_SCOPES.items()) + ". "
                "A key without it gets 403. Answers, names and phone numbers are never returned."
            ),
        },
        "servers": [{"url": base_url + "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/meetings": {
                "get": {
                    "operationId": "listMeetings", "x-required-scope": "meetings:read",
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
                        "400": _ERRORS, "401": _ERRORS, "403": _FORBIDDEN,
                    },
                },
                "post": {
                    "operationId": "createMeeting", "x-required-scope": "meetings:write",
                    "summary": "Create a meeting with its participants; they are invited and their messages planned",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewMeeting"}}}},
                    "responses": {
                        "201": {"description": "Created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreatedMeeting"}}}},
                        "400": _ERRORS, "401": _ERRORS, "403": _FORBIDDEN,
                        "409": {**_ERRORS, "description": "A meeting with this reference exists already (use PATCH), or the reference belongs to another case."},
                    },
                },
            },
            "/meetings/{meeting_ref}": {
                "parameters": [meeting_ref_param],
                "get": {
                    "operationId": "getMeeting", "x-required-scope": "meetings:read",
                    "summary": "One meeting, with each participant's invitation state",
                    "responses": {"200": meeting_response, "401": _ERRORS, "403": _FORBIDDEN, "404": _ERRORS},
                },
                "patch": {
                    "operationId": "changeMeeting", "x-required-scope": "meetings:write",
                    "summary": "Move, cancel or reinstate a meeting; its messages are re-planned",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MeetingChange"}}}},
                    "responses": {
                        "200": meeting_response, "400": _ERRORS, "401": _ERRORS, "403": _FORBIDDEN, "404": _ERRORS,
                        "409": {**_ERRORS, "description": "The meeting has been held; it cannot be moved or cancelled."},
                    },
                },
            },
            "/meetings/{meeting_ref}/outcome": {
                "parameters": [meeting_ref_param],
                "get": {
                    "operationId": "getOutcome", "x-required-scope": "outcomes:read",
                    "summary": "Whether the views were read before the meeting, and what the chair recorded as decided",
                    "responses": {
                        "200": {"description": "The outcome.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Outcome"}}}},
                        "401": _ERRORS, "403": _FORBIDDEN, "404": _ERRORS,
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "An API key made with `flask api-keys create NAME --scope SCOPE`."}},
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
                "Outcome": {
                    "type": "object", "additionalProperties": False,
                    "required": ["meeting_ref", "status", "views_read_at", "outcome_recorded_at", "decisions"],
                    "properties": {
                        "meeting_ref": {"type": "string"},
                        "status": {"type": "string", "enum": ["scheduled", "cancelled", "held"]},
                        "views_read_at": {"type": "string", "format": "date-time", "nullable": True},
                        "outcome_recorded_at": {"type": "string", "format": "date-time", "nullable": True},
                        "decisions": {"type": "array", "items": {
                            "type": "object", "required": ["point", "decision", "raised_by_role"], "additionalProperties": False,
                            "properties": {
                                "point": {"type": "string"}, "decision": {"type": "string"},
                                "raised_by_role": {"type": "string", "enum": list(ROLES), "nullable": True},
                            },
                        }},
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
