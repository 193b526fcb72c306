"""Planning and dispatching 10,000 due invitations, against bare references measured in the same run.

What is measured, on SQLite (WAL, a temporary file) and on PostgreSQL (BENCH_DATABASE_URL; a
database of its own, voice_bench_dispatch, is created beside it):

* **planning**: ``plan_invitation_messages`` for 10,000 invitations (each a meeting in 18 days,
  so invite + 2 reminders + close), committed every 500. Reference: the same rows (4 per
  invitation) inserted with one bare multi-row INSERT per 500 invitations.
* **dispatch**, the target: the clock's ``dispatch_due`` in real processes (``python
  bench/bench_dispatch.py worker ...``), one clock and then two clocks at once, sending the
  10,000 due invitations through a fake sender (no network; it appends the invitation id to a
  file with one O_APPEND write, so duplicates are counted from what was really "sent": each
  invitation has exactly one due text). The composer does what the real one does apart from
  reading the survey folder (which other work changes): a fixed wording filled with the
  service name, the meeting date and the invitation's private link (``link_for``), and its
  SMS segment count.
  Duplicates are counted twice: invitations texted more than once, and scheduled rows with more
  than one outbound Message. Both must be 0.
* **reference** for dispatch: one process, one connection, a bare loop doing per due row one
  INSERT of the outbound Message (encrypted body and number, as the real one) and one UPDATE of
  the scheduled row to 'sent' with its SID, committed per row (a correct dispatcher must commit
  before each provider call). Nothing else: no claim, no checks, no composing.

Target: dispatch at least 500 messages/s with the fake sender on PostgreSQL.
Printed: machine, date, every figure with its reference and the ratio.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INVITATIONS = int(os.environ.get("BENCH_DISPATCH_INVITATIONS", "10000"))
PLAN_CHUNK = 500
TARGET_PER_SECOND = 500.0
# A Monday morning in term time, London: every invitation created at 09:00 is due at 09:05.
CREATED = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
NOW = CREATED + timedelta(minutes=5)
MEETING = CREATED + timedelta(days=18)
DB_NAME = "voice_bench_dispatch"


def machine() -> str:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{platform.node()}, {os.cpu_count()} cores, {cpu or platform.processor()}, Python {platform.python_version()}"


def environment(url: str, instance: Path) -> dict:
    env = dict(os.environ)
    env.update(VOICE_ENV="development", DATABASE_URL=url, SMS_SENDER="outbox", RUN_SCHEDULER_IN_PROCESS="0",
               VOICE_INSTANCE_DIR=str(instance), MODEL_PATH=str(instance / "no-model.joblib"),
               LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    env.pop("TWILIO_ACCOUNT_SID", None)
    return env


def make_app(env: dict):
    os.environ.update(env)
    import logging

    from voice_service import create_app

    app = create_app()
    logging.getLogger().setLevel(logging.WARNING)
    return app


def postgres_url() -> str | None:
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        return None
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return make_url(base).set(database=DB_NAME).render_as_string(hide_password=False)


# Preparing and resetting ------------------------------------------------------------------------

def prepare(app) -> dict:
    """Migrate, create the invitations, plan them (timed) and the planning reference (timed)."""
    from flask_migrate import upgrade
    from sqlalchemy import delete, insert, select

    from voice_service.crypto import phone_hash
    from voice_service.extensions import db
    from voice_service.invitations import create_invitation
    from voice_service.models import Child, Invitation, Meeting, Participant, ScheduledMessage
    from voice_service.scheduling.service import plan_invitation_messages
    from voice_service.surveys import registry

    with app.app_context():
        upgrade()
        survey = registry(app).choose("cp_conference", "parent", "adult")
        for i in range(INVITATIONS):
            phone = f"+447700900{i % 1000:03d}"
            child = Child(case_ref=f"BENCH-D{i}", age_band="8_12", service="cp", team="north")
            meeting = Meeting(meeting_ref=f"BENCH-D{i}", child=child, meeting_type="cp_conference", starts_at=MEETING)
            participant = Participant(meeting=meeting, role="parent", display_name=f"Bench Parent {i}", phone=phone,
                                      phone_hash=phone_hash(phone), age_band="adult", preferred_channel="sms",
                                      safe_to_text=True, consent=True)
            db.session.add_all([child, meeting, participant])
            invitation, _ = create_invitation(participant, survey.id, survey.version, MEETING, channel="sms")
            invitation.created_at = CREATED
            if i % PLAN_CHUNK == PLAN_CHUNK - 1:
                db.session.commit()
        db.session.commit()
        ids = list(db.session.scalars(select(Invitation.id).order_by(Invitation.id)))

        # The planning reference: the same number of rows, bare multi-row INSERTs.
        started = time.perf_counter()
        table = ScheduledMessage.__table__
        for first in range(0, len(ids), PLAN_CHUNK):
            rows = [
                {"invitation_id": invitation_id, "kind": kind, "sequence": seq, "due_at": NOW, "state": "pending",
                 "attempts": 0}
                for invitation_id in ids[first:first + PLAN_CHUNK]
                for kind, seq in (("invite", 0), ("reminder", 1), ("reminder", 2), ("close", 0))
            ]
            db.session.execute(insert(table), rows)
            db.session.commit()
        reference = time.perf_counter() - started
        db.session.execute(delete(ScheduledMessage))
        db.session.commit()

        started = time.perf_counter()
        for n, invitation_id in enumerate(ids, 1):
            plan_invitation_messages(db.session.get(Invitation, invitation_id), now=CREATED)
            if n % PLAN_CHUNK == 0:
                db.session.commit()
                db.session.expunge_all()
        db.session.commit()
        planning = time.perf_counter() - started
        due = db.session.scalar(select(db.func.count()).select_from(ScheduledMessage)
                                .where(ScheduledMessage.state == "pending", ScheduledMessage.due_at <= NOW))
        db.engine.dispose()
    return {"planning_s": planning, "planning_reference_s": reference, "due": due}


def reset(app) -> None:
    """Every invitation back to unsent: its invite due, no outbound messages."""
    from sqlalchemy import delete, update

    from voice_service.extensions import db
    from voice_service.models import Invitation, Message, ScheduledMessage

    with app.app_context():
        db.session.execute(delete(Message).where(Message.direction == "outbound"))
        db.session.execute(
            update(ScheduledMessage).where(ScheduledMessage.kind == "invite")
            .values(state="pending", attempts=0, claimed_by=None, claimed_at=None, sent_at=None, reason=None,
                    due_at=CREATED)
        )
        db.session.execute(update(Invitation).values(status="scheduled"))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()


def reference_loop(app) -> dict:
    """One INSERT (the outbound Message) and one UPDATE (row sent, with its SID) per due row,
    committed per row, on one connection."""
    from sqlalchemy import insert, select, update

    from voice_service.extensions import db
    from voice_service.models import Message, ScheduledMessage

    with app.app_context():
        due = db.session.execute(
            select(ScheduledMessage.id, ScheduledMessage.invitation_id)
            .where(ScheduledMessage.state == "pending", ScheduledMessage.due_at <= NOW)
            .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
        ).all()
        db.session.commit()
        messages, rows = Message.__table__, ScheduledMessage.__table__
        started = time.perf_counter()
        with db.engine.connect() as conn:
            for n, (row_id, invitation_id) in enumerate(due):
                conn.execute(insert(messages).values(
                    direction="outbound", channel="sms", invitation_id=invitation_id, scheduled_message_id=row_id,
                    to_address="+447700900123", body=f"Reference text {row_id}", status="queued",
                    provider_sid=f"SMref{n:030d}", created_at=NOW, updated_at=NOW,
                ))
                conn.execute(update(rows).where(rows.c.id == row_id).values(state="sent", sent_at=NOW))
                conn.commit()
        took = time.perf_counter() - started
        db.engine.dispose()
    return {"messages": len(due), "seconds": took}


# The clock processes ---------------------------------------------------------------------------

class LoggingSender:
    """The fake provider: no network; one O_APPEND write per call (survives a kill)."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.count = 0

    def send(self, to_e164, body, invitation):
        self.count += 1
        os.write(self.fd, f"{invitation.id}\n".encode())
        return f"SMb{os.getpid()}x{self.count:012d}"


