"""Who may see what: teams, roles and the respondent's own choice of who reads their answers."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.staff import (
    CHILD_WORDS, PARENT_WORDS, RISK_WORDS, SECRET_WORDS, meeting_with_views, sign_in_as, users,
)
from voice_service.auth import create_api_key
from voice_service.extensions import db
from voice_service.models import AuditEvent, SafeguardingAlert

IDENTIFIABLE = (CHILD_WORDS, PARENT_WORDS, RISK_WORDS, SECRET_WORDS)


@pytest.fixture
def people(app):
    return users()


@pytest.fixture
def meeting(app, people):
    meeting, invitations = meeting_with_views(chair=people["chair"])
    return meeting


def page(client, user, url):
    sign_in_as(client, user)
    return client.get(url)


def test_signed_out_visitors_are_sent_to_sign_in_from_every_staff_page(app, client, meeting):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or rule.endpoint == "staff.sign_in" or "GET" not in rule.methods:
            continue
        url = rule.rule.replace("<meeting_ref>", meeting.meeting_ref).replace("<int:alert_id>", "1").replace(
            "<int:invitation_id>", "1")
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/staff/sign-in" in response.headers["Location"], url


def test_a_worker_cannot_open_another_teams_meeting(client, meeting, people):
    for url in (f"/staff/meetings/{meeting.meeting_ref}", f"/staff/meetings/{meeting.meeting_ref}/print"):
        response = page(client, people["other_worker"], url)
        assert response.status_code == 403
        body = response.get_data(as_text=True)
        assert not any(words in body for words in IDENTIFIABLE)
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting_access_refused")).all()
    assert len(refused) == 2 and refused[0].user_id == people["other_worker"].id


def test_a_worker_does_not_see_another_teams_meetings_in_the_list(client, meeting, people):
    body = page(client, people["other_worker"], "/staff/meetings").get_data(as_text=True)
    assert meeting.meeting_ref not in body
    body = page(client, people["worker"], "/staff/meetings").get_data(as_text=True)
    assert meeting.meeting_ref in body


def test_a_worker_sees_only_answers_the_respondent_allowed_workers_to_see(client, meeting, people):
    for url in (f"/staff/meetings/{meeting.meeting_ref}", f"/staff/meetings/{meeting.meeting_ref}/print"):
        response = page(client, people["worker"], url)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert CHILD_WORDS in body  # the child chose "my worker and the chair"
        assert PARENT_WORDS in body  # mum chose "everyone at the meeting"
        assert SECRET_WORDS not in body  # dad chose "only the chair"
        assert "uncle" not in body  # nor any theme or flag drawn from those words


def test_the_chair_sees_chair_only_answers(client, meeting, people):
    body = page(client, people["chair"], f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert SECRET_WORDS in body and CHILD_WORDS in body and PARENT_WORDS in body


def test_answers_with_no_visibility_chosen_are_for_the_chair_only(client, people):
    meeting, invitations = meeting_with_views(chair=people["chair"], child_visibility=None)
    worker_body = page(client, people["worker"], f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert CHILD_WORDS not in worker_body
    assert "not chosen, so only the chair" in worker_body
    chair_body = page(client, people["chair"], f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert CHILD_WORDS in chair_body


def test_admins_and_qa_see_only_answers_meant_for_everyone_at_the_meeting(client, meeting, people):
    for role in ("admin", "qa"):
        body = page(client, people[role], f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
        assert PARENT_WORDS in body
        assert CHILD_WORDS not in body and SECRET_WORDS not in body


def test_family_advisory_can_never_reach_identifiable_answers(app, client, meeting, people):
    alert_id = db.session.scalar(select(SafeguardingAlert.id))
    sign_in_as(client, people["fag"])
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or "GET" not in rule.methods:
            continue
        url = rule.rule.replace("<meeting_ref>", meeting.meeting_ref).replace("<int:alert_id>", str(alert_id))
        response = client.get(url, follow_redirects=True)
        body = response.get_data(as_text=True)
        assert not any(words in body for words in IDENTIFIABLE), url
        assert "Maya" not in body and "Dana Lewis" not in body, url
    assert client.get(f"/staff/meetings/{meeting.meeting_ref}").status_code == 403
    assert client.get(f"/staff/alerts/{alert_id}").status_code == 403


def test_the_api_never_returns_answers_names_or_phone_numbers(client, meeting):
    key, raw = create_api_key("case-system", ["meetings:read", "outcomes:read"])
    db.session.commit()
    for url in (f"/api/v1/meetings/{meeting.meeting_ref}", "/api/v1/meetings", f"/api/v1/meetings/{meeting.meeting_ref}/outcome"):
        body = client.get(url, headers={"Authorization": f"Bearer {raw}"}).get_data(as_text=True)
        assert meeting.meeting_ref in body, url
        assert not any(words in body for words in IDENTIFIABLE)
        assert "Dana" not in body and "7700" not in body


def test_phone_numbers_are_masked_except_for_admins(client, meeting, people):
    chair_body = page(client, people["chair"], f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert "07700 900•••" in chair_body
    assert "900101" not in chair_body
    admin_body = page(client, people["admin"], f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert "07700 900101" in admin_body


def test_every_view_of_answers_is_audited_with_ids_only(client, meeting, people):
    page(client, people["worker"], f"/staff/meetings/{meeting.meeting_ref}")
    page(client, people["chair"], f"/staff/meetings/{meeting.meeting_ref}/print")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "meeting").order_by(AuditEvent.id)).all()
    assert [(e.action, e.user_id) for e in events] == [
        ("meeting_answers_viewed", people["worker"].id), ("meeting_answers_printed", people["chair"].id),
    ]
    worker_event = events[0]
    assert len(worker_event.detail["withheld"]) == 1 and len(worker_event.detail["shown"]) == 2
    assert not any(words in str(e.detail) for e in events for words in IDENTIFIABLE)


def test_admins_read_the_audit_log_and_nobody_else_does(client, meeting, people):
    page(client, people["chair"], f"/staff/meetings/{meeting.meeting_ref}")
    for role in ("chair", "worker", "qa", "fag"):
        assert page(client, people[role], "/staff/audit").status_code == 403
    body = page(client, people["admin"], "/staff/audit").get_data(as_text=True)
    assert "meeting answers viewed" in body and people["chair"].email in body
