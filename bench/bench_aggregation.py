"""Monthly aggregation and the Family Advisory Group page over 1,000,000 answers in PostgreSQL.

What is measured, on a database of its own (voice_bench_agg, created beside BENCH_DATABASE_URL
and kept between runs: the data is loaded once, with COPY, and reused while it is complete):

* the monthly aggregation: `build_monthly` for the last complete month (everything the report
  command computes: coverage, themes this month and last, sentiment, quotes, alerts, actions),
  and `collect_trends` for the page's 12 months, uncached, against the reference a bare
  `SELECT count(*) FROM answer` over the same table (target: under 2 s): first with nothing
  kept (as before the clock's first run), then with the closed periods' counts kept as the
  clock's job leaves them (analysis/rollups.py), which is what the pages below read;
* the Family Advisory Group page, GET /insights/?period=12 through the Flask test client,
  signed in as a family_advisory user: p50/p95 over repeated requests (the page keeps its
  aggregates for INSIGHTS_CACHE_SECONDS while no answer, tag or invitation is added), the first
  (cold) request, and the page with the cache off; against the reference GET /healthz (a bare
  endpoint with one SELECT 1) in the same app and run (target p95 under 300 ms).

Data (invented, deterministic): 24 months of meetings; 420,000 people asked, 60% answer 4
questions each (2 free text, analysed: sentiment, 1-2 theme tags, redacted text; 2 closed
questions the scorecard counts, "listened_to" and "seen_alone"):
1,000,000 answers, about 750,000 theme tags, 0.5% flagged with an alert, 20,000 actions.
Encrypted columns reuse a small pool of real ciphertexts, so loading stays under a few minutes.
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

N_ANSWERS = 1_000_000
N_INVITATIONS = 420_000
ANSWERS_PER_RESPONSE = 4
DATA_VERSION = "agg-v2"  # v2: the two closed questions are ones the scorecard counts
PAGE_REQUESTS = 60
REFERENCE_REQUESTS = 60
TARGET_AGG_S = 2.0
TARGET_PAGE_P95_MS = 300.0
MONTHS = 24

ROLES = (("child", 35), ("parent", 40), ("carer", 15), ("young_adult", 5), ("other", 5))
STATUSES_NO = (("expired", 60), ("declined", 15), ("opted_out", 15), ("sent", 10))
VISIBILITY = (("meeting", 40), ("worker_and_chair", 30), ("chair_only", 20), (None, 10))
MEETINGS = (("cp_conference", "cp"), ("cla_review", "cla"), ("cin_review", "cin"), ("ehcp_review", "send"),
            ("fgc", "early_help"), ("yj_panel", "yjs"))
ETHNICITIES = ("White British", "Black African", "Black Caribbean", "Bangladeshi", "Pakistani", "Mixed", "Other", None)
# The two closed questions, ones the scorecard's measures count (learning/scorecard_v1.toml).
SCORECARD_QUESTIONS = (("listened_to", ("strongly_agree", "agree", "not_sure", "disagree", "strongly_disagree")),
                       ("seen_alone", ("yes", "yes", "no", "not_sure")))
SENTIMENT = (("positive", 40), ("neutral", 30), ("negative", 30))
TEXTS = (
    "my social worker is kind and listens to me", "nobody explained the plan", "I want to see my brother more",
    "school is better now", "I feel safe at my nan's", "too many people at the meeting",
    "we are still waiting for help with the flat", "I miss my friends", "no one calls me back",
    "they don't understand our culture", "I like my foster carer", "I got the report the night before",
)


def weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def make_app(url: str, **extra):
    from voice_service import create_app

    settings = {"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": "/tmp/voice-bench-agg",
                "REPORTS_DIR": "/tmp/voice-bench-agg/reports", "WTF_CSRF_ENABLED": False}
    settings.update(extra)
    return create_app(settings)


def loaded(conn) -> bool:
    conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
    row = conn.execute("SELECT value FROM bench_meta WHERE key = 'data'").fetchone()
    return row is not None and row[0] == f"{DATA_VERSION}:{N_ANSWERS}"


def load(conn, now: datetime) -> None:
    """Fill the tables with COPY (a few minutes at most on 2 cores)."""
    from voice_service.crypto import keyring

    rng = random.Random(7)
    t0 = time.monotonic()
    conn.execute("TRUNCATE child, meeting, participant, invitation, answer, theme_tag, safeguarding_alert, action "
                 "RESTART IDENTITY CASCADE")
    names = [keyring.encrypt(f"Invented Person {i}") for i in range(50)]
    texts = [(keyring.encrypt(t), keyring.encrypt(t)) for t in TEXTS]
    notes = keyring.encrypt("Talked it through at the meeting and agreed a plan")
    start = now - timedelta(days=30 * MONTHS)
    span = (now - start).total_seconds()
    from voice_service.analysis.codebook import THEME_IDS

    children, meetings, participants, invitations = [], [], [], []
    meeting_id = 0
    person = 0
    while person < N_INVITATIONS:
        meeting_id += 1
        mtype, service = rng.choice(MEETINGS)
        starts = start + timedelta(seconds=rng.random() * span)
        band = rng.choice(("under_8", "8_12", "13_17", "18_25" if service == "send" else "13_17"))
        children.append((meeting_id, f"BENCH-C{meeting_id}", band, service, "north", rng.choice(ETHNICITIES),
                         rng.choice(("Girl", "Boy", None)), rng.choice(("Yes", "No", None)), starts))
        meetings.append((meeting_id, f"BENCH-M{meeting_id}", meeting_id, mtype, starts, "held", starts, starts))
        for _ in range(rng.choice((2, 2, 3, 3, 4))):
            person += 1
            role = weighted(rng, ROLES)
            participants.append((person, meeting_id, role, rng.choice(names),
                                 band if role == "child" else "18_25" if role == "young_adult" else "adult",
                                 "en", "web", False, True, False, starts))
            invitations.append((person, person, mtype, starts))
    print(f"  generated {len(meetings):,} meetings, {len(participants):,} people asked", file=sys.stderr, flush=True)

    with conn.cursor() as cur:
        with cur.copy("COPY child (id, case_ref, age_band, service, team, ethnicity, gender, disability, created_at) FROM STDIN") as cp:
            for row in children:
                cp.write_row(row)
        with cur.copy("COPY meeting (id, meeting_ref, child_id, meeting_type, starts_at, status, created_at, updated_at) FROM STDIN") as cp:
            for row in meetings:
                cp.write_row(row)
        with cur.copy("COPY participant (id, meeting_id, role, display_name, age_band, language, preferred_channel, "
                      "easy_read, consent, safe_to_text, created_at) FROM STDIN") as cp:
            for row in participants:
                cp.write_row(row)
        print(f"  people loaded ({time.monotonic() - t0:.0f} s)", file=sys.stderr, flush=True)
        responded = set(rng.sample(range(1, len(invitations) + 1), N_ANSWERS // ANSWERS_PER_RESPONSE))
        answer_id = tag_id = alert_id = 0
        tags, alerts = [], []
        with cur.copy("COPY invitation (id, participant_id, survey_id, survey_version, token_hash, channel, language, status, "
                      "expires_at, visibility, advocate_requested, speak_to_chair_alone, delivery_failed, created_at, "
                      "completed_at, updated_at, link_salt) FROM STDIN") as cp:
            for inv_id, _pid, mtype, starts in invitations:
                ok = inv_id in responded
                status = "completed" if ok else weighted(rng, STATUSES_NO)
                sent = starts - timedelta(days=14)
                cp.write_row((inv_id, inv_id, f"{mtype}_bench", 1, f"bench-{inv_id:09d}", "web", "en", status, starts,
                              weighted(rng, VISIBILITY), False, False, False, sent, starts if ok else None, starts,
                              f"{inv_id:032x}"))
        with cur.copy("COPY answer (id, invitation_id, question_id, value, free_text, skipped, channel, received_at, is_current, "
                      "sentiment, sentiment_source, safeguarding_flag, analysis_version, analysed_at, redacted_text) FROM STDIN") as ap:
            for inv_id, _pid, _mtype, starts in invitations:
                if inv_id not in responded:
                    continue
                received = starts - timedelta(hours=rng.randint(2, 240))
                for q in range(ANSWERS_PER_RESPONSE):
                    answer_id += 1
                    if q < 2:
                        enc, red = rng.choice(texts)
                        flagged = rng.random() < 0.005
                        ap.write_row((answer_id, inv_id, f"q{q}", None, enc, False, "web", received, True,
                                      weighted(rng, SENTIMENT), "model", flagged, "v1", received, red))
                        for theme in rng.sample(THEME_IDS, rng.choice((1, 1, 2))):
                            tag_id += 1
                            tags.append((tag_id, answer_id, theme, "codebook", rng.random() < 0.02,
                                         received + timedelta(days=3) if rng.random() < 0.05 else None, received))
                        if flagged:
                            alert_id += 1
                            ack = received + timedelta(minutes=rng.randint(5, 180))
                            alerts.append((alert_id, answer_id, "actioned", received, ack, ack + timedelta(hours=rng.randint(1, 48))))
                    else:
                        question, values = SCORECARD_QUESTIONS[q - 2]
                        ap.write_row((answer_id, inv_id, question, rng.choice(values), None, False, "web", received,
                                      True, None, None, False, None, None, None))
        # One COPY at a time on a connection: the tags go in after their answers.
        with cur.copy("COPY theme_tag (id, answer_id, theme_id, source, rejected, confirmed_at, created_at) FROM STDIN") as tp:
            for row in tags:
                tp.write_row(row)
        print(f"  {answer_id:,} answers and {tag_id:,} theme tags loaded ({time.monotonic() - t0:.0f} s)", file=sys.stderr, flush=True)
        with cur.copy("COPY safeguarding_alert (id, answer_id, status, raised_at, acknowledged_at, actioned_at) FROM STDIN") as cp:
            for row in alerts:
                cp.write_row(row)
        with cur.copy("COPY action (id, meeting_id, invitation_id, point, decision, recorded_at) FROM STDIN") as cp:
            for k in range(1, 20_001):
                inv_id, _pid, _mtype, starts = invitations[rng.randrange(len(invitations))]
                cp.write_row((k, participants[inv_id - 1][1], inv_id, rng.choice(texts)[1], notes, starts + timedelta(days=1)))
    for table in ("child", "meeting", "participant", "invitation", "answer", "theme_tag", "safeguarding_alert", "action"):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")
    conn.execute("INSERT INTO bench_meta VALUES ('data', %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (f"{DATA_VERSION}:{N_ANSWERS}",))
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    conn.autocommit = False
    print(f"  loaded and analysed in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> int:
    from sqlalchemy import text

    from voice_service.extensions import db

    url = bench_database("voice_bench_agg")
    app = make_app(url)
    now = datetime.now(timezone.utc)
    migrate_and_load(app, url, loaded, load, now)

    from voice_service.analysis import report, rollups
    from voice_service.models import User

    threshold = 5
    this_month = f"{now.year}-{now.month:02d}"
    from voice_service.analysis.trends import previous_month

    last_full = previous_month(this_month)
    first12 = this_month
    for _ in range(11):
        first12 = previous_month(first12)

    with app.app_context():
        answers = db.session.scalar(text("SELECT count(*) FROM answer"))
        tags = db.session.scalar(text("SELECT count(*) FROM theme_tag"))
        ref = timed(lambda: db.session.scalar(text("SELECT count(*) FROM answer")), 5)
        db.session.execute(text("DELETE FROM month_rollup"))  # nothing kept: as before the clock's first run
        db.session.commit()
        report.build_monthly(last_full, threshold)  # warm the buffers once
        monthly_live = timed(lambda: report.build_monthly(last_full, threshold), 3)
        trends12_live = timed(lambda: report.collect_trends(first12, this_month, threshold), 3)
        print("  the clock's count of the closed periods (analysis/rollups.py)", file=sys.stderr, flush=True)
        rollups.refresh()
        monthly = timed(lambda: report.build_monthly(last_full, threshold), 3)
        trends12 = timed(lambda: report.collect_trends(first12, this_month, threshold), 3)
        user = db.session.scalar(db.select(User).where(User.email == "fag-bench@example.invalid"))
        if user is None:
            from voice_service.auth import hash_password

            user = User(email="fag-bench@example.invalid", name="Bench FAG", role="family_advisory",
                        password_hash=hash_password("bench-password-123"))
            db.session.add(user)
            db.session.commit()
        user_id = user.id
        db.session.remove()

    def client_for(a):
        c = a.test_client()
        with c.session_transaction() as s:
            s["user_id"] = user_id
            s["seen"] = time.time()
        return c

    def get(c, path):
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        with c.session_transaction() as s:
            s["seen"] = time.time()

    c = client_for(app)
    cold = timed(lambda: get(c, "/insights/?period=12"), 1)[0]
    page = timed(lambda: get(c, "/insights/?period=12"), PAGE_REQUESTS)
    reference = timed(lambda: get(c, "/healthz"), REFERENCE_REQUESTS)
    uncached_app = make_app(url, INSIGHTS_CACHE_SECONDS=0)
    uc = client_for(uncached_app)
    uncached = timed(lambda: get(uc, "/insights/?period=12"), 3)

    med = statistics.median
    ref_s = med(ref)
    print(f"bench_aggregation · {platform.node()} · {os.cpu_count()} cores · {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"data: {answers:,} answers, {tags:,} theme tags, PostgreSQL (voice_bench_agg)")
    print(f"reference  SELECT count(*) FROM answer          median {ref_s * 1000:8.1f} ms")
    print(f"nothing kept: build_monthly({last_full}) median {med(monthly_live) * 1000:8.1f} ms; "
          f"collect_trends 12 months median {med(trends12_live) * 1000:8.1f} ms (before the clock's first count)")
    print(f"monthly    build_monthly({last_full}) (report)   median {med(monthly) * 1000:8.1f} ms  "
          f"= {med(monthly) / ref_s:5.1f}x reference  target < {TARGET_AGG_S:.0f} s: {'met' if med(monthly) < TARGET_AGG_S else 'NOT met'}")
    print(f"12 months  collect_trends (the page, uncached)  median {med(trends12) * 1000:8.1f} ms  "
          f"= {med(trends12) / ref_s:5.1f}x reference  target < {TARGET_AGG_S:.0f} s: {'met' if med(trends12) < TARGET_AGG_S else 'NOT met'}")
    ref_p95 = p95(reference)
    print(f"reference  GET /healthz                        p50 {med(reference) * 1000:7.1f} ms  p95 {ref_p95 * 1000:7.1f} ms  (n={len(reference)})")
    print(f"page       GET /insights/?period=12 (FAG)      p50 {med(page) * 1000:7.1f} ms  p95 {p95(page) * 1000:7.1f} ms  (n={len(page)})  "
          f"= {p95(page) / ref_p95:5.1f}x reference  target p95 < {TARGET_PAGE_P95_MS:.0f} ms: "
          f"{'met' if p95(page) * 1000 < TARGET_PAGE_P95_MS else 'NOT met'}")
    print(f"page       first request after start (cold)    {cold * 1000:7.1f} ms")
    print(f"page       with the cache off                  median {med(uncached) * 1000:7.1f} ms  (n={len(uncached)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
