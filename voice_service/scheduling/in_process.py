"""The clock inside the development server (`make run`), so the demo sends on schedule.

Never in production or in a gunicorn worker: there the Procfile's `clock` process runs the
same jobs (`flask scheduler run`). Started once per process; with the reloader, only in the
child that serves requests.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading

from flask import Flask

log = logging.getLogger(__name__)

_lock = threading.Lock()
_scheduler = None


def start(app: Flask):
    """Start a background scheduler with the clock's jobs; returns it (or None if refused)."""
    global _scheduler
    if app.config.get("ENV_NAME") == "production":
        log.error("RUN_SCHEDULER_IN_PROCESS is ignored in production: run the clock process")
        return None
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None  # the reloader's watcher process: the child will start it
    with _lock:
        if _scheduler is not None:
            return _scheduler
        from apscheduler.schedulers.background import BackgroundScheduler

        from voice_service.scheduling.calendar import LONDON
        from voice_service.scheduling.clock import add_jobs

        scheduler = BackgroundScheduler(timezone=LONDON, daemon=True)
        add_jobs(scheduler, app)
        scheduler.start()
        atexit.register(lambda: scheduler.running and scheduler.shutdown(wait=False))
        _scheduler = scheduler
        log.info("in-process scheduler started")
        return scheduler


def stop() -> None:
    global _scheduler
    with _lock:
        if _scheduler is not None and _scheduler.running:
            _scheduler.shutdown(wait=False)
        _scheduler = None
