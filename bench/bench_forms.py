"""The public form under concurrent load on loopback, against a bare Flask page in the same run.

What is measured (gunicorn, gthread workers, on 127.0.0.1; a bounded pool of client threads,
each with its own cookie session and keep-alive connection):

* reference: GET of a bare Flask endpoint returning a static page of the same size as a
  question page, from the same gunicorn settings;
* GET /r/<token>/q/<question> (a question page of the real child 8-12 form, easy read: the
  invitation, survey, answers so far, the form and the page);
* POST /r/<token>/q/<question> (an answer submission: CSRF check, validation, the answer saved
  and committed, then the redirect), alternating two answers so every submission is stored;
* the bytes a first visit to a question page transfers: the HTML and everything it loads (CSS,
  JavaScript modules, fonts and images it references), each compressed with gzip -6 as the
  proxy in front of the service serves them.

Targets (issue 3): answer submissions at least 40% of the bare endpoint's throughput; a first
question page under 150 KB transferred.

Database: PostgreSQL when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set (a database of its own,
voice_bench_forms, migrated and filled here), else a SQLite file in WAL mode.
BENCH_SECONDS (default 8) per phase, BENCH_CLIENTS (default 8) client threads.
"""
from __future__ import annotations

import gzip
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import CpuMeter, cpu_line  # noqa: E402
from tests.support.memcached import Memcached  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(max(2, os.cpu_count() or 2))))
THREADS = 4
SURVEY_ID = "cp_conference_child_8_12"
QUESTION = "feelings"
ANSWERS = ("happy", "ok")
TARGET_SUBMIT_RATIO = 0.40
TARGET_FIRST_PAGE_KB = 150.0


# The reference: a bare Flask app with one static page --------------------------------------

def bare_app():
    """gunicorn entry point for the reference endpoint (bench_forms:bare_app())."""
    from flask import Flask

    app = Flask("bare")
    page = Path(os.environ["BENCH_BARE_PAGE"]).read_text(encoding="utf-8")

    @app.get("/static-page")
    def static_page():
        return page

    return app


# Set-up ------------------------------------------------------------------------------------

def database_url(tmp: Path) -> tuple[str, str]:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        import psycopg

        server, _, _ = base.rpartition("/")
        plain = base.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS voice_bench_forms WITH (FORCE)")
            conn.execute("CREATE DATABASE voice_bench_forms")
        return f"{server}/voice_bench_forms", "PostgreSQL"
    return f"sqlite:///{tmp / 'bench.sqlite'}", "SQLite (WAL)"


def environment(url: str, tmp: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "VOICE_ENV": "development", "DATABASE_URL": url, "VOICE_INSTANCE_DIR": str(tmp / "instance"),
        "SECRET_KEY": "bench-secret-key-not-for-production", "RUN_SCHEDULER_IN_PROCESS": "0",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
    })
    return env


def prepare(url: str, env: dict) -> list[str]:
    """Migrate, then one invitation per client to the real child form; returns the tokens."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "voice_service", "db", "upgrade"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "VOICE_INSTANCE_DIR", "SECRET_KEY")})
    from voice_service import create_app
    from voice_service.extensions import db
    from voice_service.invitations import create_invitation
    from voice_service.models import Child, Meeting, Participant, utcnow

    app = create_app({"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": env["VOICE_INSTANCE_DIR"]})
    tokens = []
    with app.app_context():
        for n in range(CLIENTS):
            child = Child(case_ref=f"BENCH-FORMS-{n}", age_band="8_12", service="cp")
            meeting = Meeting(meeting_ref=f"BENCH-FORMS-{n}", child=child, meeting_type="cp_conference",
                              starts_at=utcnow() + timedelta(days=10))
            person = Participant(meeting=meeting, role="child", display_name=f"Bench Child {n}", age_band="8_12",
                                 language="en", preferred_channel="web", easy_read=True)
            db.session.add_all([child, meeting, person])
            invitation, token = create_invitation(person, SURVEY_ID, 1, utcnow() + timedelta(days=7), channel="web")
            invitation.status = "sent"
            tokens.append(token)
        db.session.commit()
        db.engine.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(target: str, env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    proc = subprocess.Popen(
        [gunicorn, "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(ROOT), target],
        env=env, stdout=subprocess.DEVNULL, stderr=log.open("ab"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn {target} exited: {log.read_text(errors='replace')[-2000:]}") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn {target} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


# Clients -----------------------------------------------------------------------------------

class Client:
    """One person's browser: a keep-alive connection and a cookie jar of one cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data


