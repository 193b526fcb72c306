"""``flask scheduler run`` (the clock process) and ``flask scheduler tick`` (each due job once)."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from voice_service.scheduling.clock import JOB_IDS, JOBS, build_blocking_scheduler, due_jobs, run_job


@click.group("scheduler")
def scheduler_cli() -> None:
    """The clock: send scheduled messages, expire invitations, retention, monthly report."""


@scheduler_cli.command("run")
@with_appcontext
def run_command() -> None:
    """Run the clock until stopped (the Procfile's `clock` process). One per deployment is
    enough; more are safe (rows are claimed under a lock). Never inside a web worker."""
    app = current_app._get_current_object()
    scheduler = build_blocking_scheduler(app)

    def stop(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"clock started with jobs: {', '.join(JOB_IDS)}")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)  # let a send in flight finish and record its SID
        click.echo("clock stopped")


@scheduler_cli.command("tick")
@click.option("--job", "jobs", multiple=True, type=click.Choice(JOB_IDS), help="Run this job (repeatable).")
@click.option("--all", "run_all", is_flag=True, help="Run every job.")
@click.option("--window", default=60, show_default=True,
              help="Seconds since the last tick: jobs whose time came within it are run.")
@with_appcontext
def tick_command(jobs: tuple[str, ...], run_all: bool, window: int) -> None:
    """Run each due job once and exit (for cron-style hosts, and tests).

    With no option, runs the jobs whose schedule fired in the last WINDOW seconds: called every
    minute it runs the dispatcher every time, retention at 02:30 and the report on the 1st.
    """
    app = current_app._get_current_object()
    if run_all:
        chosen = list(JOBS)
    elif jobs:
        chosen = [job for job in JOBS if job.id in jobs]
    else:
        chosen = due_jobs(datetime.now(UTC), timedelta(seconds=window))
    failed = 0
    for job in chosen:
        ok, result = run_job(app, job)
        failed += not ok
        summary = json.dumps(result, default=str) if ok else result
        click.echo(f"{job.id}: {'ok' if ok else 'FAILED'} {summary}")
    if failed:
        raise SystemExit(1)


@scheduler_cli.command("replan")
@with_appcontext
def replan_command() -> None:
    """Plan every open invitation's texts again with the current settings.

    Run it after changing QUIET_HOURS, REMINDER_WORKING_DAYS and the like: pending texts move to
    the new times (texts already sent are never touched). Covers open invitations and any
    invitation with a text still pending.
    """
    from voice_service.extensions import db
    from voice_service.scheduling.service import plan_invitation_messages
    from voice_service.store.invitations import invitation_by_id
    from voice_service.store.scheduled import invitation_ids_to_replan

    ids = invitation_ids_to_replan()
    changed = 0
    for n, invitation_id in enumerate(ids, 1):
        changed += not plan_invitation_messages(invitation_by_id(invitation_id)).is_empty
        if n % 200 == 0:
            db.session.commit()
    db.session.commit()
    click.echo(f"re-planned {len(ids)} invitations; {changed} changed")
