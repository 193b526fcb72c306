"""Planning into rows and dispatching them: on time, at decent hours, once, never lost."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.support.scheduler import FakeSender, ProviderRefused, compose, invitation_for, london
from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.models import Invitation, Message, OptOut, ScheduledMessage
from voice_service.scheduling.dispatch import close_expired_invitations, dispatch_due
from voice_service.scheduling.service import plan_invitation_messages

MEETING = london(2027, 3, 19, 10, 0)   # Friday 19 March 2027
CREATED = london(2027, 3, 1, 9, 30)    # Monday 1 March 2027


def rows(invitation) -> dict[tuple[str, int], ScheduledMessage]:
    found = db.session.scalars(select(ScheduledMessage).where(ScheduledMessage.invitation_id == invitation.id))
    return {(r.kind, r.sequence): r for r in found}


def planned(**kwargs):
    invitation = invitation_for(kwargs.pop("starts_at", MEETING), kwargs.pop("created_at", CREATED), **kwargs)
    plan_invitation_messages(invitation, now=CREATED)
    db.session.commit()
    return invitation


# ---------------------------------------------------------------- planning into rows


def test_planning_an_invitation_stores_its_schedule_once(app):
    invitation = planned()
    stored = rows(invitation)
    assert {key: (r.due_at, r.state) for key, r in stored.items()} == {
        ("invite", 0): (CREATED, "pending"),
        ("reminder", 1): (london(2027, 3, 12, 10, 0), "pending"),
        ("reminder", 2): (london(2027, 3, 16, 10, 0), "pending"),
        ("close", 0): (london(2027, 3, 16, 17, 0), "pending"),
    }
    assert plan_invitation_messages(invitation, now=CREATED).is_empty


def test_a_landline_gets_no_messages_and_staff_see_why(app):
    invitation = planned(phone="+442079460000")
    # Nothing is texted; the link still closes on time, and staff are told to give it in person.
    assert sorted((k, r.state, r.reason) for k, r in rows(invitation).items()) == [
        (("close", 0), "pending", None),
        (("invite", 0), "cancelled", "no usable contact: not a mobile number, so it cannot receive texts; "
                                     "in person: the worker gives the link from the meeting page"),
    ]


def test_a_moved_meeting_moves_the_pending_reminders(app):
    invitation = planned()
    invitation.participant.meeting.starts_at = london(2027, 3, 26, 10, 0)
    plan_invitation_messages(invitation, now=london(2027, 3, 2, 9, 0))
    db.session.commit()
    assert rows(invitation)[("reminder", 1)].due_at == london(2027, 3, 19, 10, 0)
    assert rows(invitation)[("close", 0)].due_at == london(2027, 3, 23, 17, 0)


def test_a_cancelled_meeting_cancels_what_is_pending(app):
    invitation = planned()
    invitation.participant.meeting.status = "cancelled"
    plan_invitation_messages(invitation, now=london(2027, 3, 2, 9, 0))
    db.session.commit()
    assert {(r.state, r.reason) for r in rows(invitation).values()} == {("cancelled", "meeting cancelled")}


# ---------------------------------------------------------------- dispatching


def test_the_invitation_is_sent_once_and_its_sid_recorded(app):
    invitation = planned()
    sender = FakeSender()
    report = dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 31))
    again = dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 32))
    assert (report.sent, again.sent) == (1, 0)
    assert sender.calls == [("+447700900123", "invite 0", invitation.id)]
    row = rows(invitation)[("invite", 0)]
    message = db.session.scalar(select(Message).where(Message.scheduled_message_id == row.id))
    assert (row.state, row.sent_at) == ("sent", london(2027, 3, 1, 9, 31))
    assert message.provider_sid == "SM" + "1".zfill(32)
    assert db.session.get(Invitation, invitation.id).status == "sent"
    assert rows(invitation)[("reminder", 1)].state == "pending"


def test_after_downtime_due_messages_go_in_order_and_never_two_at_once(app):
    invitation = planned()
    sender = FakeSender()
    # The clock was down from before the invitation until Monday 15 March, 11:00.
    report = dispatch_due(sender, compose, now=london(2027, 3, 15, 11, 0))
    assert [body for _, body, _ in sender.calls] == ["invite 0"]
    assert (report.sent, report.deferred) == (1, 1)
    reminder = rows(invitation)[("reminder", 1)]
    assert (reminder.state, reminder.due_at) == ("pending", london(2027, 3, 15, 23, 0) + timedelta(hours=9))
    assert reminder.reason == "too soon after the previous text"


def test_a_row_whose_meeting_has_started_is_marked_missed_and_the_link_closed(app):
    invitation = planned()
    sender = FakeSender()
    report = dispatch_due(sender, compose, now=london(2027, 3, 19, 12, 0))
    assert sender.calls == []
    assert (report.missed, report.closed) == (3, 1)
    stored = rows(invitation)
    assert {stored[k].state for k in [("invite", 0), ("reminder", 1), ("reminder", 2)]} == {"missed"}
    assert db.session.get(Invitation, invitation.id).status == "expired"


def test_nothing_goes_out_at_night_after_downtime(app):
    invitation = planned()
    sender = FakeSender()
    report = dispatch_due(sender, compose, now=london(2027, 3, 1, 22, 30))
    assert sender.calls == [] and report.deferred == 1
    assert rows(invitation)[("invite", 0)].due_at == london(2027, 3, 2, 8, 0)
    dispatch_due(sender, compose, now=london(2027, 3, 2, 8, 0))
    assert len(sender.calls) == 1


def test_a_child_is_not_texted_in_school_hours_even_when_caught_up(app):
    invitation = planned(role="child", age_band="13_17")
    assert rows(invitation)[("invite", 0)].due_at == london(2027, 3, 1, 15, 15)
    sender = FakeSender()
    rows(invitation)[("invite", 0)].due_at = london(2027, 3, 1, 9, 0)  # as if planned differently
    db.session.commit()
    dispatch_due(sender, compose, now=london(2027, 3, 1, 10, 0))
    assert sender.calls == []
    assert rows(invitation)[("invite", 0)].due_at == london(2027, 3, 1, 15, 15)


def test_an_opted_out_number_or_a_cancelled_meeting_gets_nothing(app):
    opted = planned(phone="+447700900555")
    cancelled = planned(phone="+447700900556")
    db.session.add(OptOut(phone_hash=phone_hash("+447700900555"), keyword="STOP"))
    cancelled.participant.meeting.status = "cancelled"
    db.session.commit()
    sender = FakeSender()
    report = dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 31))
    assert sender.calls == [] and report.cancelled == 2
    assert rows(opted)[("invite", 0)].reason == "number opted out (texted STOP)"
    assert rows(cancelled)[("invite", 0)].reason == "meeting cancelled"


def test_a_completed_invitation_gets_no_reminder(app):
    invitation = planned()
    invitation.status = "completed"
    db.session.commit()
    sender = FakeSender()
    dispatch_due(sender, compose, now=london(2027, 3, 12, 10, 0))
    assert sender.calls == []
    assert rows(invitation)[("reminder", 1)].state == "cancelled"


def test_a_refusal_is_retried_then_given_up(app):
    invitation = planned()
    sender = FakeSender(fail_with=ProviderRefused("busy"))
    now = london(2027, 3, 1, 9, 31)
    for _ in range(3):
        dispatch_due(sender, compose, now=now)
        now = rows(invitation)[("invite", 0)].due_at
    row = rows(invitation)[("invite", 0)]
    assert len(sender.calls) == 3
    assert (row.state, row.attempts, row.reason) == ("failed", 3, "not sent: the text provider refused it")


def test_an_unclear_failure_is_not_retried(app):
    invitation = planned()
    sender = FakeSender(fail_with=TimeoutError("read timed out"))
    dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 31))
    dispatch_due(sender, compose, now=london(2027, 3, 1, 10, 31))
    row = rows(invitation)[("invite", 0)]
    assert len(sender.calls) == 1
    assert row.state == "failed"
    assert "not sent again" in row.reason


def test_a_wording_problem_fails_the_row_not_the_clock(app):
    first, second = planned(), planned(phone="+447700900777")
    calls = []

    def fragile(row, invitation):
        calls.append(invitation.id)
        if invitation.id == first.id:
            raise KeyError("missing template")
        return "hello"

    report = dispatch_due(FakeSender(), fragile, now=london(2027, 3, 1, 9, 31))
    assert (report.failed, report.sent) == (1, 1)
    assert rows(first)[("invite", 0)].reason == "could not compose the message (KeyError)"
    assert rows(second)[("invite", 0)].state == "sent"


# ---------------------------------------------------------------- after a crash


def _stuck(invitation, with_message: bool, sid: str | None = None):
    row = rows(invitation)[("invite", 0)]
    row.state, row.claimed_by, row.claimed_at, row.attempts = "sending", "dead-clock:1:x", london(2027, 3, 1, 9, 31), 1
    if with_message:
        db.session.add(Message(
            direction="outbound", invitation_id=invitation.id, scheduled_message_id=row.id,
            to_address="+447700900123", body="invite 0", status="accepted", provider_sid=sid,
            created_at=london(2027, 3, 1, 9, 31),
        ))
    db.session.commit()
    return row


def test_a_row_claimed_by_a_dead_clock_before_it_called_the_provider_is_sent_once(app):
    invitation = planned()
    row = _stuck(invitation, with_message=False)
    sender = FakeSender()
    report = dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 45))
    assert report.reconciled == {"requeued": 1}
    assert len(sender.calls) == 1 and db.session.get(ScheduledMessage, row.id).state == "sent"


def test_a_row_whose_sid_was_stored_is_confirmed_not_resent(app):
    invitation = planned()
    row = _stuck(invitation, with_message=True, sid="SMalready")
    sender = FakeSender()
    report = dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 45))
    assert report.reconciled == {"confirmed_sent": 1} and sender.calls == []
    assert db.session.get(ScheduledMessage, row.id).state == "sent"


def test_a_row_that_may_have_reached_the_provider_is_never_resent(app):
    invitation = planned()
    row = _stuck(invitation, with_message=True)
    sender = FakeSender()
    report = dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 45))
    assert report.reconciled == {"uncertain": 1} and sender.calls == []
    stored = db.session.get(ScheduledMessage, row.id)
    assert stored.state == "failed" and "not sent again" in stored.reason


def test_a_sender_that_can_look_up_the_message_settles_the_doubt(app):
    invitation = planned()
    row = _stuck(invitation, with_message=True)
    sender = FakeSender()
    sender.lookup = lambda message: "SMfound"
    dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 45))
    assert db.session.get(ScheduledMessage, row.id).state == "sent"
    assert db.session.scalar(select(Message.provider_sid).where(Message.scheduled_message_id == row.id)) == "SMfound"


def test_a_sender_that_cannot_find_the_message_lets_it_go_again_once(app):
    invitation = planned()
    row = _stuck(invitation, with_message=True)
    sender = FakeSender()
    sender.lookup = lambda message: None
    report = dispatch_due(sender, compose, now=london(2027, 3, 2, 9, 45))
    assert report.reconciled == {"requeued": 1} and report.sent == 1 and len(sender.calls) == 1
    assert db.session.get(ScheduledMessage, row.id).state == "sent"


def test_a_row_that_keeps_stopping_the_dispatcher_is_given_up(app):
    invitation = planned()
    row = _stuck(invitation, with_message=False)
    row.attempts = 5
    db.session.commit()
    sender = FakeSender()
    report = dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 45))
    assert report.reconciled == {"given_up": 1} and sender.calls == []
    assert db.session.get(ScheduledMessage, row.id).state == "failed"


def test_a_recent_claim_is_left_alone(app):
    invitation = planned()
    _stuck(invitation, with_message=False)
    sender = FakeSender()
    report = dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 35))
    assert report.reconciled == {} and sender.calls == []


# ---------------------------------------------------------------- expiry


def test_open_invitations_past_their_expiry_are_closed(app):
    open_one = invitation_for(MEETING, CREATED, status="sent")
    done = invitation_for(MEETING, CREATED, status="completed")
    assert close_expired_invitations(now=MEETING + timedelta(minutes=1)) == 1
    assert db.session.get(Invitation, open_one.id).status == "expired"
    assert db.session.get(Invitation, done.id).status == "completed"


def test_every_message_is_recorded_against_its_schedule_row(app):
    planned(), planned(phone="+447700900124")
    dispatch_due(FakeSender(), compose, now=london(2027, 3, 1, 9, 31))
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.scheduled_message_id.is_(None))) == 0


# ---------------------------------------------------------------- re-planning hooks


def test_recording_the_outcome_plans_and_sends_you_said_we_did(app):
    from voice_service.scheduling.service import plan_meeting_messages

    invitation = planned()
    invitation.status = "completed"
    meeting = invitation.participant.meeting
    meeting.status, meeting.outcome_recorded_at = "held", london(2027, 3, 22, 14, 0)
    plan_meeting_messages(meeting, now=london(2027, 3, 22, 14, 5))
    db.session.commit()
    stored = rows(invitation)
    assert stored[("you_said_we_did", 0)].due_at == london(2027, 3, 22, 14, 5)
    assert {stored[k].state for k in [("invite", 0), ("reminder", 1), ("reminder", 2), ("close", 0)]} == {"cancelled"}
    sender = FakeSender()
    dispatch_due(sender, compose, now=london(2027, 3, 22, 14, 6))
    assert [body for _, body, _ in sender.calls] == ["you_said_we_did 0"]


def test_stop_cancels_every_pending_message_to_that_number(app):
    from voice_service.scheduling.service import plan_phone_messages

    first, second = planned(phone="+447700900901"), planned(phone="+447700900901")
    db.session.add(OptOut(phone_hash=phone_hash("+447700900901"), keyword="STOP"))
    db.session.commit()
    plan_phone_messages(phone_hash("+447700900901"), now=london(2027, 3, 2, 9, 0))
    db.session.commit()
    for invitation in (first, second):
        assert {(r.state, r.reason) for r in rows(invitation).values()} == {
            ("cancelled", "number opted out (texted STOP)")
        }


def test_someone_not_marked_safe_to_text_is_never_texted(app):
    invitation = invitation_for(MEETING, CREATED)
    invitation.participant.safe_to_text = False
    db.session.commit()
    plan_invitation_messages(invitation, now=CREATED)
    db.session.commit()
    # No email or postal address either: nothing is sent, and staff are told to give the link in person.
    assert sorted((k, r.state, r.reason) for k, r in rows(invitation).items()) == [
        (("close", 0), "pending", None),
        (("invite", 0), "cancelled", "no usable contact: not marked safe to text; in person: the worker gives the link from the meeting page"),
    ]


def test_a_long_catch_up_reads_the_clock_per_batch_and_stops_at_eight_in_the_evening(app, monkeypatch):
    from voice_service.scheduling import dispatch

    first, second = planned(), planned(phone="+447700900124")
    ticks = iter([london(2027, 3, 1, 19, 0), london(2027, 3, 1, 19, 30), london(2027, 3, 1, 20, 0),
                  london(2027, 3, 1, 20, 0)])
    monkeypatch.setattr(dispatch, "utcnow", lambda: next(ticks))
    sender = FakeSender()
    report = dispatch_due(sender, compose, batch_size=1)
    assert (report.sent, report.deferred) == (1, 1)
    assert [invitation_id for _, _, invitation_id in sender.calls] == [first.id]
    assert rows(first)[("invite", 0)].claimed_at == london(2027, 3, 1, 19, 30)
    assert rows(second)[("invite", 0)].due_at == london(2027, 3, 2, 8, 0)


def test_a_claim_takes_no_more_than_its_batch(app):
    from voice_service.scheduling.dispatch import claim_due

    for n in range(3):
        planned(phone=f"+44770090030{n}")
    now = london(2027, 3, 1, 9, 31)
    first = {row.id for row in claim_due(now, 2, "clock-a")}
    second = {row.id for row in claim_due(now, 5, "clock-b")}
    assert (len(first), len(second)) == (2, 1)
    assert not first & second
    assert claim_due(now, 5, "clock-c") == []


# ---------------------------------------------------------------- with the real messaging package


def test_through_the_dev_outbox_each_text_is_one_message_row_with_its_sid(app):
    from voice_service.messaging import get_sender
    from voice_service.messaging.senders import OutboxSender

    invitation = planned()
    sender = get_sender(app)
    assert isinstance(sender, OutboxSender)
    report = dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 31))
    assert report.sent == 1
    messages = list(db.session.scalars(select(Message).where(Message.invitation_id == invitation.id)))
    assert len(messages) == 1
    assert messages[0].provider_sid.startswith("OX") and messages[0].status == "delivered"
    assert messages[0].scheduled_message_id == rows(invitation)[("invite", 0)].id


def test_a_refusal_by_the_messaging_package_says_why_and_is_not_retried(app):
    from voice_service.messaging.senders import SendRefused

    invitation = planned()
    sender = FakeSender(fail_with=SendRefused("opted_out", "the number texted STOP"))
    dispatch_due(sender, compose, now=london(2027, 3, 1, 9, 31))
    dispatch_due(sender, compose, now=london(2027, 3, 1, 10, 31))
    row = rows(invitation)[("invite", 0)]
    assert len(sender.calls) == 1
    assert (row.state, row.reason) == ("failed", "not sent: the number texted STOP")


# ---------------------------------------------------------------- settings from the environment


def test_quiet_hours_from_the_settings_decide_when_an_evening_text_goes(app):
    evening = london(2027, 3, 1, 21, 0)
    usual = invitation_for(MEETING, evening)
    plan_invitation_messages(usual, now=evening)
    app.config["QUIET_HOURS"] = "22:00-07:00"  # as QUIET_HOURS=22:00-07:00 in the environment
    later = invitation_for(MEETING, evening, phone="+447700900124")
    plan_invitation_messages(later, now=evening)
    db.session.commit()
    assert rows(usual)[("invite", 0)].due_at == london(2027, 3, 2, 8, 0)
    assert rows(later)[("invite", 0)].due_at == evening
    sender = FakeSender()
    dispatch_due(sender, compose, now=evening + timedelta(minutes=1))
    assert [invitation_id for _, _, invitation_id in sender.calls] == [later.id]
