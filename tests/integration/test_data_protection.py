"""Encryption at rest, key rotation, retention, subject access and erasure."""
from __future__ import annotations

import json
from datetime import timedelta

from cryptography.fernet import Fernet
from sqlalchemy import select, text

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.answers import save_answer_and_commit
from voice_service.crypto import keyring
from voice_service.data_protection import apply_retention
from voice_service.extensions import db
from voice_service.models import Answer, AuditEvent, Participant, ThemeTag, utcnow


def _answered(days_ago=0, phone="+447700900201", words="I want to see my brother more, he lives in Leeds"):
    meeting = make_meeting(days_ahead=-days_ago)
    participant = make_participant(meeting, role="parent", name="Robin Testcase", phone=phone)
    invitation, _ = make_invitation(participant, "test_survey")
    save_answer_and_commit(invitation, "q_free", free_text=words, channel="web")
    save_answer_and_commit(invitation, "q_scale", value="4", channel="web")
    return participant, invitation


def test_phone_numbers_and_words_are_not_stored_in_clear(app):
    participant, _ = _answered()
    raw_phone = db.session.execute(text("SELECT phone FROM participant WHERE id = :i"), {"i": participant.id}).scalar()
    raw_text = db.session.execute(text("SELECT free_text FROM answer WHERE free_text IS NOT NULL")).scalar()
    assert "7700" not in raw_phone and "brother" not in raw_text
    assert db.session.get(Participant, participant.id).phone == "+447700900201"


def test_rotating_keys_keeps_every_value_readable_with_only_the_new_key(app, runner):
    participant, _ = _answered()
    old_key = app.config["DATA_ENCRYPTION_KEYS"]
    new_key = Fernet.generate_key().decode()
    keyring.configure(f"{new_key},{old_key}", app.config["LOOKUP_HASH_KEY"])
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted" in result.output
    keyring.configure(new_key, app.config["LOOKUP_HASH_KEY"])  # the old key is gone
    try:
        db.session.expire_all()
        assert db.session.get(Participant, participant.id).phone == "+447700900201"
        assert "brother" in db.session.scalar(select(Answer.free_text).where(Answer.free_text.is_not(None)))
    finally:
        keyring.configure(old_key, app.config["LOOKUP_HASH_KEY"])
        db.session.expire_all()
        # put the test data back under the configured key so teardown can read nothing wrongly
        db.session.execute(text("DELETE FROM theme_tag"))
        db.session.execute(text("DELETE FROM safeguarding_alert"))
        db.session.execute(text("DELETE FROM answer"))
        db.session.commit()


def test_retention_removes_identifiable_data_but_keeps_anonymised_counts(app):
    old_participant, old_invitation = _answered(days_ago=800)
    new_participant, _ = _answered(days_ago=0, phone="+447700900202")
    themes_before = db.session.scalar(select(db.func.count(ThemeTag.id)))
    counts = apply_retention(days=730)
    assert counts["participants"] == 1
    db.session.expire_all()
    old = db.session.get(Participant, old_participant.id)
    assert old.phone is None and old.display_name == "[erased]"
    old_answers = db.session.scalars(select(Answer).where(Answer.invitation_id == old_invitation.id)).all()
    assert all(a.free_text is None for a in old_answers)
    assert {a.value for a in old_answers if a.question_id == "q_scale"} == {'"4"'}  # the scale value stays
    assert db.session.scalar(select(db.func.count(ThemeTag.id))) == themes_before  # themes stay for trends
    assert db.session.get(Participant, new_participant.id).phone == "+447700900202"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention_applied")) is not None


def test_subject_access_export_finds_every_record_by_phone_and_is_audited(app, runner, tmp_path):
    _answered(phone="+447700900203")
    out = tmp_path / "sar.json"
    result = runner.invoke(args=["person", "export", "--phone", "07700 900203", "--out", str(out),
                                 "--requested-by", "ig@example.invalid"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["records"][0]["phone"] == "+447700900203"
    texts = [a["text"] for a in data["records"][0]["invitations"][0]["answers"]]
    assert "I want to see my brother more, he lives in Leeds" in texts
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "subject_access_export")) is not None


