"""Writing pending rows with Core (voice_service.plain_flush) leaves the database and the session
exactly as the ORM's flush would, on SQLite and PostgreSQL, and hands back what it cannot write."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from tests.factories import make_invitation, make_meeting, make_participant, staff_decline_in_another_session
from voice_service.database import is_postgres
from voice_service.extensions import db
from voice_service.models import Answer, Invitation, Message, ThemeTag
from voice_service.plain_flush import flush_plainly, insert_row_with_pending

COMPARED = ("question_id", "value", "free_text", "skipped", "channel", "is_current", "safeguarding_flag",
            "provider_message_id", "sentiment")


@contextmanager
def statements():
    """The SQL statements sent while inside (their first words)."""
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(" ".join(statement.split()[:3]))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _invitation(phone="+447700900301") -> Invitation:
    participant = make_participant(make_meeting(), phone=phone, channel="sms")
    invitation, _ = make_invitation(participant, "cp_conference_child_8_12", channel="sms")
    return invitation


def _answer_text(invitation: Invitation, question_id="worries", text="I want to see my brother more",
                 position=2) -> Answer:
    """What save_answer does to the session for a free-text answer: a new row, the invitation moved on."""
    answer = Answer(invitation=invitation, question_id=question_id, free_text=text, channel="sms",
                    provider_message_id="SMplain1")
    db.session.add(answer)
    invitation.status = "in_progress"
    invitation.conversation_state = {"position": position}
    return answer


def _row(answer_id: int) -> dict:
    db.session.expire_all()
    answer = db.session.get(Answer, answer_id)
    return {key: getattr(answer, key) for key in COMPARED}


def test_an_answer_and_its_invitation_are_written_as_the_orm_would_write_them(app):
    with app.app_context():
        by_orm, by_core = _invitation("+447700900301"), _invitation("+447700900302")
        before = by_core.updated_at
        orm_answer = _answer_text(by_orm)
        db.session.flush()
        core_answer = _answer_text(by_core)
        assert flush_plainly(db.session) is True
        assert core_answer.id is not None and not db.session.new and not db.session.dirty
        with statements() as sent:
            db.session.commit()
        assert not [s for s in sent if not s.startswith(("COMMIT", "RELEASE"))]  # nothing left to flush

        assert _row(core_answer.id) == _row(orm_answer.id)
        written = db.session.get(Invitation, by_core.id)
        assert written.status == "in_progress" and written.conversation_state == {"position": 2}
        assert written.updated_at > before  # onupdate applied, as a flush would
        assert db.session.get(Answer, core_answer.id).received_at is not None  # column default applied
        assert [a.id for a in written.answers] == [core_answer.id]


def test_a_child_row_is_written_after_its_new_parent_with_the_parents_key(app):
    with app.app_context():
        invitation = _invitation()
        answer = _answer_text(invitation)
        db.session.add(ThemeTag(answer=answer, theme_id="family_time", source="codebook"))
        assert flush_plainly(db.session) is True
        db.session.commit()
        tags = db.session.scalars(select(ThemeTag).where(ThemeTag.answer_id == answer.id)).all()
        assert [t.theme_id for t in tags] == ["family_time"]


def test_what_it_cannot_write_is_left_to_the_orm_and_nothing_is_written_twice(app):
    with app.app_context():
        invitation = _invitation()
        old = _answer_text(invitation, question_id="old")
        db.session.commit()
        new = _answer_text(invitation, question_id="new")
        db.session.delete(old)  # a delete: not plain
        with statements() as sent:
            assert flush_plainly(db.session) is False
        assert sent == [] and new in db.session.new
        db.session.commit()
        ids = db.session.scalars(select(Answer.question_id).where(Answer.invitation_id == invitation.id)).all()
        assert ids == ["new"]


def test_a_second_current_answer_is_refused_by_the_database_and_nothing_of_it_stays(app):
    with app.app_context():
        invitation = _invitation()
        _answer_text(invitation)
        db.session.commit()
        _answer_text(invitation)  # same question, also current: the partial unique index refuses it
        with pytest.raises(IntegrityError):
            flush_plainly(db.session)
        db.session.rollback()
        count = db.session.scalars(select(Answer.id).where(Answer.invitation_id == invitation.id)).all()
        assert len(count) == 1


def _message(invitation: Invitation, sid: str) -> dict:
    return dict(direction="inbound", channel="sms", provider_sid=sid, body="my worker is kind",
                reply_body="Thank you.", status="received", invitation_id=invitation.id)


def test_a_message_is_written_with_the_pending_answer_and_state_in_one_statement_on_postgres(app):
    with app.app_context():
        invitation = _invitation()
        answer = _answer_text(invitation)
        db.session.flush()  # settle the invitation; only the answer and new state are pending below
        db.session.expire_all()
        invitation = db.session.get(Invitation, invitation.id)
        answer = _answer_text(invitation, question_id="next", position=3)
        with statements() as sent:
            message_id = insert_row_with_pending(db.session, Message.__table__, _message(invitation, "SMone1"))
        db.session.commit()
        writes = [s for s in sent if not s.startswith("SELECT")]
        assert len(writes) == (1 if is_postgres() else 3), writes

        db.session.expire_all()
        message = db.session.get(Message, message_id)
        assert (message.body, message.reply_body, message.status) == ("my worker is kind", "Thank you.", "received")
        assert message.created_at is not None and message.updated_at is not None
        assert db.session.get(Answer, answer.id).free_text == "I want to see my brother more"
        assert db.session.get(Answer, answer.id).is_current is True
        assert db.session.get(Answer, answer.id).received_at is not None  # defaults filled in the CTE too
        assert db.session.get(Invitation, invitation.id).conversation_state == {"position": 3}


def test_a_message_with_rows_that_hang_off_a_new_answer_is_written_whole_in_one_statement_on_postgres(app):
    """A free-text answer's theme tags and its safeguarding alert point at the new answer: on
    PostgreSQL they take its key from the answer's CTE, still one statement."""
    from voice_service.models import SafeguardingAlert

    with app.app_context():
        invitation = _invitation()
        message = _message(invitation, "SMtwo1")  # read before anything is pending (no autoflush)
        answer = _answer_text(invitation)
        db.session.add(ThemeTag(answer=answer, theme_id="family_time", source="codebook"))
        db.session.add(ThemeTag(answer=answer, theme_id="being_heard", source="model"))
        db.session.add(SafeguardingAlert(answer=answer, status="open"))
        with statements() as sent:
            message_id = insert_row_with_pending(db.session, Message.__table__, message)
        db.session.commit()
        writes = [s for s in sent if not s.startswith("SELECT")]
        assert len(writes) == (1 if is_postgres() else 6), writes
        db.session.expire_all()
        assert db.session.get(Message, message_id).provider_sid == "SMtwo1"
        stored = db.session.get(Answer, answer.id)
        assert sorted(t.theme_id for t in stored.tags) == ["being_heard", "family_time"]
        alerts = db.session.scalars(select(SafeguardingAlert).where(SafeguardingAlert.answer_id == answer.id)).all()
        assert [a.status for a in alerts] == ["open"]
        assert db.session.get(Invitation, invitation.id).status == "in_progress"


