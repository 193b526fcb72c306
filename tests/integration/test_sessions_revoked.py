"""Staff sessions can be ended, and sign-in failures all look and cost the same (issue 19,
findings 4 and 8).

A copied cookie is replayed after sign-out, lock, password change and role change: refused each
time. A session has an absolute lifetime as well as the idle timeout.
"""
from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
import time_machine

from tests.support.staff import PASSWORD, csrf_token, staff_user
from voice_service.extensions import db
from voice_service.models import utcnow


@pytest.fixture
def app_config():
    return {"STAFF_SIGN_IN_RATE_LIMIT": "1000 per minute"}


def sign_in(client, email, password, address="127.0.0.1"):
    return client.post("/staff/sign-in", environ_base={"REMOTE_ADDR": address},
                       data={"csrf_token": csrf_token(client, "/staff/sign-in"), "email": email, "password": password})


def copied_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, cookie_value: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie_value)
    return thief.get("/staff/meetings")


def signed_in_chair(app):
    user = staff_user("chair")
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert client.get("/staff/meetings").status_code == 200
    return user, client


def test_a_copied_cookie_stops_working_after_sign_out(app):
    _user, client = signed_in_chair(app)
    stolen = copied_cookie(client)
    assert replay(app, stolen).status_code == 200  # the copy works while the session does...
    client.post("/staff/sign-out", data={"signout-csrf_token": csrf_token(client, "/staff/meetings")})
    response = replay(app, stolen)  # ...and not after signing out
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]
    assert "expired=ended" in response.headers["Location"]


@pytest.mark.parametrize("command", [
    ["users", "lock", "{email}"],
    ["users", "set-password", "{email}", "--password", "a brand new passphrase"],
    ["users", "set-role", "{email}", "qa"],
])
def test_a_copied_cookie_stops_working_after_lock_password_or_role_change(app, command):
    user, client = signed_in_chair(app)
    stolen = copied_cookie(client)
    result = app.test_cli_runner().invoke(args=[part.format(email=user.email) for part in command])
    assert result.exit_code == 0, result.output
    assert "signed out everywhere" in result.output
    db.session.expire_all()
    assert replay(app, stolen).status_code == 302
    assert client.get("/staff/meetings").status_code == 302


def test_a_new_password_works_and_the_old_one_does_not(app):
    user, _client = signed_in_chair(app)
    result = app.test_cli_runner().invoke(args=["users", "set-password", user.email, "--password", "a brand new passphrase"])
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 400
    assert sign_in(app.test_client(), user.email, "a brand new passphrase").status_code == 302


def test_a_busy_session_still_ends_after_its_absolute_lifetime(app):
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        _user, client = signed_in_chair(app)
        for _ in range(12 * 4 + 2):  # a request every 15 minutes: never idle
            clock.shift(timedelta(minutes=15))
            status = client.get("/staff/meetings").status_code
            if status != 200:
                break
        assert status == 302
        assert utcnow() - start > timedelta(hours=12) - timedelta(minutes=16)
        assert utcnow() - start <= timedelta(hours=12, minutes=15)


# Finding 8 ------------------------------------------------------------------------------------------

def test_every_sign_in_failure_gives_the_same_answer(app):
    user = staff_user("chair")
    inactive = staff_user("qa")
    inactive.active = False
    db.session.commit()
    throttled = app.test_client()
    for _ in range(5):
        sign_in(throttled, "someone.else@example.invalid", "guess")
    answers = {
        "unknown": sign_in(app.test_client(), "nobody@example.invalid", "guess"),
        "wrong": sign_in(app.test_client(), user.email, "guess"),
        "inactive": sign_in(app.test_client(), inactive.email, PASSWORD),
    }
    for name, response in answers.items():
        assert response.status_code == 400, name
        assert "Enter a correct email address and password" in response.get_data(as_text=True), name
    # A throttled unknown email reads exactly like a throttled real one: the throttle tells nothing.
    real = app.test_client()
    for _ in range(5):
        sign_in(real, user.email, "guess", address="192.0.2.9")
    a = sign_in(throttled, "someone.else@example.invalid", "guess")
    b = sign_in(real, user.email, PASSWORD, address="192.0.2.9")
    assert a.status_code == b.status_code == 429
    assert "Too many wrong attempts" in a.get_data(as_text=True) and "Too many wrong attempts" in b.get_data(as_text=True)


def test_every_sign_in_failure_costs_one_password_check(app, monkeypatch):
    """The same cost: a locked or throttled account used to answer at once (about ten times faster
    than an unknown email, which pays for a password hash)."""
    from argon2 import PasswordHasher

    from voice_service.auth import hash_password

    user = staff_user("chair")
    user.password_hash = hash_password(PASSWORD)  # the service's own cost, not the tests' fast hash
    db.session.commit()
    calls = []
    real_verify = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, h, p: calls.append(1) or real_verify(self, h, p))
    client = app.test_client()
    timings = {"unknown": [], "throttled": []}
    for _ in range(5):
        sign_in(client, user.email, "guess")
    for kind, email in (("unknown", "nobody@example.invalid"), ("throttled", user.email)) * 3:
        calls.clear()
        started = time.perf_counter()
        sign_in(client, email, "guess")
        timings[kind].append(time.perf_counter() - started)
        assert len(calls) == 1, kind
    ratio = statistics.median(timings["throttled"]) / statistics.median(timings["unknown"])
    assert 0.4 < ratio < 2.5, timings


def test_someone_elses_wrong_guesses_do_not_keep_a_chair_out(app):
    user = staff_user("chair")
    db.session.commit()
    attacker = app.test_client()
    for _ in range(20):
        sign_in(attacker, user.email, "guess", address="203.0.113.5")
    assert sign_in(attacker, user.email, PASSWORD, address="203.0.113.5").status_code == 429
    assert sign_in(app.test_client(), user.email, PASSWORD, address="198.51.100.20").status_code == 302
    result = app.test_cli_runner().invoke(args=["users", "unlock", user.email])
    assert result.exit_code == 0
    assert sign_in(attacker, user.email, PASSWORD, address="203.0.113.5").status_code == 302
