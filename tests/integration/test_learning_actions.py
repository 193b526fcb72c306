"""QA turn a finding into an action, follow it over time, see its measure before and after,
and publish it in plain words to the Family Advisory Group."""
from __future__ import annotations

from sqlalchemy import select

from tests.support.staff import csrf_token, sign_in_as, staff_user
from voice_service.extensions import db
from voice_service.models import AuditEvent, LearningAction


def _add(client):
    token = csrf_token(client, "/learning/actions")
    return client.post("/learning/actions", data={
        "csrf_token": token, "title": "Explain the plan in plain words at every review", "finding_kind": "measure",
        "finding_ref": "understand_why", "measure_id": "understand_why", "owner_name": "IRO team manager",
        "started_on": ["1", "10", "2026"], "due_on": ["31", "12", "2026"],  # day, month, year boxes
        "plain_words": "You said plans were hard to understand, so chairs now explain them in plain words.",
    })


def test_qa_add_an_action_follow_it_and_publish_it(client):
    qa = staff_user("qa", team=None)
    sign_in_as(client, qa)
    response = _add(client)
    assert response.status_code == 302
    action = db.session.scalar(select(LearningAction))
    page = client.get(f"/learning/actions/{action.id}").get_data(as_text=True)
    assert "Before and after" in page and 'id="chart-action-' in page
    assert "Before the action" in page and "After it started" in page
    url = f"/learning/actions/{action.id}"
    token = csrf_token(client, url)
    assert client.post(f"{url}/notes", data={"csrf_token": token, "status": "in_progress",
                                             "note": "Briefed all chairs"}).status_code == 302
    db.session.refresh(action)
    assert action.status == "in_progress" and [n.status for n in action.notes] == ["open", "in_progress"]
    assert client.post(f"{url}/publish", data={"csrf_token": token, "publish": "1"}).status_code == 302
    fag = staff_user("family_advisory", team=None)
    sign_in_as(client, fag)
    public = client.get("/insights/you-said-we-did").get_data(as_text=True)
    assert "chairs now explain them in plain words" in public
    assert "IRO team manager" not in public  # plain words only
    assert client.get(url).status_code == 403  # the action itself is QA's
    assert {"learning_action_created", "learning_action_updated", "learning_action_published"} <= set(
        db.session.scalars(select(AuditEvent.action)))


def test_a_bad_action_gets_a_clear_error_and_nothing_is_saved(client):
    sign_in_as(client, staff_user("qa", team=None))
    token = csrf_token(client, "/learning/actions")
    response = client.post("/learning/actions", data={"csrf_token": token, "title": "", "owner_name": ""})
    assert response.status_code == 400
    assert "Enter what will be done" in response.get_data(as_text=True)
    assert db.session.scalar(select(LearningAction)) is None
