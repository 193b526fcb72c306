"""Load, short mode: two gunicorn servers and two clock processes on one PostgreSQL, mixed
traffic for about 20 seconds (LOAD_SECONDS to change it), then nothing lost, nothing doubled, no
error. The long mode is `python bench/bench_load.py --minutes N` (docs/reliability.md)."""
from __future__ import annotations

import json
import os
import shutil
from contextlib import nullcontext

import pytest

from tests.load.traffic import build_population, check_database, clocks, finish_dispatch, run_traffic, web_servers

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]
SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))


def _shared_store():
    """memcached when it is installed (as in CI), so the servers share their rate limits."""
    if not shutil.which("memcached"):
        return None
    from tests.support.memcached import memcached

    return memcached()


def test_mixed_traffic_on_two_web_and_two_clock_processes_loses_and_doubles_nothing(app, database_url, tmp_path,
                                                                                     record_property):
    population = build_population(seconds=SECONDS)
    store = _shared_store()
    env = {}
    with store or nullcontext() as shared:
        if shared is not None:
            env["RATELIMIT_STORAGE_URI"] = shared.uri
        with web_servers(database_url, count=2, log_dir=str(tmp_path), **env) as servers:
            with clocks(database_url, population.fake_start, SECONDS + 2) as clock_totals:
                record = run_traffic(servers, population, SECONDS)
    finish_dispatch(population, SECONDS)
    summary = record.summary()
    summary["clocks"] = [{k: v for k, v in c.items() if k != "stderr"} for c in clock_totals]
    record_property("load_summary", json.dumps(summary))
    print("\nload (short mode):", json.dumps(summary, indent=1))
    logs = "".join(p.read_text(errors="replace")[-1500:] for p in tmp_path.glob("gunicorn-*.log"))

    assert summary["answers_acknowledged"] >= 20 and summary["texts_acknowledged"] >= 10, (summary, logs)
    for clock in clock_totals:
        assert clock["exit"] == 0 and clock["errors"] == 0, clock
    assert sum(c["sent"] for c in clock_totals) > 0  # both clocks raced for the same rows
    problems = check_database(population, record)
    assert problems == [], (problems, logs)

