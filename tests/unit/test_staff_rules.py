"""The staff side's pure rules: who sees what, invitation states, masking, answer labels, input checks."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from voice_service.audit import clean_detail
from voice_service.intake import parse_time, validate_meeting
from voice_service.meetings.rules import (
    answer_display, can_open_meeting, can_see_answers, effective_visibility, invitation_state, mask_phone,
    phone_for, views_state,
)
from voice_service.vocab import STAFF_ROLES, VISIBILITY
from voice_service.surveys import Option, Question, Wording


@pytest.mark.parametrize("status, failed, message, expected", [
    (None, False, None, "no_invitation"),
    ("scheduled", False, None, "not_sent"),
    ("scheduled", False, "queued", "sent"),
    ("sent", False, None, "sent"),
    ("sent", False, "delivered", "delivered"),
    ("sent", False, "read", "delivered"),
    ("sent", False, "undelivered", "delivery_failed"),
    ("sent", True, "sent", "delivery_failed"),
    ("scheduled", True, None, "delivery_failed"),
    ("opened", False, "delivered", "opened"),
    ("in_progress", True, "failed", "in_progress"),  # they are answering: the link reached them
    ("completed", False, "failed", "completed"),
    ("declined", False, None, "declined"),
    ("opted_out", False, "delivered", "opted_out"),
    ("expired", False, None, "expired"),
])
def test_invitation_state(status, failed, message, expected):
    assert invitation_state(status, failed, message) == expected


def test_views_are_in_only_when_sent_and_partly_in_while_answering():
    assert views_state("completed", 0) == "in"
    assert views_state("in_progress", 3) == "partial"
    assert views_state("sent", 0) == "none"


@pytest.mark.parametrize("role", list(STAFF_ROLES))
@pytest.mark.parametrize("chosen", [*VISIBILITY, None, "nonsense"])
def test_who_may_read_answers(role, chosen):
    allowed = can_see_answers(role, chosen)
    effective = effective_visibility(chosen)
    if role == "family_advisory":
        assert not allowed
    elif role == "chair":
        assert allowed
    elif effective == "chair_only":
        assert not allowed  # not chosen counts as the narrowest choice
    elif role == "worker":
        assert allowed
    else:  # admin, qa: only what the person said everyone at the meeting may read
        assert allowed == (effective == "meeting")


def test_meetings_open_by_role_and_team():
    assert can_open_meeting("worker", "north", "north")
    assert not can_open_meeting("worker", "north", "south")
    assert not can_open_meeting("worker", None, None)
    assert can_open_meeting("chair", None, "south")
    assert not can_open_meeting("family_advisory", "north", "north")
    assert not can_open_meeting("someone", "north", "north")


def test_phone_numbers_are_masked_for_all_but_admins():
    assert mask_phone("+447700900123") == "07700 900•••"
    assert mask_phone(None) is None
    assert phone_for("chair", "+447700900123") == "07700 900•••"
    assert phone_for("admin", "+447700900123") == "07700 900123"


SCALE = Question("feelings", "scale", Wording("How do you feel?", "How?"),
                 options=(Option("very_happy", "Very happy", "😀"), Option("very_sad", "Very sad", "😢")))
YES_NO = Question("know_why", "yes_no", Wording("Do you know why?", "Why?"))
FREE = Question("worries", "free_text", Wording("What worries you?", "Worries?"))
MULTI = Question("who", "multiple_choice", Wording("Who helps?", "Who?"),
                 options=(Option("nan", "My nan"), Option("teacher", "My teacher")))


def test_answers_show_their_labels_not_their_ids():
    assert answer_display(SCALE, "very_sad", None) == ("Very sad", "😢")
    assert answer_display(YES_NO, "not_sure", None) == ("Not sure", None)
    assert answer_display(MULTI, ["nan", "teacher"], None) == ("My nan, My teacher", None)
    assert answer_display(FREE, None, "school") == ("school", None)
    assert answer_display(MULTI, ["nan"], "and my cousin") == ("My nan: and my cousin", None)
    assert answer_display(None, "x", None) == ("x", None)  # survey missing: still shown


def test_london_wall_times_and_offsets_are_both_understood():
    assert parse_time("2027-07-01 10:00") == datetime(2027, 7, 1, 9, 0, tzinfo=timezone.utc)  # BST
    assert parse_time("2027-01-05T10:00:00Z") == datetime(2027, 1, 5, 10, 0, tzinfo=timezone.utc)
    assert parse_time("2027-01-05T10:00:00+01:00") == datetime(2027, 1, 5, 9, 0, tzinfo=timezone.utc)
    assert parse_time("2027-01-05T10:00:00 01:00") == datetime(2027, 1, 5, 9, 0, tzinfo=timezone.utc)
    for bad in ("", "tomorrow", None, 5, "2027-13-01"):
        assert parse_time(bad) is None


def test_validation_names_every_bad_field_and_accepts_a_good_meeting():
    good = {
        "meeting_ref": "M-1", "case_ref": "C-1", "meeting_type": "cin_review", "starts_at": "2027-01-05T10:00:00Z",
        "child": {"age_band": "13_17", "service": "cin"},
        "participants": [{"ref": "P1", "role": "child", "name": "Amira", "phone": "07700 900105", "channel": "sms"}],
    }
    meeting, errors = validate_meeting(good, allow_drama_numbers=True)
    assert errors == [] and meeting.participants[0].phone == "+447700900105"
    bad = dict(good, meeting_ref="has spaces", participants=[{"ref": "P1", "role": "child", "name": "A", "channel": "sms"}, "x"])
    _, errors = validate_meeting(bad, allow_drama_numbers=True)
    assert {e.field for e in errors} == {"meeting_ref", "participants[0].phone", "participants[1]"}
    _, errors = validate_meeting(["not", "an", "object"])
    assert errors[0].field == "(body)"


def test_a_real_looking_phone_number_is_refused_outside_the_drama_range_when_invalid():
    meeting = {"meeting_ref": "M-1", "case_ref": "C-1", "meeting_type": "cin_review", "starts_at": "2027-01-05T10:00:00Z",
               "child": {"age_band": "13_17", "service": "cin"},
               "participants": [{"ref": "P1", "role": "parent", "name": "A", "phone": "020 7946 0000"}]}
    _, errors = validate_meeting(meeting)
    assert [e.field for e in errors] == ["participants[0].phone"] and "mobile" in errors[0].message


def test_audit_details_refuse_free_text():
    assert clean_detail({"answer_id": 3, "shown": [1, 2], "state": "open"}) == {"answer_id": 3, "shown": [1, 2], "state": "open"}
    with pytest.raises(ValueError):
        clean_detail({"note": "my dad hits me"})
