"""What the benchmarks share: their own PostgreSQL database beside BENCH_DATABASE_URL, percentiles."""
from __future__ import annotations

import os


def bench_database(name: str, fresh: bool = False) -> str:
    """The URL of database `name` on BENCH_DATABASE_URL's server, made if missing (or anew if `fresh`)."""
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        raise SystemExit("BENCH_DATABASE_URL is not set: eval \"$(tools/start_postgres.sh)\" first")
    import psycopg

    server, _, _name = base.rpartition("/")
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def migrate_and_load(app, url: str, loaded, load, now) -> None:
    """Build the schema with the migrations, then load the data unless `loaded(conn)` says it is there."""
    import sys

    import psycopg
    from flask_migrate import upgrade

    from voice_service.extensions import db

    with app.app_context():
        upgrade()
        db.engine.dispose()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        if loaded(conn):
            print("  data already loaded: reusing it", file=sys.stderr)
            return
        conn.commit()
        with app.app_context():  # the key ring (encrypted columns) and the survey registry
            load(conn, now)
