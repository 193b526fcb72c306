"""Real processes for fault and load tests: gunicorn web workers and clock processes.

They share the test database (TEST_DATABASE_URL) with the test itself, so the test can check
what reached the database after a process was killed or the database restarted.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(database_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(
        VOICE_ENV="development",  # dev outbox, dev keys; the test's own settings below
        DATABASE_URL=database_url,
        PUBLIC_BASE_URL="http://localhost",
        TWILIO_AUTH_TOKEN="test-auth-token",
        SMS_SENDER="outbox",
        RUN_SCHEDULER_IN_PROCESS="0",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout} s: {last}")


@contextmanager
def gunicorn(database_url: str, workers: int = 2, port: int | None = None, log_path: str | None = None, **env):
    """A real gunicorn serving create_app(); yields the base URL; stopped (or killed) after."""
    port = port or free_port()
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", "4", "--bind", f"127.0.0.1:{port}",
         "--graceful-timeout", "2", "--timeout", "30", "voice_service:create_app()"],
        cwd=ROOT, env=service_env(database_url, **env), stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/healthz")
        yield proc, base
    finally:
        stop(proc)
        if log_path:
            log.close()


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        _signal_and_wait(proc, sig)
    finally:
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream:
                stream.close()


def _signal_and_wait(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def kill_hard(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group: no cleanup, no flush, like a machine dying."""
    stop(proc, signal.SIGKILL)


def flask_command(database_url: str, *args: str, timeout: float = 180, **env) -> subprocess.CompletedProcess:
    """Run `flask --app voice_service ARGS` against the database; returns when it exits."""
    return subprocess.run(
        [str(BIN / "flask"), "--app", "voice_service", *args], cwd=ROOT,
        env=service_env(database_url, **env), capture_output=True, text=True, timeout=timeout,
    )