def test_export_of_unknown_person_says_so_and_changes_nothing(app, runner):
    result = runner.invoke(args=["person", "export", "--phone", "+447700900999", "--requested-by", "ig@example.invalid"])
    assert result.exit_code != 0
    assert "no records found" in result.output
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == 0


def test_export_refuses_a_phone_that_is_not_a_number(app, runner):
    result = runner.invoke(args=["person", "export", "--phone", "not-a-phone", "--requested-by", "x"])
    assert result.exit_code == 2
    assert "not a phone number" in result.output


def test_erasure_clears_one_person_only(app, runner):
    erased, erased_inv = _answered(phone="+447700900204")
    kept, kept_inv = _answered(phone="+447700900205")
    result = runner.invoke(args=["person", "erase", "--participant-id", str(erased.id), "--requested-by", "ig@example.invalid", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Participant, erased.id).phone is None
    assert db.session.get(Participant, kept.id).phone == "+447700900205"
    assert db.session.scalar(select(Answer.free_text).where(Answer.invitation_id == kept_inv.id, Answer.free_text.is_not(None)))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "erasure")).object_id == str(erased.id)


def test_retention_also_clears_old_texts_that_reached_no_invitation(app):
    from voice_service.models import Message

    old = Message(direction="inbound", body="a text from a number we did not know", phone_hash="h" * 64,
                  created_at=utcnow() - timedelta(days=800))
    recent = Message(direction="inbound", body="a recent text", created_at=utcnow())
    db.session.add_all([old, recent])
    db.session.commit()
    apply_retention(days=730)
    db.session.expire_all()
    assert db.session.get(Message, old.id).body is None and db.session.get(Message, old.id).phone_hash is None
    assert db.session.get(Message, recent.id).body == "a recent text"


def test_erasure_by_phone_clears_texts_that_reached_no_invitation_and_their_alerts(app, runner, client):
    """Issue 19, finding 9: `person erase --phone` left the texts (and their alerts) that reached
    no invitation, and refused a number that only ever sent such texts."""
    from tests.support.sms import new_sid, signed_post, twilio_params
    from voice_service.models import Message, SafeguardingAlert

    stranger, other = "+447700900977", "+447700900978"
    for sender, body in ((stranger, "Zebedee punched me and I want to kill myself"), (stranger, "hello?"),
                         (other, "my dad hits me and I am scared")):
        assert signed_post(client, "/sms/inbound", twilio_params(body, sender=sender, sid=new_sid())).status_code == 200
    participant, _ = _answered(phone="+447700900206")
    late = Message(direction="inbound", body="a text after the questions closed",
                   phone_hash=participant.phone_hash, created_at=utcnow())
    db.session.add(late)
    db.session.commit()
    alerts_before = {a.message_id: a.evidence for a in db.session.scalars(select(SafeguardingAlert))}
    assert len([e for e in alerts_before.values() if e]) == 2

    result = runner.invoke(args=["person", "erase", "--phone", "07700 900977", "--requested-by", "ig@example.invalid", "--yes"])
    assert result.exit_code == 0, result.output
    assert "2 messages cleared" in result.output
    result = runner.invoke(args=["person", "erase", "--phone", "07700 900206", "--requested-by", "ig@example.invalid", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    bodies = {m.id: m.body for m in db.session.scalars(select(Message).where(Message.direction == "inbound"))}
    assert bodies[late.id] is None
    assert sorted(b for b in bodies.values() if b) == ["my dad hits me and I am scared"]  # the other number's, kept
    evidence = [a.evidence for a in db.session.scalars(select(SafeguardingAlert).where(SafeguardingAlert.message_id.is_not(None)))]
    assert sorted(map(str, evidence)) == sorted(["None", str(next(e for e in alerts_before.values() if e and "hits me" in str(e)))])
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "phone_hash")).action == "erasure"
