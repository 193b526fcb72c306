"""A clock process for the concurrency tests: dispatch with a sender that logs every call.

    python -m tests.support.scheduler_worker DB_URL LOG_FILE NOW_ISO [--delay S] [--stuck-after S]

Each provider call appends the scheduled row's id to LOG_FILE with one O_APPEND write, which
survives the process being killed, so the test can count real "sends" per row.
"""
from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timedelta

from voice_service import create_app
from voice_service.scheduling.dispatch import dispatch_due


class LoggingSender:
    def __init__(self, path: str, delay: float):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.delay = delay
        self.count = 0

    def send(self, to_e164, body, invitation):
        os.write(self.fd, f"{body}\n".encode())
        self.count += 1
        if self.delay:
            time.sleep(self.delay)  # provider latency: a kill may land here
        return f"SM{os.getpid()}x{self.count:08d}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("log")
    parser.add_argument("now")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--stuck-after", type=float, default=600.0)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": args.db})
    with app.app_context():
        report = dispatch_due(
            LoggingSender(args.log, args.delay),
            lambda row, invitation: str(row.id),
            now=datetime.fromisoformat(args.now),
            batch_size=args.batch,
            stuck_after=timedelta(seconds=args.stuck_after),
        )
        print(report.as_dict(), flush=True)  # noqa: T201  (the parent test reads the report from stdout)


if __name__ == "__main__":
    main()
