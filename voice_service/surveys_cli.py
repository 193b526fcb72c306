"""`flask surveys check` and `flask surveys list`: for the council's editors and for CI."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from voice_service.survey_validation import inspect_surveys

surveys_cli = AppGroup("surveys", help="Check and list the survey definitions in surveys/.")


def _folder(directory: str | None) -> str:
    return directory or current_app.config["SURVEYS_DIR"]


@surveys_cli.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Survey folder (default: SURVEYS_DIR).")
def check_command(directory: str | None) -> None:
    """Check every survey file; list each problem and exit 1 if there is any.

    Every survey must be in every language of LANGUAGES (offered, or a draft awaiting a
    qualified translator), with every string translated and every text within its SMS budget.
    """
    report = inspect_surveys(_folder(directory), current_app.config.get("SURVEYS_TRANSLATIONS_DIR"),
                             required_languages=current_app.config["LANGUAGES"])
    if report.problems:
        for problem in report.problems:
            click.echo(problem)
        click.echo(f"\n{len(report.problems)} problem(s) in the survey files; nothing was changed.", err=True)
        raise SystemExit(1)
    languages = sorted({lang for s in report.surveys for lang in s.languages})
    drafts = sorted({lang for s in report.surveys for lang in s.draft_languages})
    meeting_types = sorted({mt for s in report.surveys for mt in s.meeting_types})
    questions = sum(len(s.questions) for s in report.surveys)
    click.echo(
        f"{len(report.surveys)} surveys, {questions} questions, {len(report.shared_files)} shared files; "
        f"meeting types: {', '.join(meeting_types)}; languages: {', '.join(languages)}"
        + (f" (draft: {', '.join(drafts)})" if drafts else "")
    )
    click.echo(f"all {len(report.survey_files)} survey files are valid")


@surveys_cli.command("list")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Survey folder (default: SURVEYS_DIR).")
def list_command(directory: str | None) -> None:
    """A table of every valid survey: id, version, meeting types, audience, languages."""
    report = inspect_surveys(_folder(directory), current_app.config.get("SURVEYS_TRANSLATIONS_DIR"))
    rows = [("id", "version", "meeting types", "audience", "languages")]
    for s in sorted(report.surveys, key=lambda s: (s.id, s.version)):
        languages = ", ".join(s.languages) + (f" (draft: {', '.join(s.draft_languages)})" if s.draft_languages else "")
        audience = f"{'/'.join(s.roles)} {'/'.join(s.age_bands)}" + (" easy-read" if s.easy_read else "")
        rows.append((s.id, str(s.version), ", ".join(s.meeting_types), audience, languages))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
    if report.problems:
        click.echo(f"\n{len(report.problems)} problem(s): run `flask surveys check` to see them", err=True)