def test_a_refused_one_statement_write_leaves_nothing_behind(app):
    with app.app_context():
        invitation = _invitation()
        db.session.add(Message(**_message(invitation, "SMdup1")))
        db.session.commit()
        _answer_text(invitation)
        with pytest.raises(IntegrityError):  # the same MessageSid again: the whole write is refused
            insert_row_with_pending(db.session, Message.__table__, _message(invitation, "SMdup1"))
            db.session.flush()
        db.session.rollback()
        assert db.session.scalars(select(Answer.id).where(Answer.invitation_id == invitation.id)).all() == []
        assert db.session.get(Invitation, invitation.id).status == "sent"


def test_after_a_rollback_the_written_objects_are_as_after_a_rolled_back_flush(app):
    """A new row's object goes back to being new (no identity, out of the session), a changed
    one reads the database again: what a rollback does after the ORM's own flush."""
    from sqlalchemy import inspect

    with app.app_context():
        invitation = _invitation()
        answer = _answer_text(invitation)
        assert flush_plainly(db.session) is True
        assert inspect(answer).persistent
        db.session.rollback()
        assert inspect(answer).transient and answer not in db.session
        assert invitation.status == "sent" and invitation.conversation_state is None


def test_a_guarded_update_of_a_row_changed_since_it_was_read_writes_nothing(app):
    from voice_service.plain_flush import StaleRow

    with app.app_context():
        invitation = _invitation()
        as_read = invitation.updated_at

        staff_decline_in_another_session(app, invitation.id).join(10)
        _answer_text(invitation)
        with pytest.raises(StaleRow):
            flush_plainly(db.session, unless_changed={invitation: {"updated_at": as_read}})
        db.session.rollback()
        assert db.session.get(Invitation, invitation.id).status == "declined"
        assert db.session.scalars(select(Answer.id).where(Answer.invitation_id == invitation.id)).all() == []

        _answer_text(invitation)  # read again: now the guard holds
        assert flush_plainly(db.session, unless_changed={invitation: {"updated_at": invitation.updated_at}}) is True
        db.session.commit()
        assert db.session.get(Invitation, invitation.id).status == "in_progress"


