"""Database set-up that differs between SQLite and PostgreSQL."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from voice_service.extensions import db

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's own waiting only
    fcntl = None


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

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes_while_only_reading(_conn, _cursor, statement, *_args):
        if getattr(_reading, "only", False) and not statement.lstrip()[:6].upper() == "SELECT":
            raise WriteAttempted(statement.split(None, 1)[0])


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


class WriteAttempted(Exception):
    """A statement that writes, inside reads_only()."""


_reading = threading.local()


@contextmanager
def reads_only() -> Iterator[None]:
    """Within, on SQLite, any statement but a SELECT raises WriteAttempted before it runs: work
    done before taking the writer's turn must not write (it would hold SQLite's write lock
    outside the turn). Nothing is checked on PostgreSQL."""
    _reading.only = True
    try:
        yield
    finally:
        _reading.only = False


# One writer at a time on SQLite, queued in the kernel -----------------------------------------

_writer = threading.local()


@contextmanager
def sqlite_writer_turn() -> Iterator[None]:
    """On a SQLite file, wait for this thread's turn to write, queued with every web process.

    SQLite has one write lock, and a connection that finds it taken polls for it, sleeping up
    to 100 ms between tries: under a burst of texts most of a text's wait was that sleep. An
    exclusive flock on a file beside the database queues writers in the kernel instead, which
    wakes the next one the moment the lock is released. Hold it around a whole write
    transaction. Nothing on PostgreSQL (row locks), in-memory SQLite, or without fcntl.
    """
    path = _writer_lock_path()
    if path is None or fcntl is None:
        yield
        return
    files = getattr(_writer, "files", None)
    if files is None:
        files = _writer.files = {}
    if path not in files:  # one open file per thread: flock is per open file, so threads queue too
        files[path] = _LockFile(path)
    fd = files[path].fd
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


class _LockFile:
    """An open lock file, closed when its thread ends (the thread-local holding it goes)."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def __del__(self):
        os.close(self.fd)


def writers_take_turns() -> bool:
    """Whether this database queues writers with sqlite_writer_turn (a SQLite file, POSIX)."""
    return fcntl is not None and _writer_lock_path() is not None


def _writer_lock_path() -> str | None:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.database + ".writer-lock"
