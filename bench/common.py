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


class CpuMeter:
    """CPU time used while a phase runs, per process group: the web server (gunicorn and its
    workers), the stores it talks to (postgres, memcached), and this client. Shows where a request's cost
    goes on a shared machine, where the client and the database take cores from the server."""

    GROUPS = ("server", "stores", "client")

    def __init__(self) -> None:
        self.me = os.getpid()
        self.start = self._sample()

    def _sample(self) -> dict[str, float]:
        tick = os.sysconf("SC_CLK_TCK")
        totals = dict.fromkeys(self.GROUPS, 0.0)
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    command = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            group = ("client" if int(pid) == self.me else "server" if "gunicorn" in command
                     else "stores" if "postgres" in command or "memcached" in command else None)
            if group:
                totals[group] += (int(fields[11]) + int(fields[12])) / tick
        return totals

    def per_request_ms(self, requests: int) -> dict[str, float]:
        """CPU milliseconds per request since the meter was made, per group."""
        end = self._sample()
        return {g: (end[g] - self.start[g]) * 1000 / max(requests, 1) for g in self.GROUPS}


def cpu_line(label: str, per_request: dict[str, float]) -> str:
    parts = "  ".join(f"{g} {ms:5.2f}" for g, ms in per_request.items())
    return f"{label:46} CPU ms per request: {parts}  (total {sum(per_request.values()):.2f})"