def test_a_write_prepared_before_the_writers_turn_stores_what_the_orm_would(app):
    """SQLite's path: the statements and the driver's values are worked out first (nothing sent),
    then run in the turn; the rows, and the session afterwards, are as after insert_row_with_pending."""
    from voice_service.models import SafeguardingAlert
    from voice_service.plain_flush import prepare_insert_with_pending

    with app.app_context():
        by_orm, prepared_for = _invitation("+447700900311"), _invitation("+447700900312")
        orm_answer = _answer_text(by_orm)
        db.session.flush()
        before = prepared_for.updated_at
        message = _message(prepared_for, "SMprep1")
        answer = _answer_text(prepared_for)
        db.session.add(ThemeTag(answer=answer, theme_id="family_time", source="codebook"))
        db.session.add(SafeguardingAlert(answer=answer, status="open"))
        with statements() as sent:
            prepared = prepare_insert_with_pending(db.session, Message.__table__, message)
        if is_postgres():  # named parameters: PostgreSQL writes it all in one statement instead
            assert prepared is None
            return
        assert sent == [] and answer in db.session.new  # nothing written while preparing
        with statements() as sent:
            message_id = prepared.run(db.session.connection())
        assert [s.split()[0] for s in sent] == ["INSERT", "INSERT", "INSERT", "UPDATE", "INSERT"]
        prepared.written(db.session)
        assert answer.id is not None and not db.session.new and not db.session.dirty
        with statements() as sent:
            db.session.commit()
        assert sent == []  # nothing left for the ORM to flush

        assert _row(answer.id) == _row(orm_answer.id)
        stored = db.session.get(Message, message_id)
        assert (stored.provider_sid, stored.body, stored.reply_body) == ("SMprep1", "my worker is kind", "Thank you.")
        assert stored.created_at is not None
        assert [t.theme_id for t in db.session.get(Answer, answer.id).tags] == ["family_time"]
        alerts = db.session.scalars(select(SafeguardingAlert).where(SafeguardingAlert.answer_id == answer.id)).all()
        assert [a.status for a in alerts] == ["open"]
        written = db.session.get(Invitation, prepared_for.id)
        assert written.status == "in_progress" and written.conversation_state == {"position": 2}
        assert written.updated_at > before


def test_a_write_whose_row_changed_since_it_was_read_writes_nothing_prepared_or_not(app):
    """SQLite runs the prepared write; PostgreSQL, which takes named values, prepares nothing and
    writes through insert_row_with_pending: on both the guarded update refuses, nothing stays."""
    from voice_service.plain_flush import StaleRow, prepare_insert_with_pending

    with app.app_context():
        invitation = _invitation()
        as_read = invitation.updated_at
        message = _message(invitation, "SMprep2")
        _answer_text(invitation)
        guard = {invitation: {"updated_at": as_read}}
        prepared = prepare_insert_with_pending(db.session, Message.__table__, message, unless_changed=guard)
        assert (prepared is None) == is_postgres()

        staff_decline_in_another_session(app, invitation.id).join(10)
        with pytest.raises(StaleRow):
            if prepared is not None:
                prepared.run(db.session.connection())
            else:
                insert_row_with_pending(db.session, Message.__table__, message, unless_changed=guard)
        db.session.rollback()
        assert db.session.get(Invitation, invitation.id).status == "declined"
        assert db.session.scalars(select(Answer.id).where(Answer.invitation_id == invitation.id)).all() == []
        assert db.session.scalars(select(Message.id).where(Message.provider_sid == "SMprep2")).all() == []


def test_changes_that_are_not_plain_are_not_prepared(app):
    from voice_service.plain_flush import prepare_insert_with_pending

    with app.app_context():
        invitation = _invitation()
        old = _answer_text(invitation, question_id="old")
        db.session.commit()
        message = _message(invitation, "SMprep3")  # read before anything is pending (no autoflush)
        _answer_text(invitation, question_id="new")
        db.session.delete(old)  # a delete: not plain
        with statements() as sent:
            assert prepare_insert_with_pending(db.session, Message.__table__, message) is None
        assert sent == []
