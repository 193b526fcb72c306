"""The clock: a handful of fixed-id jobs, run by APScheduler or once by ``scheduler tick``.

APScheduler only decides *when* to look; what is due lives in our tables (``scheduled_message``,
invitation expiry dates), so every job is safe to run twice, in two processes, or late.

| job id | when (London time) | what |
|---|---|---|
| ``dispatch-due-messages`` | every minute | send the scheduled texts that are due |
| ``close-expired-invitations`` | every 15 minutes | expire open invitations past their expiry |
| ``plan-meeting-quality`` | hourly, at :37 | after each meeting held, the questionnaire on how it went |
| ``nightly-retention`` | 02:30 every day | remove identifiable data past the retention period |
| ``monthly-report`` | 06:00 on the 1st | the Quality Assurance monthly report |
| ``monthly-pack`` | 06:30 on the 1st to 7th | the QA Executive's pack, on the first working day only |

Job targets are ``"module:function"`` strings called with no arguments inside an app context;
``SCHEDULER_JOB_TARGETS`` (a dict of job id -> target) in the app config replaces any of them.
A target that cannot be imported is logged and skipped, never a crash of the clock.
"""

from __future__ import annotations

import importlib
import logging
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app

from voice_service.scheduling.calendar import LONDON

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    cron: dict[str, Any]
    target: str
    description: str
    run_at_start: bool = False  # catch up at once when the clock starts after downtime

    def trigger(self) -> CronTrigger:
        return CronTrigger(timezone=LONDON, **self.cron)


JOBS: tuple[Job, ...] = (
    Job("dispatch-due-messages", {"minute": "*"}, "voice_service.scheduling.clock:dispatch_job",
        "send the scheduled texts that are due", run_at_start=True),
    Job("close-expired-invitations", {"minute": "*/15"}, "voice_service.scheduling.clock:close_expired_job",
        "expire open invitations past their expiry", run_at_start=True),
    Job("escalate-safeguarding-alerts", {"minute": "*/5"}, "voice_service.alerts:escalation_job",
        "escalate safeguarding alerts nobody has acknowledged in time", run_at_start=True),
    Job("refer-advocacy-requests", {"minute": "*/5"}, "voice_service.advocacy:referral_job",
        "send new advocate requests to the advocacy service", run_at_start=True),
    Job("plan-meeting-quality", {"minute": 37}, "voice_service.meeting_quality:plan_job",
        "after each meeting, the questionnaire on how it went", run_at_start=True),
    Job("count-closed-months", {"minute": "5-59/15"}, "voice_service.analysis.rollups:refresh_job",
        "keep the counts of closed months for the trends pages: changed months again, every month daily",
        run_at_start=True),
    Job("nightly-retention", {"hour": 2, "minute": 30}, "voice_service.data_protection:apply_retention",
        "remove identifiable data past the retention period"),
    Job("monthly-report", {"day": 1, "hour": 6, "minute": 0}, "voice_service.analysis.report_cli:monthly_report_job",
        "the Quality Assurance monthly report"),
    Job("monthly-pack", {"day": "1-7", "hour": 6, "minute": 30}, "voice_service.analysis.pack_job:monthly_pack_job",
        "the QA Executive's monthly pack, on the month's first working day"),
    Job("retrain-analysis-model", {"day_of_week": "sun", "hour": 3, "minute": 0}, "voice_service.analysis.retrain:retrain_job",
        "retrain from the review queue's labels; goes live only through the evaluation gate"),
)
JOB_IDS = tuple(job.id for job in JOBS)

#: Where the dispatcher gets its sender and the words of each text (overridable in config).
DEFAULT_SENDER_FACTORY = "voice_service.messaging:get_sender"      # get_sender(app) -> Sender
DEFAULT_COMPOSER = "voice_service.messaging:compose_scheduled"      # compose(row, invitation) -> str


class Unavailable(RuntimeError):
    """A job's target (or the sender) is not installed yet."""


def _import(target: str) -> Callable[..., Any]:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attribute)
    except (ImportError, AttributeError) as error:
        raise Unavailable(f"{target} is not available ({error})") from error


def job_target(app: Flask, job: Job) -> str:
    return dict(app.config.get("SCHEDULER_JOB_TARGETS") or {}).get(job.id, job.target)


# --------------------------------------------------------------------------------------------
# the jobs of our own


def dispatch_job() -> dict[str, Any]:
    """Send what is due through the configured sender."""
    from voice_service.scheduling.dispatch import dispatch_due

    app = current_app
    factory = _import(app.config.get("SCHEDULER_SENDER_FACTORY") or DEFAULT_SENDER_FACTORY)
    compose = _import(app.config.get("SCHEDULER_COMPOSER") or DEFAULT_COMPOSER)
    return dispatch_due(factory(app), compose).as_dict()


def close_expired_job() -> dict[str, Any]:
    from voice_service.scheduling.dispatch import close_expired_invitations

    return {"expired": close_expired_invitations()}


# --------------------------------------------------------------------------------------------
# running a job


def run_job(app: Flask, job: Job) -> tuple[bool, Any]:
    """Run one job once inside an app context. Returns (ok, result or error text); never raises."""
    from voice_service.extensions import db

    started = _time.monotonic()
    with app.app_context():
        try:
            result = _import(job_target(app, job))()
        except Unavailable as error:
            log.error("clock job skipped: not available", extra={"job": job.id, "error": str(error)})
            return False, str(error)
        except Exception as error:  # a job failing must not stop the clock
            db.session.rollback()
            log.exception("clock job failed", extra={"job": job.id})
            return False, f"{type(error).__name__}: {error}"
        finally:
            db.session.remove()
    log.info("clock job done", extra={"job": job.id, "seconds": round(_time.monotonic() - started, 3)})
    return True, result


def due_jobs(now: datetime, window: timedelta = timedelta(minutes=1), jobs: Iterable[Job] = JOBS) -> list[Job]:
    """The jobs whose schedule fired in ``(now - window, now]``: what a cron-style host that
    calls ``scheduler tick`` every ``window`` should run now."""
    due = []
    for job in jobs:
        fire = job.trigger().get_next_fire_time(None, now - window + timedelta(microseconds=1))
        if fire is not None and fire <= now:
            due.append(job)
    return due


def add_jobs(scheduler: BaseScheduler, app: Flask, now: datetime | None = None) -> None:
    """Add every job with its fixed id (``replace_existing=True``: restarting never doubles)."""
    now = now or datetime.now(UTC)
    for job in JOBS:
        options: dict[str, Any] = {}
        if job.run_at_start:
            options["next_run_time"] = now
        scheduler.add_job(
            run_job, trigger=job.trigger(), args=(app, job), id=job.id, name=job.description,
            replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=300, **options,
        )


def build_blocking_scheduler(app: Flask):
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=LONDON)
    add_jobs(scheduler, app)
    return scheduler


__all__ = [
    "JOBS",
    "JOB_IDS",
    "Job",
    "add_jobs",
    "build_blocking_scheduler",
    "close_expired_job",
    "dispatch_job",
    "due_jobs",
    "run_job",
]
