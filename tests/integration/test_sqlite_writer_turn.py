"""On a SQLite file, texts are written one at a time, queued in the kernel rather than in
SQLite's sleeping retry loop; on PostgreSQL the turn is not taken at all (row locks do it)."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select

from tests.factories import make_texting_invitation, staff_decline_in_another_session
from tests.integration.test_sms_webhook import reply_of, signed_post, text, twilio_params
from voice_service.database import begin_writing, is_postgres, sqlite_writer_turn
from voice_service.extensions import db
from voice_service.models import Answer, Invitation, Message, OptOut


def _two_writers(app, hold: float = 0.3) -> list[str]:
    """The first writer holds its turn for `hold` seconds; returns the order things happened."""
    order: list[str] = []
    first_in = threading.Event()

    def first():
        with app.app_context(), sqlite_writer_turn():
            first_in.set()
            time.sleep(hold)
            order.append("first finished")

    def second():
        first_in.wait(5)
        with app.app_context(), sqlite_writer_turn():
            order.append("second started")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return order


def test_on_sqlite_a_second_writer_waits_until_the_first_has_finished_and_on_postgres_it_does_not(app):
    expected = ["second started", "first finished"] if is_postgres() else ["first finished", "second started"]
    assert _two_writers(app) == expected


def test_the_turn_is_given_back_when_the_writer_fails(app):
    with pytest.raises(RuntimeError):
        with sqlite_writer_turn():
            raise RuntimeError("answering fell over")
    done = threading.Event()

    def next_writer():
        with app.app_context(), sqlite_writer_turn():
            done.set()

    thread = threading.Thread(target=next_writer)
    thread.start()
    thread.join(5)
    assert done.is_set()


def test_many_phones_texting_at_once_are_all_answered(app):
    phones = [f"+4477009002{i:02d}" for i in range(8)]
    from tests.unit.test_conversation import sample_survey

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


# A staff change between a text's decision and its writes ------------------------------------

def _decline_meanwhile(app, monkeypatch, invitation_id: int) -> tuple[list[str], list[threading.Thread]]:
    """After a text has been read and decided, staff decline its invitation from another
    connection. On SQLite their change is committed before the text's writes; on PostgreSQL it
    waits for the text's row lock. Returns the decisions seen and the staff thread."""
    from voice_service.messaging import inbound

    seen: list[str] = []
    staff: list[threading.Thread] = []
    real_answer = inbound._answer

    def answer_then_staff_decline(received, message, alerts):
        reply = real_answer(received, message, alerts)
        if not seen:
            worker = staff_decline_in_another_session(app, invitation_id)
            staff.append(worker)
            if not is_postgres():
                worker.join(10)
        seen.append(reply)
        return reply

    monkeypatch.setattr(inbound, "_answer", answer_then_staff_decline)
    return seen, staff


def test_a_staff_change_between_a_texts_decision_and_its_writes_is_neither_lost_nor_overwritten(
        app, client, monkeypatch):
    invitation = make_texting_invitation(app, "+447700900311")
    text(client, "hi", sender="+447700900311")
    seen, staff = _decline_meanwhile(app, monkeypatch, invitation.id)

    reply = text(client, "4", sender="+447700900311")
    staff[0].join(10)

    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "declined"  # the staff change stands
    answers = db.session.scalars(select(Answer).where(Answer.invitation_id == invitation.id)).all()
    stored = db.session.scalars(select(Message).where(Message.direction == "inbound")).all()
    assert len(stored) == 2 and stored[-1].reply_body == reply  # the text kept once, with this reply
    if is_postgres():
        # the invitation was locked as the text read it: staff waited, the answer was taken first
        assert len(seen) == 1 and "Why did you choose that?" in reply
        assert [a.value for a in answers] == ['"4"']
    else:
        # SQLite decided outside the writers' turn: the change was seen, and it decided again
        assert len(seen) == 2 and "Why did you choose that?" in seen[0]
        assert "cannot answer it here" in reply and answers == []


def test_a_text_that_must_write_on_the_way_is_decided_in_the_turn(app, client, monkeypatch):
    """STOP writes as it decides (the opt-out): it is taken in the writer's turn and still works."""
    from voice_service.messaging import inbound

    turns: list[str] = []
    real_receive = inbound._receive
    monkeypatch.setattr(inbound, "_receive", lambda message: turns.append("in the turn") or real_receive(message))
    make_texting_invitation(app, "+447700900312")
    reply = text(client, "STOP", sender="+447700900312")
    assert "no more texts" in reply
    assert db.session.scalar(select(func.count()).select_from(OptOut)) == 1
    assert turns == ["in the turn"]


def test_while_only_reading_a_write_is_refused_before_it_runs_on_sqlite(app):
    from voice_service.database import WriteAttempted, reads_only

    with app.app_context():
        with reads_only():
            db.session.execute(select(func.count()).select_from(OptOut))  # reading is fine
            if is_postgres():  # nothing is checked there: row locks do the work
                db.session.add(OptOut(phone_hash="c" * 64, keyword="STOP"))
                db.session.flush()
            else:
                db.session.add(OptOut(phone_hash="c" * 64, keyword="STOP"))
                with pytest.raises(WriteAttempted):
                    db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OptOut)) == 0
        db.session.add(OptOut(phone_hash="d" * 64, keyword="STOP"))  # outside: writes as usual
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(OptOut)) == 1
