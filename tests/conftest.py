"""Shared fixtures. The schema is built once per run by the migrations (never create_all).

The database is SQLite (a file in a temporary folder) unless TEST_DATABASE_URL points at
PostgreSQL; `make test` runs the whole suite both ways when it does.

TEST_FAKE_NOW runs the whole session with the clock set to a given moment and ticking, to find
tests that depend on today's date: an ISO time, optionally followed by a zone, e.g.
`TEST_FAKE_NOW="2026-12-23T10:00 Europe/London" make test` (UTC when no zone is given). Every
test that involves dates pins its own moment, so the suite passes whatever this is.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import create_engine, make_url, text

from voice_service import create_app
from voice_service.extensions import db

_fake_now: time_machine.travel | None = None


def fake_now_from(value: str) -> dt.datetime:
    """"2026-12-23T10:00 Europe/London" -> an aware datetime (UTC when no zone is given)."""
    moment, _, zone = value.strip().partition(" ")
    try:
        when = dt.datetime.fromisoformat(moment)
        tz = ZoneInfo(zone.strip()) if zone.strip() else dt.UTC
    except (ValueError, KeyError) as exc:
        raise pytest.UsageError(f"TEST_FAKE_NOW={value!r}: give an ISO time and optionally a zone, "
                                f"like '2026-12-23T10:00 Europe/London' ({exc})") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when


def pytest_configure(config):
    # Started here rather than in a fixture, so that collection and module imports see it too.
    global _fake_now
    value = os.environ.get("TEST_FAKE_NOW", "").strip()
    if value:
        _fake_now = time_machine.travel(fake_now_from(value), tick=True)
        _fake_now.start()


def pytest_unconfigure(config):
    global _fake_now
    if _fake_now is not None:
        _fake_now.stop()
        _fake_now = None


def pytest_report_header(config):
    fake = os.environ.get("TEST_FAKE_NOW", "").strip()
    clock = f"; clock starts at {fake_now_from(fake).isoformat()} (TEST_FAKE_NOW)" if fake else ""
    return f"database: {_database_kind()}{clock}"


def _database_kind() -> str:
    return "postgresql" if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") else "sqlite"


def pytest_collection_modifyitems(config, items):
    if _database_kind() == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run via `make test` or .ci/run with TEST_DATABASE_URL")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


class RealTwilioCall(RuntimeError):
    """A test reached for the real Twilio API: mock it (the `responses` library) or use Prism."""


@pytest.fixture(autouse=True, scope="session")
def _no_real_twilio():
    """Any HTTP request to *.twilio.com that no mock intercepted fails the test loudly.

    `responses` patches the same method on top of this guard while it is active, and a Prism
    mock on 127.0.0.1 is not twilio.com, so both still work.
    """
    from urllib.parse import urlsplit

    from requests.adapters import HTTPAdapter

    real_send = HTTPAdapter.send

    def guarded_send(self, request, *args, **kwargs):
        host = (urlsplit(request.url).hostname or "").lower()
        if host == "twilio.com" or host.endswith(".twilio.com"):
            raise RealTwilioCall(f"a test tried to call the real Twilio API ({request.method} {host}); mock it")
        return real_send(self, request, *args, **kwargs)

    HTTPAdapter.send = guarded_send
    yield
    HTTPAdapter.send = real_send


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated, empty database of this test run's own (concurrent runs never share one)."""
    url = os.environ.get("TEST_DATABASE_URL")
    own_database = None
    if url and url.startswith("postgresql"):
        base = make_url(url)
        own_database = f"{base.database}_{os.getpid()}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{own_database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{own_database}"'))
        url = base.set(database=own_database).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield url
    if own_database:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{own_database}" WITH (FORCE)'))
        admin.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(database_url, app_config, tmp_path):
    settings = {
        "ENV_NAME": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "REPORTS_DIR": str(tmp_path / "reports"),
        "MODEL_PATH": str(tmp_path / "instance" / "theme_model.joblib"),
    }
    settings.update(app_config)
    app = create_app(settings)
    with app.app_context():
        yield app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
