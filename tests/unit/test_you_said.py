"""'You said, we did' rules: the route, what is shown, the follow-up measure."""
from datetime import datetime, timedelta, timezone

from voice_service.learning import you_said


def test_a_child_without_a_phone_gets_it_from_their_worker_and_an_adult_by_letter():
    base = dict(has_phone=False, safe_to_text=False, consent=True, opted_out=False, has_email=False,
                preferred_channel="web")
    assert you_said.route_for(role="child", **base) == "in_person"
    assert you_said.route_for(role="parent", **base) == "letter"
    assert you_said.route_for(role="parent", **{**base, "has_email": True}) == "email"
    texting = {**base, "has_phone": True, "safe_to_text": True}
    assert you_said.route_for(role="parent", **texting) == "text"
    assert you_said.route_for(role="parent", **{**texting, "opted_out": True}) == "letter"  # texted STOP
    assert you_said.route_for(role="carer", **{**texting, "consent": False}) == "letter"


def test_their_own_words_leave_out_skipped_and_flagged_answers():
    said = you_said.what_they_said([
        {"question": "What is going well?", "free_text": "My nan listens"},
        {"question": "Worries", "free_text": "something frightening", "flagged": True},
        {"question": "Skipped", "free_text": None, "skipped": True},
    ])
    assert [s.words for s in said] == ["My nan listens"]


def test_points_another_person_raised_are_not_shown():
    decided = you_said.what_was_decided([
        {"invitation_id": 2, "point": "Dad's point", "decision": "A"},
        {"invitation_id": None, "point": "Everyone", "decision": "B"},
        {"invitation_id": 1, "point": "Mine", "decision": "C"},
    ], invitation_id=1)
    assert [(d.point, d.raised_by_you) for d in decided] == [("Mine", True), ("Everyone", False)]


def test_the_follow_up_opens_a_month_after_the_outcome_and_counts_answers():
    outcome = datetime(2026, 10, 1, 12, tzinfo=timezone.utc)
    assert not you_said.follow_up_open(outcome, outcome + timedelta(days=29), answered=False)
    assert you_said.follow_up_open(outcome, outcome + timedelta(days=30), answered=False)
    assert not you_said.follow_up_open(outcome, outcome + timedelta(days=40), answered=True)
    m = you_said.follow_up_measure(["yes", "yes", "no", "partly", "not_sure", None])
    assert (m.asked, m.answered, m.yes) == (6, 5, 2)
    assert m.share_happened == 0.5  # 2 of the 4 who said yes, partly or no
    assert you_said.follow_up_measure([]).share_happened is None


def test_overdue_when_nothing_went_after_the_due_days():
    outcome = datetime(2026, 10, 1, tzinfo=timezone.utc)
    assert you_said.overdue(outcome, outcome + timedelta(days=11), sent_or_handed_over=False)
    assert not you_said.overdue(outcome, outcome + timedelta(days=11), sent_or_handed_over=True)
    assert not you_said.overdue(outcome, outcome + timedelta(days=3), sent_or_handed_over=False)
