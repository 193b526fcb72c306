"""The chair's pages over 1,000 meetings and 100,000 answers in PostgreSQL.

What is measured, on a database of its own (voice_bench_staff, created beside BENCH_DATABASE_URL
and kept between runs: the data is loaded once, with COPY, and reused while it is complete),
through the Flask test client (so: server time, no network), signed in as a chair:

* GET /staff/meetings?scope=all (the next 14 days, every chair's meetings: 50 to a page, each
  with its people's invitation states, alerts and advocacy counts);
* GET /staff/meetings/<ref> (a meeting page: four people's answers side by side with labels,
  themes, flags, the message plan; the view is audited, so each request also writes a row);
* against the reference GET /healthz (a bare endpoint with one SELECT 1), same app, same run.

Target: p95 under 150 ms for both pages.

Data (invented, deterministic): 1,000 meetings from 60 days ago to 60 days ahead, 4 people each
(child, two parents, carer) asked with the real surveys; 25 answers per person (about 18
current, the rest earlier answers kept), free-text answers analysed (sentiment, 1-2 theme tags),
0.5% flagged with an alert; 3 planned texts and 1 sent message per person: 100,000 answers.
"""
from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import bench_database, migrate_and_load, p95  # noqa: E402

N_MEETINGS = 1_000
PEOPLE = ("child", "parent", "parent", "carer")
ANSWERS_PER_PERSON = 25
N_ANSWERS = N_MEETINGS * len(PEOPLE) * ANSWERS_PER_PERSON
DATA_VERSION = "staff-v1"
REQUESTS = 60
TARGET_P95_MS = 150.0
CHAIRS = 10
TEXTS = (
    "my social worker is kind and listens to me", "nobody explained the plan", "I want to see my brother more",
    "school is better now", "I feel safe at my nan's", "too many people at the meeting",
    "we are still waiting for help with the flat", "I miss my friends", "no one calls me back",
)


def make_app(url: str):
    from voice_service import create_app

    return create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": "/tmp/voice-bench-staff",
                       "REPORTS_DIR": "/tmp/voice-bench-staff/reports", "WTF_CSRF_ENABLED": False})


COPIES = {
    "user": 'COPY "user" (id, email, name, password_hash, role, team, active, failed_logins, created_at) FROM STDIN',
    "child": "COPY child (id, case_ref, age_band, service, team, created_at) FROM STDIN",
    "meeting": "COPY meeting (id, meeting_ref, child_id, meeting_type, starts_at, chair_id, status, location, "
               "created_at, updated_at) FROM STDIN",
    "participant": "COPY participant (id, meeting_id, external_ref, role, display_name, age_band, phone, language, "
                   "preferred_channel, easy_read, consent, safe_to_text, created_at) FROM STDIN",
    "invitation": "COPY invitation (id, participant_id, survey_id, survey_version, token_hash, channel, language, status, "
                  "expires_at, visibility, advocate_requested, speak_to_chair_alone, delivery_failed, created_at, "
                  "completed_at, updated_at, link_salt) FROM STDIN",
    "answer": "COPY answer (id, invitation_id, question_id, value, free_text, skipped, channel, received_at, "
              "is_current, sentiment, sentiment_source, safeguarding_flag, analysis_version, analysed_at) FROM STDIN",
    "theme_tag": "COPY theme_tag (id, answer_id, theme_id, source, rejected, created_at) FROM STDIN",
    "safeguarding_alert": "COPY safeguarding_alert (id, answer_id, status, raised_at) FROM STDIN",
    "message": "COPY message (id, direction, channel, invitation_id, status, created_at, updated_at) FROM STDIN",
    "scheduled_message": "COPY scheduled_message (id, invitation_id, kind, sequence, due_at, state, attempts, "
                         "created_at, updated_at) FROM STDIN",
}


def loaded(conn) -> bool:
    conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
    row = conn.execute("SELECT value FROM bench_meta WHERE key = 'data'").fetchone()
    return row is not None and row[0] == f"{DATA_VERSION}:{N_ANSWERS}"


