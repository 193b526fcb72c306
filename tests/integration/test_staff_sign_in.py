"""Signing in: hashed passwords, CSRF, throttling (no lock-out), idle timeout, rate limit, safe redirects."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.staff import PASSWORD, csrf_token, sign_in_as, staff_user
from voice_service.extensions import db
from voice_service.models import AuditEvent, utcnow


@pytest.fixture
def app_config():
    return {"STAFF_SIGN_IN_RATE_LIMIT": "1000 per minute"}


def sign_in(client, email, password, next_page=None):
    url = "/staff/sign-in" + (f"?next={next_page}" if next_page else "")
    return client.post(url, data={"csrf_token": csrf_token(client, "/staff/sign-in"), "email": email, "password": password})


def test_the_right_password_signs_in_and_lands_on_the_meetings(client, app):
    user = staff_user("chair")
    db.session.commit()
    response = sign_in(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    assert client.get("/staff/meetings").status_code == 200
    assert user.password_hash.startswith("$argon2")
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.user_id == user.id)) == "sign_in"


def test_a_wrong_password_is_refused_with_an_error_summary(client, app):
    user = staff_user("chair")
    db.session.commit()
    response = sign_in(client, user.email, "not the password")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Sign in" in body and "govuk-error-summary" in body
    assert "Enter a correct email address and password" in body
    assert client.get("/staff/meetings").status_code == 302


def test_an_unknown_email_gets_the_same_message(client, app):
    body = sign_in(client, "nobody@example.invalid", "whatever").get_data(as_text=True)
    assert "Enter a correct email address and password" in body


def test_empty_fields_name_each_field(client, app):
    body = sign_in(client, "", "").get_data(as_text=True)
    assert "Enter your email address" in body and "Enter your password" in body


def test_a_form_without_its_csrf_token_is_refused(client, app):
    user = staff_user("chair")
    db.session.commit()
    response = client.post("/staff/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/meetings").status_code == 302


def test_five_wrong_passwords_slow_that_address_down_but_never_lock_the_account_out(client, app):
    """Issue 19, finding 8: five wrong passwords used to lock the account for everyone for 15
    minutes (anyone who knew a chair's email could keep her out). Now they slow down that account
    from that address only: the chair at her own desk still signs in."""
    user = staff_user("chair")
    db.session.commit()
    for _ in range(5):
        sign_in(client, user.email, "wrong password")
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many wrong attempts with this email address" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.locked_until is None
    elsewhere = app.test_client()
    response = elsewhere.post("/staff/sign-in", environ_base={"REMOTE_ADDR": "192.0.2.77"}, data={
        "csrf_token": csrf_token(elsewhere, "/staff/sign-in"), "email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_an_idle_session_ends_and_says_why(client, app):
    user = staff_user("chair")
    db.session.commit()
    sign_in_as(client, user)
    with client.session_transaction() as session:
        session["seen"] = (utcnow() - timedelta(minutes=31)).timestamp()
    response = client.get("/staff/meetings")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because you had not done anything for a while" in body


def test_a_session_in_use_stays_signed_in(client, app):
    user = staff_user("chair")
    db.session.commit()
    sign_in_as(client, user)
    with client.session_transaction() as session:
        session["seen"] = (utcnow() - timedelta(minutes=29)).timestamp()
    assert client.get("/staff/meetings").status_code == 200


def test_after_sign_in_only_our_own_staff_pages_are_followed(client, app):
    user = staff_user("chair")
    db.session.commit()
    response = sign_in(client, user.email, PASSWORD, next_page="//evil.example/steal")
    assert response.headers["Location"].endswith("/staff/")
    client.post("/staff/sign-out", data={"signout-csrf_token": csrf_token(client, "/staff/meetings")})
    response = sign_in(client, user.email, PASSWORD, next_page="/staff/alerts")
    assert response.headers["Location"].endswith("/staff/alerts")


def test_signing_out_needs_a_post_with_its_token(client, app):
    user = staff_user("chair")
    db.session.commit()
    sign_in(client, user.email, PASSWORD)
    assert client.get("/staff/sign-out").status_code == 405
    client.post("/staff/sign-out", data={"signout-csrf_token": csrf_token(client, "/staff/meetings")})
    assert client.get("/staff/meetings").status_code == 302


def test_a_deactivated_user_cannot_sign_in_or_stay_signed_in(client, app):
    user = staff_user("chair")
    db.session.commit()
    sign_in_as(client, user)
    user.active = False
    db.session.commit()
    assert client.get("/staff/meetings").status_code == 302
    assert sign_in(client, user.email, PASSWORD).status_code == 400


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"STAFF_SIGN_IN_RATE_LIMIT": "3 per minute"}

    def test_sign_in_attempts_are_rate_limited(self, client, app):
        codes = [sign_in(client, "someone@example.invalid", "guess").status_code for _ in range(4)]
        assert codes[:3] == [400, 400, 400] and codes[3] == 429
        assert client.get("/staff/sign-in").status_code == 200  # reading the page is not limited
