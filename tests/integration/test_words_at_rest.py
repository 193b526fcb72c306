"""No person's words anywhere in the raw database file (finding 1 of issue 19).

A web journey and an SMS conversation with a disclosure, and a disclosure texted from a number
with no invitation, run against a SQLite file of this test's own; then the file (and its WAL)
is read as bytes: none of the distinctive words may appear. The migration 0005 test puts clear
evidence in at revision 0003 and checks the upgrade leaves none of it in the file.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.support.sms import new_sid, signed_post, twilio_params
from tests.support.public_survey import answer as answer_page, csrf, install_test_survey, invite
from voice_service import create_app
from voice_service.extensions import db

pytestmark = pytest.mark.skipif(
    __import__("os").environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="reads the SQLite file itself",
)

WORDS = {
    "feelings_why": "purple trampoline because of the noisy neighbours",
    "worries": "my uncle Bartholomew hits me and I am scared of him",
    "sms": "my stepdad Quentavio hurts me and I am frightened",
    "stray": "Zebedee punched me and I want to kill myself",
}


@pytest.fixture
def database_url(tmp_path):
    """A fresh file: nothing another test wrote lingers in its free pages."""
    url = f"sqlite:///{tmp_path / 'words.sqlite'}"
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app_config():
    return {"PRIVATE_LINK_RATE_LIMIT": "1000 per minute"}


def distinctive(words: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]+", words) if len(w) >= 5] + [words]


def raw_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def found_in(blob: bytes, phrases) -> list[str]:
    lowered = blob.lower()
    return sorted({p for p in phrases if p.lower().encode() in lowered})


def test_no_words_of_a_journey_with_disclosures_are_in_the_database_file(app, client, database_url):
    from tests.support.factories import make_invitation, make_meeting, make_participant
    from tests.support.surveys import sample_survey
    from voice_service.models import Answer, SafeguardingAlert, ThemeTag
    from voice_service.surveys import SurveyRegistry, registry

    install_test_survey(app)
    _invitation, token = invite()
    assert answer_page(client, token, "feelings", answer="sad").status_code == 302
    assert answer_page(client, token, "feelings_why", answer=WORDS["feelings_why"]).status_code == 302
    assert answer_page(client, token, "feel_safe", answer="no").status_code == 302
    assert answer_page(client, token, "worries", answer=WORDS["worries"]).status_code == 302
    page = client.get(f"/r/{token}/check").get_data(as_text=True)
    assert client.post(f"/r/{token}/check", data={"csrf_token": csrf(page)}).status_code == 302

    app.extensions["surveys"] = SurveyRegistry([*registry(app).all(), sample_survey()])
    texting = make_participant(make_meeting(), phone="+447700900141", channel="sms")
    make_invitation(texting, "test_survey", channel="sms")
    for body in ("hello", "2", WORDS["sms"], WORDS["sms"]):
        assert signed_post(client, "/sms/inbound", twilio_params(body, sender="+447700900141", sid=new_sid())).status_code == 200
    assert signed_post(client, "/sms/inbound", twilio_params(WORDS["stray"], sender="+447700900977", sid=new_sid())).status_code == 200

    # The words are there to find, read through the app: evidence quotes them...
    db.session.expire_all()
    alerts = db.session.scalars(select(SafeguardingAlert)).all()
    assert len(alerts) >= 2 and any(a.message_id for a in alerts)
    evidence_text = repr([a.evidence for a in alerts]) + repr(db.session.scalars(select(Answer.analysis_evidence)).all())
    assert found_in(evidence_text.encode(), ["hits me", "punched me"]), evidence_text
    assert db.session.scalars(select(ThemeTag)).all()
    db.session.commit()
    db.session.remove()

    # ...and none of them is in the file.
    blob = raw_bytes(database_url)
    assert len(blob) > 10_000
    phrases = [p for words in WORDS.values() for p in distinctive(words)] + ["hits me", "punched me", "hurts me"]
    assert found_in(blob, phrases) == []


def test_migration_0005_encrypts_evidence_already_stored_in_clear(tmp_path):
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="0003")
        conn = db.session
        conn.execute(text("INSERT INTO child (id, case_ref, age_band, service, created_at) VALUES (1, 'C1', '8_12', 'cp', '2026-01-01')"))
        conn.execute(text("INSERT INTO meeting (id, meeting_ref, child_id, meeting_type, starts_at, status, created_at, updated_at) "
                          "VALUES (1, 'M1', 1, 'cp_conference', '2026-01-01', 'scheduled', '2026-01-01', '2026-01-01')"))
        conn.execute(text("INSERT INTO participant (id, meeting_id, role, display_name, language, preferred_channel, easy_read, consent, safe_to_text, created_at) "
                          "VALUES (1, 1, 'child', 'x', 'en', 'web', 0, 1, 0, '2026-01-01')"))
        conn.execute(text("INSERT INTO invitation (id, participant_id, survey_id, survey_version, token_hash, link_salt, channel, language, status, expires_at, advocate_requested, speak_to_chair_alone, delivery_failed, created_at, updated_at) "
                          "VALUES (1, 1, 's', 1, 'h', 'salt', 'web', 'en', 'sent', '2027-01-01', 0, 0, 0, '2026-01-01', '2026-01-01')"))
        conn.execute(text("INSERT INTO answer (id, invitation_id, question_id, skipped, channel, received_at, is_current, safeguarding_flag, analysis_evidence) "
                          "VALUES (1, 1, 'worries', 0, 'web', '2026-01-01', 1, 1, :e)"),
                     {"e": '{"safeguarding": ["Bartholomew hits me"], "themes": {"family": ["trampoline"]}}'})
        conn.execute(text("INSERT INTO theme_tag (id, answer_id, theme_id, source, evidence, rejected, created_at) "
                          "VALUES (1, 1, 'family', 'codebook', '[\"trampoline\"]', 0, '2026-01-01')"))
        conn.execute(text("INSERT INTO safeguarding_alert (id, answer_id, evidence, status, raised_at) "
                          "VALUES (1, 1, '[\"Bartholomew hits me\"]', 'open', '2026-01-01')"))
        conn.commit()
        db.session.remove()
        upgrade()

        from voice_service.models import Answer, SafeguardingAlert, ThemeTag

        assert db.session.get(SafeguardingAlert, 1).evidence == ["Bartholomew hits me"]
        assert db.session.get(Answer, 1).analysis_evidence["themes"] == {"family": ["trampoline"]}
        assert db.session.get(ThemeTag, 1).evidence == ["trampoline"]
        db.session.remove()
        db.engine.dispose()
    assert found_in(raw_bytes(url), ["Bartholomew", "trampoline", "hits me"]) == []


def test_key_rotation_re_encrypts_evidence_too(app, runner):
    from cryptography.fernet import Fernet

    from voice_service.crypto import keyring
    from voice_service.models import SafeguardingAlert

    alert = SafeguardingAlert(evidence=["Bartholomew hits me"], status="open")
    db.session.add(alert)
    db.session.commit()
    old_key, new_key = app.config["DATA_ENCRYPTION_KEYS"], Fernet.generate_key().decode()
    try:
        keyring.configure(f"{new_key},{old_key}", app.config["LOOKUP_HASH_KEY"])
        assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
        keyring.configure(new_key, app.config["LOOKUP_HASH_KEY"])
        db.session.expire_all()
        assert db.session.get(SafeguardingAlert, alert.id).evidence == ["Bartholomew hits me"]
    finally:
        keyring.configure(old_key, app.config["LOOKUP_HASH_KEY"])