def load(conn, now: datetime) -> None:
    from argon2 import PasswordHasher

    from voice_service.analysis.codebook import THEME_IDS
    from voice_service.crypto import keyring
    from voice_service.surveys import registry
    from flask import current_app

    rng = random.Random(11)
    t0 = time.monotonic()
    conn.execute("TRUNCATE \"user\", child, meeting, participant, invitation, answer, theme_tag, safeguarding_alert, "
                 "message, scheduled_message, audit_event, action RESTART IDENTITY CASCADE")
    surveys = registry(current_app)
    names = [keyring.encrypt(f"Invented Person {i}") for i in range(40)]
    phones = [keyring.encrypt(f"+447700900{i:03d}") for i in range(40)]
    texts = [keyring.encrypt(t) for t in TEXTS]
    pw = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("bench-password-123")
    rows: dict[str, list[tuple]] = {name: [] for name in COPIES}
    rows["user"] = [(c, f"chair{c}@bench.invalid", f"Bench Chair {c}", pw, "chair", "north", True, 0, now)
                    for c in range(1, CHAIRS + 1)]
    span = timedelta(days=120).total_seconds()
    start = now - timedelta(days=60)
    person = answer_id = tag_id = alert_id = message_id = scheduled_id = 0
    for m in range(1, N_MEETINGS + 1):
        starts = (start + timedelta(seconds=rng.random() * span)).replace(microsecond=0)
        rows["child"].append((m, f"BENCH-C{m}", "8_12", "cp", "north", now))
        rows["meeting"].append((m, f"BENCH-M{m}", m, "cp_conference", starts, rng.randint(1, CHAIRS),
                                "held" if starts < now else "scheduled", "Civic Centre", now, now))
        for p, role in enumerate(PEOPLE, 1):
            person += 1
            band = "8_12" if role == "child" else "adult"
            survey = surveys.choose("cp_conference", role, band, "en")
            rows["participant"].append((person, m, f"P{p}", role, rng.choice(names), band,
                                        None if role == "child" else rng.choice(phones), "en",
                                        "web" if role == "child" else "sms", False, True, role != "child", now))
            status = rng.choice(("completed", "completed", "in_progress", "sent"))
            rows["invitation"].append((
                person, person, survey.id, survey.version, f"bench-{person:09d}", "web", "en", status, starts,
                rng.choice(("meeting", "worker_and_chair", "chair_only", None)), False, False, False,
                starts - timedelta(days=10), starts - timedelta(days=2) if status == "completed" else None, starts,
                f"{person:032x}"))
            sent = starts - timedelta(days=10)
            for seq, kind in enumerate(("invite", "reminder", "close")):
                scheduled_id += 1
                due = sent + timedelta(days=3 * seq)
                rows["scheduled_message"].append((scheduled_id, person, kind, seq, due,
                                                  "sent" if due < now else "pending", 0, sent, sent))
            message_id += 1
            rows["message"].append((message_id, "outbound", "sms", person,
                                    rng.choice(("delivered", "sent", "undelivered")), sent, sent))
            questions = [q for q in survey.questions if q.kind not in ("visibility", "advocate")]
            for k in range(ANSWERS_PER_PERSON):
                answer_id += 1
                question = questions[k % len(questions)]
                current = k < len(questions)  # later rounds are earlier answers, kept
                received = starts - timedelta(hours=rng.randint(30, 200))
                if question.kind == "free_text":
                    flagged = rng.random() < 0.005
                    rows["answer"].append((answer_id, person, question.id, None, rng.choice(texts), False, "web",
                                           received, current, rng.choice(("positive", "neutral", "negative")),
                                           "model", flagged, "v1", received))
                    for theme in rng.sample(THEME_IDS, rng.choice((1, 2))):
                        tag_id += 1
                        rows["theme_tag"].append((tag_id, answer_id, theme, "codebook", False, received))
                    if flagged and current:
                        alert_id += 1
                        rows["safeguarding_alert"].append((alert_id, answer_id, "open", received))
                else:
                    option = rng.choice(question.options).id if question.options else "yes"
                    value = f'"{option}"' if question.kind != "multiple_choice" else f'["{option}"]'
                    rows["answer"].append((answer_id, person, question.id, value, None, False, "web", received,
                                           current, None, None, False, None, None))
    with conn.cursor() as cur:
        for name, statement in COPIES.items():  # one COPY at a time: a connection runs one
            with cur.copy(statement) as cp:
                for row in rows[name]:
                    cp.write_row(row)
    for table in ("user", "child", "meeting", "participant", "invitation", "answer", "theme_tag", "safeguarding_alert",
                  "message", "scheduled_message"):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT coalesce(max(id), 1) FROM \"{table}\"))")
    conn.execute("INSERT INTO bench_meta VALUES ('data', %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (f"{DATA_VERSION}:{N_ANSWERS}",))
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    conn.autocommit = False
    print(f"  {answer_id:,} answers loaded and analysed in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)


def main() -> int:
    from sqlalchemy import text

    from voice_service.extensions import db

    url = bench_database("voice_bench_staff")
    app = make_app(url)
    now = datetime.now(timezone.utc)
    migrate_and_load(app, url, loaded, load, now)
    with app.app_context():
        answers = db.session.scalar(text("SELECT count(*) FROM answer"))
        meetings = db.session.scalar(text("SELECT count(*) FROM meeting"))
        # The busiest meeting in the next 14 days with views in: what a chair opens the day before.
        ref = db.session.scalar(text(
            "SELECT m.meeting_ref FROM meeting m JOIN participant p ON p.meeting_id = m.id "
            "JOIN invitation i ON i.participant_id = p.id JOIN answer a ON a.invitation_id = i.id "
            "WHERE m.starts_at BETWEEN now() AND now() + interval '14 days' GROUP BY m.meeting_ref "
            "ORDER BY count(a.id) DESC LIMIT 1"))
        chair_id = db.session.scalar(text("SELECT chair_id FROM meeting WHERE meeting_ref = :r"), {"r": ref})
        upcoming_count = db.session.scalar(text(
            "SELECT count(*) FROM meeting WHERE starts_at BETWEEN now() - interval '1 day' AND now() + interval '14 days'"))
        db.session.execute(text("DELETE FROM audit_event"))  # each run starts with the same log
        db.session.commit()
        db.session.remove()

    client = app.test_client()

    def get(path: str) -> float:
        with client.session_transaction() as s:
            s["user_id"] = chair_id
            s["seen"] = time.time()
        t = time.perf_counter()
        response = client.get(path)
        took = time.perf_counter() - t
        assert response.status_code == 200, (path, response.status_code)
        return took

    pages = {
        "reference  GET /healthz": "/healthz",
        "upcoming   GET /staff/meetings?scope=all": "/staff/meetings?scope=all",
        "meeting    GET /staff/meetings/<ref>": f"/staff/meetings/{ref}",
    }
    for path in pages.values():  # warm caches (survey registry, templates, connection pool) once
        get(path)
    times: dict[str, list[float]] = {label: [] for label in pages}
    for _ in range(REQUESTS):  # interleaved, so a busy moment on the shared machine hits all alike
        for label, path in pages.items():
            times[label].append(get(path))
    ref_label = "reference  GET /healthz"
    ref_p95 = p95(times[ref_label])
    med = statistics.median
    print(f"bench_staff · {platform.node()} · {os.cpu_count()} cores · {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"data: {meetings:,} meetings, {answers:,} answers, PostgreSQL (voice_bench_staff); "
          f"{upcoming_count} meetings in the next 14 days; server time through the Flask test client")
    for label, values in times.items():
        line = f"{label:42s} p50 {med(values) * 1000:7.1f} ms  p95 {p95(values) * 1000:7.1f} ms  (n={len(values)})"
        if label != ref_label:
            line += (f"  = {p95(values) / ref_p95:5.1f}x reference  target p95 < {TARGET_P95_MS:.0f} ms: "
                     f"{'met' if p95(values) * 1000 < TARGET_P95_MS else 'NOT met'}")
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
