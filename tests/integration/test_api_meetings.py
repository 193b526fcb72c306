"""The JSON API: keys, meetings in, moves and cancellations, clear errors, and its OpenAPI
document checked by schemathesis (no 5xx, no response that breaks the schema)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)
from flask import current_app
from sqlalchemy import func, select

from tests.support.api import auth, meeting_body, new_api_key
from tests.support.staff import staff_user
from voice_service.extensions import db
from voice_service.surveys import registry
from voice_service.models import ApiKey, AuditEvent, Invitation, Meeting, Participant, ScheduledMessage, utcnow


@pytest.fixture
def key(app):
    return new_api_key()


def test_without_a_key_the_api_answers_401_in_json(client):
    response = client.get("/api/v1/meetings")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.get_json()["errors"][0]["field"] == "(request)"
    assert client.get("/api/v1/meetings", headers=auth("fv_not-a-key")).status_code == 401


def test_a_revoked_key_stops_working(client, key):
    assert client.get("/api/v1/meetings", headers=auth(key)).status_code == 200
    db.session.scalar(select(ApiKey)).revoked_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/meetings", headers=auth(key)).status_code == 401


def test_keys_are_stored_hashed(key):
    stored = db.session.scalar(select(ApiKey))
    assert key not in (stored.key_hash, stored.prefix) and stored.key_hash != key


def test_creating_a_meeting_creates_the_case_people_invitations_and_their_plan(client, key):
    response = client.post("/api/v1/meetings", json=meeting_body(), headers=auth(key))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["meeting_ref"] == "MTG-API-1" and body["status"] == "scheduled"
    assert [p["ref"] for p in body["participants"]] == ["P1", "P2"]
    assert "Dana" not in response.get_data(as_text=True) and "7700" not in response.get_data(as_text=True)
    meeting = db.session.scalar(select(Meeting).where(Meeting.meeting_ref == "MTG-API-1"))
    assert meeting.child.case_ref == "CASE-API-1" and meeting.child.team == "north"
    child_invitation = db.session.scalar(select(Invitation).join(Participant).where(Participant.external_ref == "P1"))
    assert child_invitation.survey_id == "cp_conference_child_8_12"  # chosen by type, role and age band
    # Each person gets the survey the registry chooses for them, or a warning says why not.
    dana = db.session.scalar(select(Participant).where(Participant.external_ref == "P2"))
    parent_survey = registry(current_app).choose("cp_conference", "parent", "adult", "en")
    if parent_survey is None:
        assert not dana.invitations
        assert any("no survey yet for a parent" in w["message"] for w in body["warnings"])
    else:
        assert [i.survey_id for i in dana.invitations] == [parent_survey.id] and body["warnings"] == []
    assert dana.phone == "+447700900101"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_meeting_created"))
    assert event.api_key_id is not None and event.object_id == str(meeting.id)


def test_a_texted_participant_gets_planned_messages(client, key):
    body = meeting_body(participants=[{"ref": "P1", "role": "child", "name": "Amira", "age_band": "8_12",
                                       "phone": "+447700900105", "channel": "sms", "safe_to_text": True}])
    assert client.post("/api/v1/meetings", json=body, headers=auth(key)).status_code == 201
    kinds = set(db.session.scalars(select(ScheduledMessage.kind).where(ScheduledMessage.state == "pending")))
    assert {"invite", "close"} <= kinds


def test_every_bad_field_is_named_in_a_400(client, key):
    body = meeting_body(meeting_type="tea_party", starts_at="next tuesday")
    body["child"]["age_band"] = "ancient"
    body["participants"][1]["phone"] = "12345"
    body["participants"].append({"ref": "P1", "role": "uncle", "name": ""})
    response = client.post("/api/v1/meetings", json=body, headers=auth(key))
    assert response.status_code == 400
    fields = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert "one of" in fields["meeting_type"]
    assert "date and time" in fields["starts_at"]
    assert "child.age_band" in fields
    assert fields["participants[1].phone"] == "not a valid phone number"
    assert "participants[2].role" in fields and fields["participants[2].name"] == "is required"
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"null"])
def test_a_body_that_is_not_a_json_object_is_a_clear_400(client, key, raw):
    response = client.post("/api/v1/meetings", data=raw, headers={**auth(key), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "(body)"


def test_creating_the_same_meeting_twice_is_a_409_and_changes_nothing(client, key):
    client.post("/api/v1/meetings", json=meeting_body(), headers=auth(key))
    response = client.post("/api/v1/meetings", json=meeting_body(location="Elsewhere"), headers=auth(key))
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["field"] == "meeting_ref"
    assert db.session.scalar(select(Meeting.location)) == "Room 2, Civic Centre"
    assert db.session.scalar(select(func.count(Participant.id))) == 2


def test_get_an_unknown_meeting_is_404(client, key):
    response = client.get("/api/v1/meetings/NOPE", headers=auth(key))
    assert response.status_code == 404 and response.get_json()["errors"][0]["field"] == "meeting_ref"


def test_list_filters_by_time_and_reports_bad_filters(client, key):
    client.post("/api/v1/meetings", json=meeting_body("MTG-A", days=3), headers=auth(key))
    client.post("/api/v1/meetings", json=meeting_body("MTG-B", days=30), headers=auth(key))
    soon = (utcnow() + timedelta(days=10)).isoformat()
    refs = [m["meeting_ref"] for m in client.get("/api/v1/meetings", query_string={"to": soon}, headers=auth(key)).get_json()["meetings"]]
    assert refs == ["MTG-A"]
    response = client.get("/api/v1/meetings?limit=0&from=yesterday", headers=auth(key))
    assert response.status_code == 400
    assert {e["field"] for e in response.get_json()["errors"]} == {"limit", "from"}


def test_moving_a_meeting_replans_its_messages(client, key, time_machine):
    # A week with no bank holidays: in December, Christmas moves the close and the gap changes.
    time_machine.move_to(datetime(2026, 5, 6, 9, 0, tzinfo=timezone.utc), tick=False)
    body = meeting_body(days=20, participants=[{"ref": "P1", "role": "child", "name": "Amira", "age_band": "8_12",
                                                "phone": "+447700900105", "channel": "sms", "safe_to_text": True}])
    client.post("/api/v1/meetings", json=body, headers=auth(key))
    close_before = db.session.scalar(select(ScheduledMessage.due_at).where(ScheduledMessage.kind == "close"))
    new_start = (utcnow() + timedelta(days=27)).replace(microsecond=0)
    response = client.patch("/api/v1/meetings/MTG-API-1", json={"starts_at": new_start.isoformat()}, headers=auth(key))
    assert response.status_code == 200
    db.session.expire_all()
    close_after = db.session.scalar(select(ScheduledMessage.due_at).where(ScheduledMessage.kind == "close"))
    assert close_after > close_before + timedelta(days=5)
    assert db.session.scalar(select(Invitation.expires_at)) == new_start


def test_cancelling_a_meeting_cancels_its_pending_messages(client, key):
    body = meeting_body(participants=[{"ref": "P1", "role": "child", "name": "Amira", "age_band": "8_12",
                                       "phone": "+447700900105", "channel": "sms", "safe_to_text": True}])
    client.post("/api/v1/meetings", json=body, headers=auth(key))
    response = client.patch("/api/v1/meetings/MTG-API-1", json={"status": "cancelled"}, headers=auth(key))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(ScheduledMessage.state == "pending")) == 0


def test_a_patch_names_its_bad_fields(client, key):
    client.post("/api/v1/meetings", json=meeting_body(), headers=auth(key))
    response = client.patch("/api/v1/meetings/MTG-API-1", json={"status": "postponed", "colour": "red"}, headers=auth(key))
    assert response.status_code == 400
    assert {e["field"] for e in response.get_json()["errors"]} == {"status", "colour"}


def test_the_chair_email_links_the_meeting_to_the_chair(client, key):
    chair = staff_user("chair", email="iro.one@example.invalid")
    db.session.commit()
    response = client.post("/api/v1/meetings", json=meeting_body(chair_email="IRO.one@example.invalid"), headers=auth(key))
    assert response.get_json()["chair_email"] == "iro.one@example.invalid"
    assert db.session.scalar(select(Meeting.chair_id)) == chair.id


def test_the_openapi_document_is_public_and_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/meetings", "/meetings/{meeting_ref}", "/meetings/{meeting_ref}/outcome"}
    scopes = {op["operationId"]: op["x-required-scope"] for path in document["paths"].values()
              for op in path.values() if isinstance(op, dict) and "operationId" in op}
    assert scopes == {"listMeetings": "meetings:read", "getMeeting": "meetings:read", "createMeeting": "meetings:write",
                      "changeMeeting": "meetings:write", "getOutcome": "outcomes:read"}
    assert set(document["paths"]["/meetings/{meeting_ref}"]) >= {"get", "patch"}


# schemathesis: generated requests against the document -----------------------------------------

@pytest.fixture
def api_schema(app, key):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.api_key = key
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_generated_requests_get_no_server_error_and_no_response_outside_the_schema(case, api_schema):
    case.call_and_validate(
        headers=auth(api_schema.api_key),
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
