"""Builders and sign-in helpers for the staff-side tests. Invented people only."""
from __future__ import annotations

import itertools
import re
from datetime import timedelta

from argon2 import PasswordHasher
from flask import g

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.answers import save_answer_and_commit
from voice_service.extensions import db
from voice_service.models import User, utcnow

PASSWORD = "correct horse battery staple"
CHILD_SURVEY = "cp_conference_child_8_12"  # a real survey in surveys/
CHILD_WORDS = "I want to live with my nan because she listens to me"
RISK_WORDS = "my dad hits me when he is drunk"
PARENT_WORDS = "We need more help with the housing, the flat is damp"
SECRET_WORDS = "Only the chair should know I am scared of my uncle Stephen"


def sign_in_as(client, user) -> None:
    """Put a signed-in session on the test client (the sign-in form has its own tests)."""
    with client.session_transaction() as session:
        session["user_id"] = user.id
        session["seen"] = utcnow().timestamp()


def csrf_token(client, url: str) -> str:
    """The CSRF token from a page's form. (The test app context outlives requests, so Flask-WTF's
    per-request cache on `g` is cleared first, as a new request would in production.)"""
    g.pop("csrf_token", None)
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="(?:[a-z]+-)?csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="(?:[a-z]+-)?csrf_token" value="([^"]+)"', html)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def meeting_with_views(team="north", chair=None, days_ahead=3, parent_visibility="meeting",
                       child_visibility="worker_and_chair", secret_parent=True):
    """A meeting with a child (real survey), two parents and their answers.

    Child: free text, a scale, a flagged answer; visibility `child_visibility`.
    Parent 1: words, visibility `parent_visibility`, completed.
    Parent 2: chair-only words (visibility chosen chair_only) when `secret_parent`.
    """
    meeting = make_meeting(days_ahead=days_ahead, team=team, chair=chair)
    child = make_participant(meeting, role="child", name="Maya", phone=None, age_band="8_12")
    mum = make_participant(meeting, role="parent", name="Dana Lewis", phone="+447700900101")
    dad = make_participant(meeting, role="parent", name="Chris Lewis", phone="+447700900102")
    child_inv, _ = make_invitation(child, CHILD_SURVEY)
    mum_inv, _ = make_invitation(mum, "parent_survey_for_tests")
    dad_inv, _ = make_invitation(dad, "parent_survey_for_tests")
    save_answer_and_commit(child_inv, "feelings", value="very_sad", channel="web")
    save_answer_and_commit(child_inv, "going_well", free_text=CHILD_WORDS, channel="web")
    save_answer_and_commit(child_inv, "worries", free_text=RISK_WORDS, channel="web")
    child_inv.visibility = child_visibility
    save_answer_and_commit(mum_inv, "what_matters", free_text=PARENT_WORDS, channel="web")
    mum_inv.visibility = parent_visibility
    mum_inv.status = "completed"
    mum_inv.completed_at = utcnow()
    if secret_parent:
        save_answer_and_commit(dad_inv, "what_matters", free_text=SECRET_WORDS, channel="web")
        dad_inv.visibility = "chair_only"
    db.session.commit()
    return meeting, {"child": child_inv, "mum": mum_inv, "dad": dad_inv}


# A real argon2 hash of PASSWORD with cheap parameters: the production hasher verifies it (the
# parameters are in the hash) without spending a second per test user on a shared machine.
FAST_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
_seq = itertools.count(1)


def staff_user(role="chair", team="north", email=None, name=None) -> User:
    n = next(_seq)
    user = User(email=email or f"{role}.{n}@example.invalid", name=name or f"{role.replace('_', ' ').title()} Person {n}",
                password_hash=FAST_HASH, role=role, team=team)
    db.session.add(user)
    db.session.flush()
    return user


def users(team="north"):
    return {
        "chair": staff_user("chair", team=team),
        "worker": staff_user("worker", team=team),
        "other_worker": staff_user("worker", team="south"),
        "admin": staff_user("admin", team=None),
        "qa": staff_user("qa", team=None),
        "fag": staff_user("family_advisory", team=None),
    }


def past_meeting(**kwargs):
    meeting, invitations = meeting_with_views(**kwargs)
    meeting.starts_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    return meeting, invitations
