"""A memcached of the test's own on loopback: the rate-limit store shared by several web processes.

.ci/run installs Debian's `memcached`. Without it the tests that need it are skipped on a
developer's machine and fail in CI (CI=true), so a missing install step cannot hide.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest

from tests.support.processes import free_port


def memcached_binary() -> str:
    found = shutil.which("memcached") or ("/usr/bin/memcached" if os.path.exists("/usr/bin/memcached") else None)
    if found is None:
        message = "memcached is not installed (apt-get install memcached; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


class Memcached:
    """memcached on 127.0.0.1; `uri` is its RATELIMIT_STORAGE_URI."""

    def __init__(self) -> None:
        port = free_port()
        command = [memcached_binary(), "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "16"]
        if os.geteuid() == 0:
            command += ["-u", "nobody"]  # memcached refuses to run as root without a user to drop to
        self.uri = f"memcached://127.0.0.1:{port}"
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("memcached did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc.stderr:
            self.proc.stderr.close()


@contextmanager
def memcached():
    """Start memcached on loopback; yield it (its .uri for RATELIMIT_STORAGE_URI); stop it after."""
    server = Memcached()
    try:
        yield server
    finally:
        server.stop()