WORDING = "{service}: please tell us your views before the meeting on {meeting_date}: {link} Reply STOP to stop texts."


def compose_for_bench(row, invitation) -> str:
    from voice_service.messaging.segments import sms_segments
    from voice_service.messaging.texts import fill, link_for, meeting_date_label, service_info

    info = service_info()
    text = fill(WORDING, {"service": info.name, "link": link_for(invitation),
                          "meeting_date": meeting_date_label(invitation.participant.meeting.starts_at)})
    sms_segments(text)
    return text


def load_dispatch_due():
    """The dispatcher under test: this tree's, or BENCH_DISPATCH_FROM=path/to/dispatch.py (an
    earlier version, e.g. from `git show REV:voice_service/scheduling/dispatch.py`) for a
    before/after comparison in the same conditions."""
    path = os.environ.get("BENCH_DISPATCH_FROM")
    if not path:
        from voice_service.scheduling.dispatch import dispatch_due

        return dispatch_due
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_dispatch_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.dispatch_due


def worker(url: str, log_path: str, instance: str) -> None:
    app = make_app(environment(url, Path(instance)))
    dispatch_due = load_dispatch_due()

    sender = LoggingSender(log_path)
    with app.app_context():
        started = time.time()
        report = dispatch_due(sender, compose_for_bench, now=NOW, batch_size=50, max_rows=10**9, claimant=f"bench-{os.getpid()}")
        ended = time.time()
    print(json.dumps({"started": started, "ended": ended, "sent": report.sent, "report": report.as_dict()}), flush=True)


