"""Hostile input to the JSON API beyond what schemathesis draws from the document
(test_api_meetings.py): oversized and non-UTF-8 bodies, deep nesting, huge numbers of fields, and
any text in the free-text fields: never a 500; stored exactly as sent, or refused with a 400 that
names the field."""
from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.support.api import auth, meeting_body, new_api_key
from voice_service.extensions import db
from voice_service.models import Meeting

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
HOSTILE = ["<script>alert(1)</script>", "{{ 1234*5 }}", "'; DROP TABLE meeting; --", "nul\x00inside", "=cmd|' /C calc'!A0"]
_refs = itertools.count(1)


@pytest.fixture
def key(app):
    return new_api_key()


def _post(client, key, body):
    return client.post("/api/v1/meetings", json=body, headers=auth(key))


@FUZZ
@given(location=st.one_of(TEXT, st.sampled_from(HOSTILE)), name=st.one_of(TEXT, st.sampled_from(HOSTILE)))
def test_free_text_fields_are_stored_exactly_or_refused_by_name(client, key, location, name):
    ref = f"MTG-FUZZ-{next(_refs)}"
    body = meeting_body(ref=ref, location=location)
    body["participants"][0]["name"] = name
    response = _post(client, key, body)
    assert response.status_code in (201, 400), (response.status_code, location, name)
    if response.status_code == 400:
        fields = {e["field"] for e in response.get_json()["errors"]}
        assert fields & {"location", "participants[0].name"}, response.get_json()
        assert db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.meeting_ref == ref)) == 0
        return
    got = client.get(f"/api/v1/meetings/{ref}", headers=auth(key)).get_json()
    assert got["location"] == (location.strip() or None)  # surrounding spaces are not kept; nothing else is lost


@pytest.mark.parametrize("value", ["nul\x00inside", "bell\x07"])
def test_a_control_character_is_refused_by_name_on_every_database(client, key, value):
    """Found by hypothesis on PostgreSQL, which cannot store U+0000 in text: it was a 500."""
    response = _post(client, key, meeting_body(ref="MTG-NUL-1", location=value))
    assert response.status_code == 400
    assert {e["field"]: e["message"] for e in response.get_json()["errors"]}["location"] == "must not contain control characters"
    _post(client, key, meeting_body(ref="MTG-NUL-2"))
    response = client.patch("/api/v1/meetings/MTG-NUL-2", json={"location": value}, headers=auth(key))
    assert response.status_code == 400


def test_an_oversized_body_is_a_413_in_json(client, key):
    body = meeting_body(location="x" * 200_000)
    response = _post(client, key, body)
    assert response.status_code == 413
    assert response.is_json


@pytest.mark.parametrize("raw", [b'{"meeting_ref": "\xff\xfe"}', b"\xef\xbb\xbf{}", b'{"a": "\\ud800"}'])
def test_bodies_that_are_not_utf8_json_are_a_clear_400(client, key, raw):
    response = client.post("/api/v1/meetings", data=raw, headers={**auth(key), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.is_json


def test_deep_nesting_is_a_400_not_a_crash(client, key):
    raw = b'{"child": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = client.post("/api/v1/meetings", data=raw, headers={**auth(key), "Content-Type": "application/json"})
    assert response.status_code in (400, 413) and response.is_json


def test_a_huge_number_of_fields_or_participants_is_refused_plainly(client, key):
    body = meeting_body(ref="MTG-MANY-1", **{f"extra{i}": i for i in range(2000)})
    response = _post(client, key, body)
    assert response.status_code in (201, 400)
    body = meeting_body(ref="MTG-MANY-2")
    body["participants"] = [{"ref": f"P{i}", "role": "other", "name": f"Person {i}", "channel": "web"} for i in range(600)]
    response = _post(client, key, body)
    assert response.status_code in (400, 413) or response.status_code == 201
    assert response.status_code < 500 and response.is_json
    if response.status_code == 400:
        assert json.dumps(response.get_json())
