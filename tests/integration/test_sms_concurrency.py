"""Texts at the same moment, on both databases alike: the same webhook delivered several times
at once records one message and one answer; many phones at once are all answered; a staff change
while a text is answered is neither lost nor overwritten. On SQLite a text's transaction begins
with the write lock (BEGIN IMMEDIATE); on PostgreSQL the invitations it reads are locked."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

import sqlite3

from tests.support.sms import PHONE, new_sid, reply_of, signed_post, twilio_params
from tests.support.factories import make_texting_invitation, staff_decline_in_another_session
from voice_service.database import begin_writing, is_postgres
from voice_service.extensions import db
from voice_service.models import Answer, Invitation, Message, OptOut


@pytest.fixture
def invitation(app):
    return make_texting_invitation(app, PHONE)


def deliver_at_once(app, params: dict, copies: int = 3) -> list:
    barrier = threading.Barrier(copies)
    results: list = [None] * copies

    def post(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        results[i] = signed_post(client, "/sms/inbound", params)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_three_concurrent_deliveries_of_one_message_store_one_answer(app, client, invitation):
    signed_post(client, "/sms/inbound", twilio_params("hello"))
    db.session.remove()
    params = twilio_params("my answer is 4", sid=new_sid())
    responses = deliver_at_once(app, params)
    assert [r.status_code for r in responses] == [200, 200, 200]
    replies = {reply_of(r) for r in responses}
    assert len(replies) == 1 and "Why did you choose that?" in replies.pop()
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.provider_sid == params["MessageSid"])) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1


def test_concurrent_stops_record_one_opt_out(app, invitation):
    responses = deliver_at_once(app, twilio_params("STOP", sid=new_sid()))
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert db.session.scalar(select(func.count()).select_from(OptOut)) == 1


def test_repeated_deliveries_one_after_another_store_one_answer(app, client, invitation):
    """The same guarantee without real concurrency, so SQLite runs check it too."""
    signed_post(client, "/sms/inbound", twilio_params("hello"))
    params = twilio_params("4", sid=new_sid())
    replies = {reply_of(signed_post(client, "/sms/inbound", params)) for _ in range(3)}
    assert len(replies) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1


def test_many_phones_texting_at_once_are_all_answered(app):
    from tests.support.surveys import sample_survey

    phones = [f"+4477009002{i:02d}" for i in range(8)]
    survey = sample_survey()
    for phone in phones:
        make_texting_invitation(app, phone, survey)
    db.session.commit()
    replies: dict[str, list[str]] = {phone: [] for phone in phones}

    def conversation(phone: str) -> None:
        client = app.test_client()
        for body in ("hi", "4", "It was fine"):
            response = signed_post(client, "/sms/inbound", twilio_params(body, sender=phone))
            replies[phone].append(reply_of(response) if response.status_code == 200 else f"HTTP {response.status_code}")

    threads = [threading.Thread(target=conversation, args=(phone,)) for phone in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for phone in phones:
        first, second, third = replies[phone]
        assert "SKIP" in first and "Why did you choose that?" in second and third and not third.startswith("HTTP")


def test_a_text_holds_sqlites_write_lock_from_its_first_read_and_postgres_takes_no_such_lock(app):
    """So what a text reads (the invitation's state) is the latest, and its writes cannot fail
    on a stale snapshot; on PostgreSQL the rows it reads are locked instead."""
    from sqlalchemy import event

    with app.app_context():
        sent: list[str] = []
        record = lambda conn, cursor, statement, *args: sent.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            begin_writing()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        if is_postgres():
            assert sent == []
            db.session.rollback()
            return
        assert sent == ["BEGIN IMMEDIATE"]
        other = sqlite3.connect(db.engine.url.database, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            db.session.rollback()  # the text's transaction ends: the lock is free again
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
        finally:
            other.close()


def test_staff_declining_while_a_text_is_answered_wait_for_it_and_their_change_stands(app, client, monkeypatch):
    """Staff decline the invitation from another connection while a text is being answered: on
    both databases they wait for the text's transaction (its locks), the text's answer is taken
    first, and the decline stands after it: nothing lost, nothing overwritten."""
    from voice_service import turns

    phone = "+447700900311"
    invitation = make_texting_invitation(app, phone)
    signed_post(client, "/sms/inbound", twilio_params("hi", sender=phone))
    staff: list[threading.Thread] = []
    real_apply = turns.apply_turn

    def apply_then_staff_decline(*args, **kwargs):
        applied = real_apply(*args, **kwargs)
        if not staff:
            staff.append(staff_decline_in_another_session(app, invitation.id))
            staff[0].join(0.5)  # staff are kept waiting by the text's locks
            assert staff[0].is_alive()
        return applied

    monkeypatch.setattr("voice_service.messaging.inbound.turns.apply_turn", apply_then_staff_decline)
    reply = reply_of(signed_post(client, "/sms/inbound", twilio_params("4", sender=phone)))
    staff[0].join(15)
    assert not staff[0].is_alive()

    db.session.expire_all()
    assert "Why did you choose that?" in reply  # the text was answered as it was read
    assert db.session.get(Invitation, invitation.id).status == "declined"  # the staff change stands
    answers = db.session.scalars(select(Answer).where(Answer.invitation_id == invitation.id)).all()
    assert [a.value for a in answers] == ['"4"']
    stored = db.session.scalars(select(Message).where(Message.direction == "inbound")).all()
    assert len(stored) == 2 and stored[-1].reply_body == reply  # the text kept once, with this reply
