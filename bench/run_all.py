"""`make bench`: run every bench/bench_*.py and write bench/RESULTS.md.

Each benchmark prints its own figures with the reference it measured in the same run and the
ratio between them (absolute numbers on a shared machine mean little; ratios travel). This
script only runs them one after another, with PostgreSQL started, and records what they printed
with the machine and the date, so later changes can be compared.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()} · {os.cpu_count()} cores · {cpu or platform.processor()} · Python {platform.python_version()}"


def postgres_env() -> dict:
    env = dict(os.environ)
    try:
        out = subprocess.run([str(ROOT / "tools/start_postgres.sh")], capture_output=True, text=True, check=True).stdout
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"PostgreSQL not started ({exc}); PostgreSQL figures will be missing", file=sys.stderr)
        return env
    for line in out.splitlines():
        if line.startswith("export "):
            for pair in line[len("export "):].split():
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def main(argv: list[str]) -> int:
    only = set(argv)
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not only or p.stem in only or p.name in only)
    env = postgres_env()
    sections = []
    failed = 0
    for i, script in enumerate(scripts, 1):
        print(f"[{i}/{len(scripts)}] {script.name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800)
        took = time.monotonic() - started
        status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        failed += proc.returncode != 0
        print(proc.stdout, flush=True)
        if proc.returncode:
            print(proc.stderr[-3000:], file=sys.stderr)
        sections.append(f"## {script.name} ({status}, {took:.0f} s)\n\n```\n{proc.stdout.strip()}\n```\n")
    header = (
        "# Benchmark results\n\n"
        f"Written by `make bench` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.\n\n"
        f"Machine: {machine()}\n\n"
        "Every figure is printed next to a reference measured in the same run on the same machine; "
        "compare ratios between runs, not raw numbers.\n\n"
    )
    (HERE / "RESULTS.md").write_text(header + "\n".join(sections), encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
