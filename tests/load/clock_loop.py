"""A clock process for the load runs: the real dispatcher (dev outbox sender, real composer)
every half second, until its time is up or it is stopped.

    python -m tests.load.clock_loop DB_URL FAKE_START_ISO REAL_START_EPOCH SECONDS

Its clock reads FAKE_START + (time since REAL_START_EPOCH): the same for every clock process, on
a weekday late morning, so the texts are not held back by quiet hours whenever the run happens.
Prints "ready" once the app is built, and one JSON line of totals when it stops.
"""
from __future__ import annotations

import json
import signal
import sys
import time
from datetime import datetime, timedelta

from voice_service import create_app
from voice_service.extensions import db
from voice_service.messaging import compose_scheduled, get_sender
from voice_service.scheduling.dispatch import dispatch_due


def main(argv: list[str]) -> None:
    url, fake_start, real_start, seconds = argv[0], datetime.fromisoformat(argv[1]), float(argv[2]), float(argv[3])
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": "/tmp/voice-load-clock"})
    print("ready", flush=True)
    totals = {"ticks": 0, "sent": 0, "deferred": 0, "failed": 0, "errors": 0}
    deadline = time.monotonic() + seconds
    while not stopping and time.monotonic() < deadline:
        now = fake_start + timedelta(seconds=time.time() - real_start)
        with app.app_context():
            try:
                report = dispatch_due(get_sender(app), compose_scheduled, now=now, batch_size=10)
                for key in ("sent", "deferred", "failed"):
                    totals[key] += getattr(report, key)
            except Exception as error:  # counted and reported: the test fails on any
                totals["errors"] += 1
                print(f"dispatch error: {type(error).__name__}", file=sys.stderr, flush=True)
                db.session.rollback()
            finally:
                db.session.remove()
        totals["ticks"] += 1
        time.sleep(0.5)
    print(json.dumps(totals), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
