"""Load, long mode: two gunicorn servers and two clock processes on one PostgreSQL, mixed traffic.

    python bench/bench_load.py --minutes N      (default 1; `make bench` runs the default)

The same traffic and checks as the suite's short run (tests/load/traffic.py): form respondents
answering page by page, web chat, signed SMS webhooks (one in five delivered twice, as a Twilio
retry), chairs reading the meetings list and meeting pages, while two clocks send the scheduled
texts that come due throughout. Loopback only, bounded in time, stops by itself.

Printed: throughput and latency percentiles, overall and per kind of request, against the
reference measured in the same run on the same two servers: as many threads asking GET /healthz
(one SELECT 1) as fast as they can. Then the checks: no 5xx or failed request, every
acknowledged answer and text stored exactly once, every scheduled text due sent exactly once.
Exits 1 when a check fails.

Database: voice_bench_load beside BENCH_DATABASE_URL, made afresh each run.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import bench_database  # noqa: E402


def machine() -> str:
    return f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"


def line(name: str, figures: dict, reference: dict | None = None) -> str:
    text = (f"  {name:<20} {figures.get('requests', 0):>6} req   p50 {figures['p50_ms'] or 0:>7.1f} ms   "
            f"p95 {figures['p95_ms'] or 0:>7.1f} ms   p99 {figures['p99_ms'] or 0:>7.1f} ms")
    if reference and reference.get("p95_ms") and figures.get("p95_ms"):
        text += f"   p95 ÷ reference p95: {figures['p95_ms'] / reference['p95_ms']:.1f}x"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="how long the mixed traffic runs (default 1)")
    parser.add_argument("--reference-seconds", type=float, default=15.0, help="how long the /healthz reference runs")
    args = parser.parse_args()
    seconds = max(args.minutes * 60, 10)

    os.environ.setdefault("VOICE_ENV", "test")
    from flask_migrate import upgrade

    from tests.load.traffic import (build_population, check_database, clocks, finish_dispatch, reference_rate,
                                    run_traffic, web_servers)
    from voice_service import create_app

    url = bench_database("voice_bench_load", fresh=True)
    workdir = tempfile.mkdtemp(prefix="voice-bench-load-")
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": workdir,
                      "REPORTS_DIR": f"{workdir}/reports", "MODEL_PATH": f"{workdir}/model.joblib"})
    with app.app_context():
        upgrade()
        population = build_population(seconds=seconds, scheduled=int(4 * seconds))
        people = len(population.forms) + len(population.chats) + len(population.texters) + len(population.staff)
        store, env = None, {}
        if shutil.which("memcached"):  # as in production: the servers share their rate limits
            from tests.support.memcached import Memcached

            store = Memcached()
            env["RATELIMIT_STORAGE_URI"] = store.uri
        try:
            with web_servers(url, count=2, log_dir=workdir, **env) as servers:
                reference = reference_rate(servers, args.reference_seconds, threads=people)
                with clocks(url, population.fake_start, seconds + 2) as clock_totals:
                    record = run_traffic(servers, population, seconds)
        finally:
            if store is not None:
                store.stop()
        finish_dispatch(population, seconds)
        problems = check_database(population, record)
        problems += [f"a clock failed: {c}" for c in clock_totals if c.get("exit") != 0 or c.get("errors")]
        summary = record.summary()

    print("Load: 2 gunicorn servers (1 worker x 4 threads each) + 2 clock processes, one PostgreSQL, loopback")
    print(f"Run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()}")
    print(f"People: {len(population.forms)} form, {len(population.chats)} chat, {len(population.texters)} texting, "
          f"{len(population.staff)} staff; {len(population.scheduled)} scheduled texts due in the run; "
          f"rate-limit store: {'memcached' if env else 'per process'}")
    print()
    print(f"Reference, GET /healthz from {people} threads for {reference['seconds']} s: "
          f"{reference['per_second']} req/s, p50 {reference['p50_ms']} ms, p95 {reference['p95_ms']} ms")
    print(f"Mixed traffic for {summary['seconds']} s: {summary['per_second']} req/s offered (people pause "
          f"between requests, so this is the load carried, not the capacity), "
          f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms "
          f"(p95 {summary['p95_ms'] / reference['p95_ms']:.1f}x the reference p95)")
    for kind, figures in summary["by_kind"].items():
        print(line(kind, figures, reference))
    print()
    sent = sum(c.get("sent", 0) for c in clock_totals)
    print(f"Acknowledged: {summary['answers_acknowledged']} form answers, {summary['texts_acknowledged']} texts; "
          f"scheduled texts sent by the clocks during the run: {sent} "
          f"({', '.join(str(c.get('sent')) for c in clock_totals)})")
    print(f"Failed requests (5xx or broken): {summary['failures']}")
    if problems:
        print("CHECKS FAILED:")
        for problem in problems:
            print("  - " + problem)
        return 1
    print("Checks: every acknowledged answer and text stored exactly once; every scheduled text sent exactly once; no 5xx")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
