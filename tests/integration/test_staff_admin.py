"""Admins manage staff accounts on the web, with the same rules as `flask users ...` (issue 18, item 9)."""
from __future__ import annotations

from sqlalchemy import select

from tests.support.staff import PASSWORD, csrf_token, sign_in_as, staff_user
from voice_service.auth import verify_password
from voice_service.extensions import db
from voice_service.models import AuditEvent, User

NEW_PASSWORD = "a brand new long password"


def _signed_in_admin(client):
    admin = staff_user("admin", team=None)
    db.session.commit()
    sign_in_as(client, admin)
    return admin


def _post(client, url, data, page):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _audited(action, user):
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == str(user.id))).all()


def _replay_works(app, user) -> bool:
    """A session started for `user` before the change: does it still open a staff page?"""
    other = app.test_client()
    with other.session_transaction() as session:
        from voice_service.models import utcnow
        session["user_id"], session["v"], session["seen"] = user.id, 1, utcnow().timestamp()
    return other.get("/staff/meetings").status_code == 200


def test_only_admins_reach_the_staff_accounts_page(app, client):
    assert client.get("/staff/users").status_code == 302  # signed out: to sign in
    for role in ("qa", "chair", "worker", "family_advisory"):
        sign_in_as(client, staff_user(role))
        db.session.commit()
        assert client.get("/staff/users").status_code == 403, role
    admin = _signed_in_admin(client)
    page = client.get("/staff/users").get_data(as_text=True)
    assert admin.email in page and "Add a staff account" in page
    assert "Staff accounts" in client.get("/staff/audit").get_data(as_text=True)  # in the admin's menu


def test_an_admin_adds_an_account_who_can_then_sign_in(app, client):
    admin = _signed_in_admin(client)
    response = _post(client, "/staff/users", {"email": "Rosa.Worker@example.invalid", "name": "Rosa Worker", "role": "worker",
                                              "team": "north", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "/staff/users")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "rosa.worker@example.invalid"))
    assert user.role == "worker" and user.team == "north" and verify_password(user.password_hash, NEW_PASSWORD)
    event = _audited("user_created", user)[0]
    assert event.user_id == admin.id and NEW_PASSWORD not in str(event.detail)
    assert "Rosa Worker" in client.get(response.headers["Location"]).get_data(as_text=True)

    fresh = app.test_client()
    signed_in = fresh.post("/staff/sign-in", data={"csrf_token": csrf_token(fresh, "/staff/sign-in"),
                                                   "email": "rosa.worker@example.invalid", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and "/staff/sign-in" not in signed_in.headers["Location"]


def test_adding_an_account_says_what_is_wrong(app, client):
    _signed_in_admin(client)
    staff_user("chair", email="taken@example.invalid")
    db.session.commit()
    cases = [
        ({"email": "w@example.invalid", "name": "W", "role": "worker", "team": "", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
         "a worker needs a team"),
        ({"email": "q@example.invalid", "name": "Q", "role": "qa", "password": "short", "confirm": "short"}, "12 characters"),
        ({"email": "q@example.invalid", "name": "Q", "role": "qa", "password": NEW_PASSWORD, "confirm": "something else entirely"},
         "do not match"),
        ({"email": "taken@example.invalid", "name": "T", "role": "qa", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
         "already exists"),
    ]
    for data, words in cases:
        response = _post(client, "/staff/users", data, "/staff/users")
        assert response.status_code == 400 and words in response.get_data(as_text=True).lower(), words
    assert db.session.scalar(select(User).where(User.email.in_(["w@example.invalid", "q@example.invalid"]))) is None


def test_a_role_change_ends_every_session_of_that_person_and_is_audited(app, client):
    admin = _signed_in_admin(client)
    chair = staff_user("chair", team="north")
    db.session.commit()
    assert _replay_works(app, chair)
    page = f"/staff/users/{chair.id}"
    response = _post(client, f"{page}/role", {"role": "qa", "team": ""}, page)
    assert response.status_code == 302
    db.session.refresh(chair)
    assert chair.role == "qa" and chair.team is None and chair.session_version == 2
    assert not _replay_works(app, chair)
    event = _audited("user_role_changed", chair)[0]
    assert event.user_id == admin.id and event.detail["from"] == "chair" and event.detail["to"] == "qa"
    # The same role again changes nothing and ends nothing.
    _post(client, f"{page}/role", {"role": "qa", "team": ""}, page)
    db.session.refresh(chair)
    assert chair.session_version == 2 and len(_audited("user_role_changed", chair)) == 1


def test_disabling_stops_sign_in_and_enabling_lets_them_back(app, client):
    admin = _signed_in_admin(client)
    worker = staff_user("worker", team="north")
    db.session.commit()
    page = f"/staff/users/{worker.id}"
    assert _post(client, f"{page}/disable", {}, page).status_code == 302
    db.session.refresh(worker)
    assert not worker.active and not _replay_works(app, worker)
    assert "Disabled" in client.get("/staff/users").get_data(as_text=True)
    fresh = app.test_client()
    refused = fresh.post("/staff/sign-in", data={"csrf_token": csrf_token(fresh, "/staff/sign-in"),
                                                 "email": worker.email, "password": PASSWORD})
    assert refused.status_code != 302
    assert _post(client, f"{page}/enable", {}, page).status_code == 302
    db.session.refresh(worker)
    assert worker.active
    assert [e.user_id for e in _audited("user_locked", worker)] == [admin.id]
    assert [e.user_id for e in _audited("user_unlocked", worker)] == [admin.id]


def test_the_last_admin_cannot_be_disabled_or_re_roled_and_no_one_disables_themselves(app, client):
    admin = _signed_in_admin(client)
    page = f"/staff/users/{admin.id}"
    response = _post(client, f"{page}/role", {"role": "qa", "team": ""}, page)
    assert response.status_code == 409 and "only active administrator" in response.get_data(as_text=True)
    second = staff_user("admin", team=None)
    db.session.commit()
    assert "You cannot disable your own account" in client.get(page).get_data(as_text=True)
    assert _post(client, f"{page}/disable", {}, page).status_code == 409
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"
    other = f"/staff/users/{second.id}"
    assert _post(client, f"{other}/disable", {}, other).status_code == 302  # another admin remains (this one)


def test_reset_sign_in_sets_a_new_password_and_ends_their_sessions(app, client):
    _signed_in_admin(client)
    qa = staff_user("qa", team=None)
    db.session.commit()
    page = f"/staff/users/{qa.id}"
    assert _post(client, f"{page}/password", {"password": "short", "confirm": "short"}, page).status_code == 409
    assert _post(client, f"{page}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page).status_code == 302
    db.session.refresh(qa)
    assert verify_password(qa.password_hash, NEW_PASSWORD) and not _replay_works(app, qa)
    assert len(_audited("user_password_changed", qa)) == 1


def test_the_command_line_uses_the_same_rules(app, runner):
    admin = staff_user("admin", team=None)
    chair = staff_user("chair", team="north")
    db.session.commit()
    assert runner.invoke(args=["users", "lock", admin.email]).exit_code != 0  # the only admin
    result = runner.invoke(args=["users", "set-role", chair.email, "worker", "--team", "south"])
    assert result.exit_code == 0, result.output
    db.session.refresh(chair)
    assert chair.role == "worker" and chair.team == "south" and chair.session_version == 2
    assert _audited("user_role_changed", chair)[0].user_id is None
