"""`flask import-meetings FILE.csv`, `flask api-keys ...` and `flask users ...`."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from voice_service.auth import verify_password
from voice_service.extensions import db
from voice_service.models import ApiKey, AuditEvent, Child, Invitation, Meeting, Participant, ScheduledMessage, User, utcnow
from tests.support.case_import import START, row, write
from voice_service.staff_cli import KNOWN_COLUMNS

LATER = START + timedelta(days=7)


GOOD = [
    row(),
    row(participant_ref="P2", role="parent", name="Dana Lewis", age_band="", phone="07700 900101", channel="sms",
        safe_to_text="yes"),
    row(meeting_ref="MTG-200", case_ref="CASE-200", meeting_type="cla_review", service="cla", participant_ref="P1",
        role="carer", name="Pat Okafor", age_band="", phone="+447700900103", channel="sms", safe_to_text="yes"),
]


def counts():
    return tuple(db.session.scalar(select(func.count(model.id))) for model in (Child, Meeting, Participant, Invitation, ScheduledMessage))


def test_a_good_file_imports_and_running_it_again_adds_nothing(runner, tmp_path):
    path = write(tmp_path, GOOD)
    result = runner.invoke(args=["import-meetings", path])
    assert result.exit_code == 0, result.output
    assert "3 imported" in result.output and "Meetings: 2 new" in result.output
    first = counts()
    assert first[:3] == (2, 2, 3)
    assert first[3] >= 2 and first[4] >= 1  # invitations and their planned texts
    dana = db.session.scalar(select(Participant).where(Participant.external_ref == "P2"))
    assert dana.display_name == "Dana Lewis"
    assert dana.phone == "+447700900101" and dana.safe_to_text and dana.age_band == "adult"
    again = runner.invoke(args=["import-meetings", path])
    assert again.exit_code == 0 and "Meetings: 0 new, 2 updated" in again.output
    assert counts() == first


def test_every_bad_row_is_reported_by_line_and_reason_and_good_rows_still_import(runner, tmp_path):
    rows = [
        row(),                                                             # line 2: good
        row(participant_ref="P2", role="grandad", name="Sid"),             # line 3: bad role
        row(participant_ref="P3", role="parent", name="Dana", phone="12345", age_band=""),  # line 4: bad phone
        row(meeting_ref="MTG-300", case_ref="CASE-300", starts_at="soon"),  # line 5: bad time
        row(participant_ref="P4", role="parent", name="Chris", age_band="", starts_at=LATER.isoformat()),  # line 6: disagrees
        row(meeting_ref="MTG-400", case_ref="CASE-400", participant_ref="P1", name="Leo"),  # line 7: good
        row(participant_ref="P1", name="Maya again"),                      # line 8: duplicate person
    ]
    result = runner.invoke(args=["import-meetings", write(tmp_path, rows)])
    assert result.exit_code == 1
    out = result.output
    assert "line 3: role: must be one of" in out
    assert "line 4: phone: not a valid phone number" in out
    assert "line 5: starts_at: must be a date and time" in out
    assert "line 6: starts_at: differs from line 2 for the same meeting MTG-100" in out
    assert "line 8: participant_ref: P1 is given twice for meeting MTG-100" in out
    assert "5 row(s) not imported" in out and "2 imported" in out
    assert "12345" not in out.replace("line 4: phone: not a valid phone number", "")  # the number is not echoed
    assert set(db.session.scalars(select(Meeting.meeting_ref))) == {"MTG-100", "MTG-400"}
    assert db.session.scalar(select(func.count(Participant.id))) == 2


def test_a_moved_meeting_is_updated_and_its_texts_replanned(runner, tmp_path):
    runner.invoke(args=["import-meetings", write(tmp_path, GOOD)])
    close_before = db.session.scalar(select(ScheduledMessage.due_at).where(ScheduledMessage.kind == "close").order_by(ScheduledMessage.id))
    moved = [dict(r, starts_at=LATER.isoformat()) if r["meeting_ref"] == "MTG-100" else r for r in GOOD]
    result = runner.invoke(args=["import-meetings", write(tmp_path, moved, name="moved.csv")])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(Meeting.starts_at).where(Meeting.meeting_ref == "MTG-100")) == LATER
    close_after = db.session.scalar(select(ScheduledMessage.due_at).where(ScheduledMessage.kind == "close").order_by(ScheduledMessage.id))
    assert close_after > close_before


def test_a_cancelled_meeting_cancels_its_texts(runner, tmp_path):
    runner.invoke(args=["import-meetings", write(tmp_path, GOOD)])
    cancelled = [dict(r, meeting_status="cancelled") for r in GOOD]
    result = runner.invoke(args=["import-meetings", write(tmp_path, cancelled, name="cancel.csv")])
    assert "2 cancelled" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ScheduledMessage.id)).where(ScheduledMessage.state == "pending")) == 0


def test_a_file_missing_columns_is_refused_whole(runner, tmp_path):
    columns = [c for c in KNOWN_COLUMNS if c != "starts_at"]
    result = runner.invoke(args=["import-meetings", write(tmp_path, GOOD, columns=columns)])
    assert result.exit_code == 1 and "line 1: (header): missing column(s): starts_at" in result.output
    assert counts()[1] == 0


def test_a_file_that_is_not_utf8_gets_a_clear_message(runner, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(",".join(KNOWN_COLUMNS).encode() + b"\nMTG-1,CASE-1,cp_conference,2030-01-01 10:00,8_12,cp,n\xe9\n")
    result = runner.invoke(args=["import-meetings", str(path)])
    assert result.exit_code != 0 and "CSV UTF-8" in result.output


def test_progress_is_shown_for_long_files(runner, tmp_path):
    rows = [row(meeting_ref=f"MTG-{n}", case_ref=f"CASE-{n}", participant_ref="", role="", name="", age_band="",
                language="", channel="") for n in range(120)]
    result = runner.invoke(args=["import-meetings", write(tmp_path, rows)])
    assert result.exit_code == 0, result.output
    assert "100 of 120 meetings saved" in result.output
    assert counts()[1] == 120


def test_api_keys_are_shown_once_listed_and_revoked(runner):
    created = runner.invoke(args=["api-keys", "create", "case-system", "--scope", "meetings:read", "--scope", "meetings:write"])
    assert created.exit_code == 0, created.output
    raw = created.output.strip().splitlines()[-1]
    assert raw.startswith("fv_")
    key = db.session.scalar(select(ApiKey))
    assert key.key_hash != raw
    listed = runner.invoke(args=["api-keys", "list"])
    assert "case-system" in listed.output and raw not in listed.output and "active" in listed.output
    assert "meetings:read meetings:write" in listed.output
    assert runner.invoke(args=["api-keys", "create", "case-system", "--scope", "meetings:read"]).exit_code != 0
    assert runner.invoke(args=["api-keys", "revoke", "case-system"]).exit_code == 0
    db.session.refresh(key)
    assert key.revoked_at is not None
    assert "revoked" in runner.invoke(args=["api-keys", "list"]).output


def test_users_create_asks_for_the_password_and_hashes_it(runner):
    result = runner.invoke(args=["users", "create", "--role", "chair", "--email", "New.Chair@example.invalid",
                                 "--name", "Nia Chair"], input="a long enough password\na long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "new.chair@example.invalid" and user.role == "chair"
    assert verify_password(user.password_hash, "a long enough password")
    assert "a long enough password" not in user.password_hash
    short = runner.invoke(args=["users", "create", "--role", "qa", "--email", "qa@example.invalid"], input="short\nshort\n")
    assert short.exit_code != 0 and "12 characters" in short.output
    worker = runner.invoke(args=["users", "create", "--role", "worker", "--email", "w@example.invalid"],
                           input="a long enough password\na long enough password\n")
    assert worker.exit_code != 0 and "--team" in worker.output
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "user_created")) == "user_created"


def test_users_unlock_lets_a_locked_out_user_try_again(runner):
    runner.invoke(args=["users", "create", "--role", "chair", "--email", "c@example.invalid"],
                  input="a long enough password\na long enough password\n")
    user = db.session.scalar(select(User))
    user.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    assert runner.invoke(args=["users", "unlock", "c@example.invalid"]).exit_code == 0
    db.session.refresh(user)
    assert user.locked_until is None
