"""Database set-up that differs between SQLite and PostgreSQL."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from voice_service.extensions import db

def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def discard_session() -> None:
    """End the session; if its connection died under it, throw the connection away quietly."""
    try:
        db.session.remove()
    except Exception:
        try:
            db.session.invalidate()
        except Exception:
            pass
        db.session.registry.clear()


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def close_session_even_if_the_database_went_away(_error):
        # Runs before Flask-SQLAlchemy's own teardown. On a connection the server dropped (a
        # restart, a failover) the usual rollback raises, and the visitor would get a bare 500
        # after their request was already answered; discard the connection instead.
        discard_session()

    from voice_service.analysis.rollups import watch_changes

    watch_changes()  # a change to a closed month's answers makes its kept counts stale
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # WAL lets the web form and the clock read while one writes; wait instead of failing.
        cursor.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL is crash-safe for the database; it only skips an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def begin_writing() -> None:
    """Start the session's transaction as a writer: on SQLite, BEGIN IMMEDIATE takes the write
    lock before the first read, so every read sees the latest commit and the writes after them
    cannot fail on a stale snapshot. Nothing on PostgreSQL (lock the rows you read instead).
    Call before the transaction's first statement."""
    if db.session.get_bind().dialect.name != "sqlite":
        return
    connection = db.session.connection()
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