def run_phase(port: int, make_step, seconds: float) -> tuple[list[float], int]:
    """CLIENTS threads each repeat their step for `seconds`; returns latencies (s) and errors."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS + 1)

    def worker(n: int) -> None:
        nonlocal errors
        client = Client(port)
        step = make_step(n, client)
        mine: list[float] = []
        bad = 0
        start.wait()
        stop_at = time.perf_counter() + seconds
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            ok = step()
            mine.append(time.perf_counter() - t0)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    start.wait()
    for t in threads:
        t.join()
    return latencies, errors


def measured(name: str, port: int, make_step, seconds: float) -> dict:
    """One phase: its throughput and latency summary, and the CPU it cost per request."""
    meter = CpuMeter()
    latencies, errors = run_phase(port, make_step, seconds)
    row = summary(name, latencies, errors, seconds)
    row["cpu"] = meter.per_request_ms(row["n"])
    return row


def summary(name: str, latencies: list[float], errors: int, seconds: float) -> dict:
    ordered = sorted(latencies)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"name": name, "n": len(ordered), "rps": len(ordered) / seconds, "p50": p(0.50), "p95": p(0.95),
            "mean": statistics.fmean(ordered) * 1000, "errors": errors}


# Bytes of a first visit --------------------------------------------------------------------

def first_visit_bytes(port: int, path: str) -> list[tuple[str, int, int]]:
    """Every resource a first visit loads: (url, raw bytes, gzip -6 bytes)."""
    client = Client(port)
    status, html = client.request("GET", path)
    assert status == 200, status
    seen: list[tuple[str, int, int]] = [(path, len(html), len(gzip.compress(html, 6)))]
    text = html.decode("utf-8")
    refs = re.findall(r'<link[^>]+rel="(?:stylesheet|icon)"[^>]*href="([^"]+)"', text)
    refs += re.findall(r'<script[^>]+src="([^"]+)"', text)
    queue = list(dict.fromkeys(refs))
    done = set()
    while queue:
        ref = queue.pop(0)
        url = urlparse(urljoin(path, ref)).path
        if url in done:
            continue
        done.add(url)
        status, body = client.request("GET", url)
        if status != 200:
            continue
        seen.append((url, len(body), len(gzip.compress(body, 6))))
        if url.endswith(".css"):  # fonts and images the CSS pulls in (none with the Arial stack)
            for found in re.findall(r"url\(([^)]+)\)", body.decode("utf-8", "replace")):
                found = found.strip("'\"")
                if not found.startswith("data:"):
                    queue.append(urljoin(url, found))
        if url.endswith(".js"):  # module imports
            for found in re.findall(r"""(?:import|from)\s*['"](\.[^'"]+)['"]""", body.decode("utf-8", "replace")):
                queue.append(urljoin(url, found))
    return seen


# Main --------------------------------------------------------------------------------------

def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="voice-bench-forms-"))
    url, kind = database_url(tmp)
    env = environment(url, tmp)
    store = Memcached() if shutil.which("memcached") else None  # as in production: a shared rate-limit store
    if store:
        env["RATELIMIT_STORAGE_URI"] = store.uri
    try:
        return _run(tmp, url, kind, env, "memcached" if store else "each process (memcached is not installed)")
    finally:
        if store:
            store.stop()


def _run(tmp: Path, url: str, kind: str, env: dict, limits: str) -> int:
    tokens = prepare(url, env)
    page_path = f"/r/{tokens[0]}/q/{QUESTION}"

    app_proc, app_port = start_gunicorn("voice_service:create_app()", env, tmp / "app.log")
    try:
        _, sample = Client(app_port).request("GET", page_path)
        (tmp / "bare.html").write_bytes(sample)
        env["BENCH_BARE_PAGE"] = str(tmp / "bare.html")
        bare_proc, bare_port = start_gunicorn("bench_forms:bare_app()", env, tmp / "bare.log")
        try:
            warm = lambda port, path: [Client(port).request("GET", path) for _ in range(20)]  # noqa: E731
            warm(bare_port, "/static-page")
            warm(app_port, page_path)

            def bare_step(n, client):
                return lambda: client.request("GET", "/static-page")[0] == 200

            bare = measured("bare Flask static page (reference)", bare_port, bare_step, SECONDS)
        finally:
            stop(bare_proc)

        def page_step(n, client):
            path = f"/r/{tokens[n]}/q/{QUESTION}"
            return lambda: client.request("GET", path)[0] == 200

        page = measured("question page GET", app_port, page_step, SECONDS)

        def submit_step(n, client):
            path = f"/r/{tokens[n]}/q/{QUESTION}"
            status, body = client.request("GET", path)
            csrf = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1).decode()
            turn = {"i": 0}

            def step():
                turn["i"] += 1
                answer = ANSWERS[turn["i"] % 2]
                status, _ = client.request("POST", path, f"csrf_token={csrf}&answer={answer}")
                return status == 302

            return step

        submit = measured("answer submission POST (saved and committed)", app_port, submit_step, SECONDS)
        resources = first_visit_bytes(app_port, page_path)
    finally:
        stop(app_proc)

    total_raw = sum(r[1] for r in resources)
    total_gz = sum(r[2] for r in resources)
    print(f"bench_forms: the public form under load, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; database: {kind}")
    print(f"server: gunicorn {WORKERS} workers x {THREADS} threads (gthread) on 127.0.0.1; "
          f"{CLIENTS} client threads, keep-alive, {SECONDS:.0f} s per phase; rate limits in {limits}")
    print()
    print(f"{'':46} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'errors':>7}")
    for row in (bare, page, submit):
        print(f"{row['name']:46} {row['rps']:8.0f} {row['p50']:8.1f} {row['p95']:8.1f} {row['mean']:8.1f} {row['errors']:7d}")
    print()
    print("where the CPU goes (2 shared cores; server = gunicorn, stores = database and memcached, client = this):")
    for row in (bare, page, submit):
        print(cpu_line(row["name"], row["cpu"]))
    print()
    page_ratio = page["rps"] / bare["rps"]
    submit_ratio = submit["rps"] / bare["rps"]
    print(f"question page throughput / bare: {page_ratio:.0%}")
    print(f"submission throughput / bare:    {submit_ratio:.0%}  (target at least {TARGET_SUBMIT_RATIO:.0%}: "
          f"{'met' if submit_ratio >= TARGET_SUBMIT_RATIO else 'NOT met'})")
    print(f"server time per question page:   {page['mean']:.1f} ms mean vs {bare['mean']:.1f} ms bare "
          f"({page['mean'] / bare['mean']:.1f}x)")
    print(f"server time per submission:      {submit['mean']:.1f} ms mean vs {bare['mean']:.1f} ms bare "
          f"({submit['mean'] / bare['mean']:.1f}x)")
    print()
    print("first visit to a question page (gzip -6, as the proxy serves it):")
    for path, raw, gz in resources:
        shown = re.sub(r"/r/[^/]+/", "/r/<token>/", path)
        print(f"  {shown:48} {raw / 1024:7.1f} KB raw {gz / 1024:7.1f} KB gzip")
    print(f"  {'total':48} {total_raw / 1024:7.1f} KB raw {total_gz / 1024:7.1f} KB gzip "
          f"(target under {TARGET_FIRST_PAGE_KB:.0f} KB: {'met' if total_gz / 1024 < TARGET_FIRST_PAGE_KB else 'NOT met'})")
    shutil.rmtree(tmp, ignore_errors=True)
    errors = bare["errors"] + page["errors"] + submit["errors"]
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