def run_clocks(url: str, clocks: int, instance: Path, app) -> dict:
    from sqlalchemy import func, select

    from voice_service.extensions import db
    from voice_service.models import Message

    log = instance / f"sends-{clocks}.log"
    log.unlink(missing_ok=True)
    env = environment(url, instance)
    procs = [
        subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "worker", url, str(log), str(instance)],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(clocks)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"a clock process failed:\n{err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    sends = Counter(int(line) for line in log.read_text().split()) if log.exists() else Counter()
    with app.app_context():
        per_row = db.session.execute(
            select(Message.scheduled_message_id, func.count()).where(Message.direction == "outbound")
            .group_by(Message.scheduled_message_id).having(func.count() > 1)
        ).all()
        db.engine.dispose()
    wall = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return {
        "sent": sum(r["sent"] for r in results), "seconds": wall, "calls": sum(sends.values()),
        "duplicate_sends": sum(n - 1 for n in sends.values() if n > 1),
        "duplicate_rows": sum(n - 1 for _, n in per_row),
        "per_clock": [r["sent"] for r in results],
    }


# Main ------------------------------------------------------------------------------------------

def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def bench_database(label: str, url: str) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        instance = Path(tmp)
        app = make_app(environment(url, instance))
        lines = [f"{label}:"]
        prepared = prepare(app)
        plan_rate = rate(INVITATIONS, prepared["planning_s"])
        plan_ref = rate(INVITATIONS, prepared["planning_reference_s"])
        lines.append(f"  planning: {plan_rate:,.0f} invitations/s; reference (bare INSERT of the same rows) "
                     f"{plan_ref:,.0f}/s; ratio {plan_rate / plan_ref:.3f}")
        if prepared["due"] != INVITATIONS:
            lines.append(f"  WARNING: {prepared['due']} rows due, expected {INVITATIONS}")
        reference = reference_loop(app)
        ref_rate = rate(reference["messages"], reference["seconds"])
        lines.append(f"  reference (one INSERT + one UPDATE per row, committed): {ref_rate:,.0f} messages/s "
                     f"({reference['messages']} in {reference['seconds']:.1f} s)")
        ok = True
        for clocks in (1, 2):
            reset(app)
            result = run_clocks(url, clocks, instance, app)
            got = rate(result["sent"], result["seconds"])
            dupes = result["duplicate_sends"] + result["duplicate_rows"]
            ok = ok and dupes == 0 and result["sent"] == INVITATIONS
            lines.append(
                f"  dispatch, {clocks} clock{'s' if clocks > 1 else ''}: {got:,.0f} messages/s "
                f"({result['sent']} sent in {result['seconds']:.1f} s; per clock {result['per_clock']}); "
                f"ratio to reference {got / ref_rate:.3f}; duplicates {dupes}"
                + ("" if result["sent"] == INVITATIONS else f"; MISSING {INVITATIONS - result['sent']}")
            )
            if label == "PostgreSQL":
                lines.append(f"    target >= {TARGET_PER_SECOND:.0f}/s: {'met' if got >= TARGET_PER_SECOND else 'NOT met'}")
        if not ok:
            lines.append("  FAILED: duplicates or missing messages")
        return lines


def main() -> int:
    print(f"bench_dispatch: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    if os.environ.get("BENCH_DISPATCH_FROM"):
        print(f"dispatcher from {os.environ['BENCH_DISPATCH_FROM']}")
    print(f"{INVITATIONS:,} invitations due; fake sender (no network), fixed wording with the private link; batches of 50; "
          "clocks are separate processes")
    failed = False
    for label, url in (("SQLite", None), ("PostgreSQL", postgres_url())):
        if label == "PostgreSQL" and url is None:
            print("PostgreSQL: skipped (BENCH_DATABASE_URL is not set; eval \"$(tools/start_postgres.sh)\")")
            continue
        with tempfile.TemporaryDirectory(prefix="bench-dispatch-db-") as tmp:
            url = url or f"sqlite:///{tmp}/bench.sqlite"
            for line in bench_database(label, url):
                print(line, flush=True)
                failed = failed or line.strip().startswith("FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(*sys.argv[2:5])
    else:
        sys.exit(main())
