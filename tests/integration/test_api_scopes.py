"""Security finding 12: each API key may do only what its scopes allow, and every read of one
record through the API is in the audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.api import auth, meeting_body, new_api_key
from tests.support.staff import past_meeting, staff_user
from voice_service.extensions import db
from voice_service.meetings.changes import record_outcome
from voice_service.models import ApiKey, AuditEvent, Meeting
from voice_service.vocab import API_SCOPES


def _refusal(response) -> str:
    assert response.status_code == 403, response.get_data(as_text=True)
    return response.get_json()["errors"][0]["message"]


def test_a_read_only_key_reads_meetings_but_cannot_create_or_change_them(client):
    writer = new_api_key(name="importer")
    assert client.post("/api/v1/meetings", json=meeting_body("MTG-S1"), headers=auth(writer)).status_code == 201
    reader = new_api_key(("meetings:read",), name="dashboard")
    assert client.get("/api/v1/meetings", headers=auth(reader)).status_code == 200
    assert client.get("/api/v1/meetings/MTG-S1", headers=auth(reader)).status_code == 200
    message = _refusal(client.post("/api/v1/meetings", json=meeting_body("MTG-S2"), headers=auth(reader)))
    assert "meetings:write" in message and "ask an administrator" in message
    _refusal(client.patch("/api/v1/meetings/MTG-S1", json={"status": "cancelled"}, headers=auth(reader)))
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
    assert db.session.scalar(select(Meeting.status)) == "scheduled"
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_scope_refused")).all()
    assert [e.detail["scope"] for e in refused] == ["meetings:write", "meetings:write"]


def test_a_key_that_writes_meetings_does_not_thereby_read_them(client):
    writer = new_api_key(("meetings:write",))
    assert client.post("/api/v1/meetings", json=meeting_body("MTG-S3"), headers=auth(writer)).status_code == 201
    assert "meetings:read" in _refusal(client.get("/api/v1/meetings/MTG-S3", headers=auth(writer)))
    assert "meetings:read" in _refusal(client.get("/api/v1/meetings", headers=auth(writer)))


def test_outcomes_need_their_own_scope_and_each_read_is_audited(client):
    chair = staff_user("chair")
    meeting, invitations = past_meeting(chair=chair)
    record_outcome(meeting, chair, "Maya wants to see her nan more", "Contact every Saturday", invitations["child"].id)
    db.session.commit()
    url = f"/api/v1/meetings/{meeting.meeting_ref}/outcome"
    case_system = new_api_key()
    assert "outcomes:read" in _refusal(client.get(url, headers=auth(case_system)))
    outcomes = new_api_key(("outcomes:read",), name="case-record")
    response = client.get(url, headers=auth(outcomes))
    assert response.status_code == 200
    body = response.get_json()
    assert body["meeting_ref"] == meeting.meeting_ref and body["outcome_recorded_at"]
    assert body["decisions"] == [{"point": "Maya wants to see her nan more", "decision": "Contact every Saturday",
                                  "raised_by_role": "child"}]
    key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.name == "case-record"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_outcome_read"))
    assert (event.api_key_id, event.object_type, event.object_id) == (key_id, "meeting", str(meeting.id))


def test_reading_one_meeting_is_audited_with_the_key_that_read_it(client):
    raw = new_api_key()
    client.post("/api/v1/meetings", json=meeting_body("MTG-S4"), headers=auth(raw))
    client.get("/api/v1/meetings/MTG-S4", headers=auth(raw))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_meeting_read"))
    meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.meeting_ref == "MTG-S4"))
    assert (event.object_type, event.object_id) == ("meeting", str(meeting_id))
    assert event.api_key_id == db.session.scalar(select(ApiKey.id))


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                path = rule.rule.replace("<meeting_ref>", "MTG-NONE")
                yield rule.endpoint, method, path


def test_every_api_route_declares_a_scope_and_refuses_a_key_with_every_other_scope(app, client):
    """A behavioural sweep: a new API route that forgets its scope refuses every key, and each
    route refuses a key that holds all the scopes but its own."""
    seen = 0
    for endpoint, method, path in _api_routes(app):
        scope = getattr(app.view_functions[endpoint], "required_scope", None)
        assert scope in API_SCOPES, f"{endpoint} declares no API scope"
        others = [s for s in API_SCOPES if s != scope]
        raw = new_api_key(others, name=f"all-but-{endpoint}-{method}")
        response = client.open(path, method=method, json={}, headers=auth(raw))
        assert response.status_code == 403, (endpoint, method, response.status_code)
        seen += 1
    assert seen >= 5


@pytest.mark.parametrize("args, problem", [
    (["api-keys", "create", "nothing"], "Missing option '--scope'"),
    (["api-keys", "create", "typo", "--scope", "meetings:delete"], "'meetings:delete' is not one of"),
])
def test_a_key_is_made_only_with_known_scopes(runner, args, problem):
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and problem in result.output
    assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 0
