"""`flask report monthly --month 2026-10 [--out DIR]`: the QA service's monthly audit report.

Writes report.html (print it, or save it as PDF from a browser) and CSV files to
REPORTS_DIR/<month>/ or --out. Progress goes to standard error; the paths written to standard
output, one a line.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import with_appcontext

from voice_service.analysis.report import build_monthly, parse_month, write_monthly


@click.group("report")
def report_cli() -> None:
    """Reports for the Quality Assurance service."""


def _month_option(ctx, param, value: str) -> str:
    try:
        return parse_month(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@report_cli.command("monthly")
@click.option("--month", required=True, callback=_month_option, help="The month to report on, like 2026-10.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, writable=True),
              help="Folder for the files (default: REPORTS_DIR/<month>).")
@with_appcontext
def monthly_command(month: str, out_dir: str | None) -> None:
    """Write the monthly audit report: response rates, themes, quotes, alerts, actions."""
    def progress(message: str) -> None:
        click.echo(f"report {month}: {message}", err=True)

    threshold = int(current_app.config["SUPPRESSION_THRESHOLD"])
    target = int(current_app.config.get("ALERT_ESCALATE_AFTER_MINUTES", 60))
    report = build_monthly(month, threshold, alert_target_minutes=target, progress=progress)
    folder = Path(out_dir) if out_dir else Path(current_app.config["REPORTS_DIR"]) / month
    try:
        paths = write_monthly(report, folder, lambda r: render_template("reports/monthly.html", report=r), progress)
    except OSError as exc:
        raise click.ClickException(f"could not write the report to {folder}: {exc.strerror or exc}") from None
    for path in paths:
        click.echo(str(path))
    progress(f"done: {len(paths)} files in {folder}")


def monthly_report_job(now=None) -> dict:
    """The clock's `monthly-report` job (06:00 on the 1st, London time): the previous month's
    report into REPORTS_DIR/<month>/, as `report monthly` writes it. Returns what it wrote."""
    from datetime import timedelta

    from voice_service.models import utcnow
    from voice_service.scheduling.calendar import LONDON

    first_of_month = (now or utcnow()).astimezone(LONDON).date().replace(day=1)
    month = (first_of_month - timedelta(days=1)).strftime("%Y-%m")
    threshold = int(current_app.config["SUPPRESSION_THRESHOLD"])
    target = int(current_app.config.get("ALERT_ESCALATE_AFTER_MINUTES", 60))
    report = build_monthly(month, threshold, alert_target_minutes=target)
    folder = Path(current_app.config["REPORTS_DIR"]) / month
    paths = write_monthly(report, folder, lambda r: render_template("reports/monthly.html", report=r))
    return {"month": month, "folder": str(folder), "files": sorted(path.name for path in paths)}
