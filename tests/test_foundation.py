"""The foundation: settings, migrations, the access policy on every route."""
from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from voice_service import create_app
from voice_service.access import policy_for_endpoint
from voice_service.config import ConfigError, build_settings
from voice_service.extensions import db


def test_production_is_never_chosen_implicitly():
    assert build_settings(environ={})["ENV_NAME"] == "development"


def test_production_names_every_missing_variable():
    with pytest.raises(ConfigError) as excinfo:
        build_settings("production", environ={"SECRET_KEY": "3f9c1a7e5b2d8046c1e9a3b7d5f2408e"})
    message = str(excinfo.value)
    for variable in ("DATABASE_URL", "DATA_ENCRYPTION_KEYS", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"):
        assert variable in message
    assert "SECRET_KEY:" not in message  # it was given


def test_production_refuses_the_dev_outbox_and_dev_secret():
    with pytest.raises(ConfigError) as excinfo:
        build_settings("production", environ={"SECRET_KEY": "dev-only-secret-key", "SMS_SENDER": "outbox"})
    assert "development key is not allowed" in str(excinfo.value)
    assert "dev outbox is not allowed" in str(excinfo.value)


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="VOICE_ENV='staging' is not known"):
        build_settings(environ={"VOICE_ENV": "staging"})


def test_production_refusal_is_a_clear_message_from_the_command_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "voice_service", "routes"],
        env={"VOICE_ENV": "production", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "TWILIO_AUTH_TOKEN" in result.stderr and "DATABASE_URL" in result.stderr


def test_every_route_has_an_access_policy(app):
    missing = [
        rule.endpoint for rule in app.url_map.iter_rules() if policy_for_endpoint(app, rule.endpoint) is None
    ]
    assert missing == []


def test_dev_pages_are_not_registered_in_production(app):
    policies = app.config["ACCESS_POLICIES"]
    assert "dev" in policies  # present in test/development
    settings = build_settings("production", environ={
        "SECRET_KEY": "3f9c1a7e5b2d8046c1e9a3b7d5f2408e", "DATABASE_URL": "postgresql+psycopg://u@db.example/v",
        "DATA_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1ub3QtdXNlZC1hbnl3aGVyZSE=", "LOOKUP_HASH_KEY": "a8d3f1c6e9b24705d1f8a3c6e9b2470f",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "+447700900001",
        "PUBLIC_BASE_URL": "https://voice.example.org", "RATELIMIT_STORAGE_URI": "memcached://127.0.0.1:1",
    })
    settings["RATELIMIT_STORAGE_URI"] = "memory://"  # no shared store here; the check ran above
    settings["SQLALCHEMY_DATABASE_URI"] = "sqlite:///:memory:"  # nor a PostgreSQL server
    prod = create_app({**settings, "ENV_NAME": "test", "DEV_PAGES": False})
    assert "dev" not in prod.config["ACCESS_POLICIES"]
    assert not any(r.rule.startswith("/dev") for r in prod.url_map.iter_rules())


def test_migrations_have_one_head(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_downgrade_to_nothing_and_upgrade_again(app):
    db.session.remove()
    downgrade(revision="base")
    with db.engine.connect() as conn:
        tables = db.inspect(conn).get_table_names()
    assert [t for t in tables if t != "alembic_version"] == []
    upgrade()
    with db.engine.connect() as conn:
        assert "answer" in db.inspect(conn).get_table_names()


def test_health_check_reaches_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_security_headers_on_every_page(client):
    response = client.get("/healthz")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_every_command_a_newcomer_or_operator_needs_is_there(app):
    names = set(app.cli.list_commands(None))
    assert {"demo", "surveys", "analyse", "report", "scheduler", "import-meetings", "api-keys", "users",
            "keys", "person"} <= names
