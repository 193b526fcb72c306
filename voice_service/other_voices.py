"""Voices from other sources (issue 18, item 8): feedback gathered in learning conversations
(case audits), complaints and compliments, and forums (the Children in Care Council, the Family
Advisory Group, the Parent and Carer panel), recorded one at a time or imported from a CSV by
staff. Each is coded by the same analysis as answers (analysis.pipeline.classify, with the
instance model) into the same themes and sentiment, and counted by source in trends_by_source.

CSV columns: source, gathered_on (YYYY-MM-DD), text; optional service, team. Every bad row is
reported with its line and reason; the good ones are imported. Never a name: staff are asked to
leave names out, and the words are encrypted at rest like answers.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from voice_service import audit
from voice_service.extensions import db
from voice_service.models import SourceFeedback, User
from voice_service.vocab import SERVICES

SOURCES = {
    "learning_conversation": "Learning conversation (case audit)",
    "complaint": "Complaint",
    "compliment": "Compliment",
    "children_in_care_council": "Children in Care Council",
    "family_advisory_group": "Family Advisory Group",
    "parent_carer_panel": "Parent and Carer panel",
}
COLUMNS = ("source", "gathered_on", "text")
OPTIONAL = ("service", "team")
MAX_TEXT = 4000
MAX_ROWS = 20_000


class FeedbackRefused(ValueError):
    """What is wrong with one piece of feedback, in words for staff."""


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    problems: list[str] = field(default_factory=list)


def _checked(source: str, gathered_on, text: str, service: str | None, team: str | None) -> tuple:
    source = (source or "").strip()
    if source not in SOURCES:
        raise FeedbackRefused(f"source: must be one of {', '.join(SOURCES)}")
    if isinstance(gathered_on, str):
        try:
            gathered_on = date.fromisoformat(gathered_on.strip())
        except ValueError:
            raise FeedbackRefused("gathered_on: enter the date as YYYY-MM-DD") from None
    if not isinstance(gathered_on, date):
        raise FeedbackRefused("gathered_on: enter the date it was gathered")
    if gathered_on > date.today():
        raise FeedbackRefused("gathered_on: the date cannot be in the future")
    text = (text or "").strip()
    if not text:
        raise FeedbackRefused("text: enter what was said")
    if len(text) > MAX_TEXT:
        raise FeedbackRefused(f"text: must be {MAX_TEXT} characters or fewer")
    service = (service or "").strip() or None
    if service is not None and service not in SERVICES:
        raise FeedbackRefused(f"service: must be one of {', '.join(SERVICES)}")
    return source, gathered_on, text, service, ((team or "").strip() or None)


def record(actor: User | None, source: str, gathered_on, text: str, service: str | None = None,
           team: str | None = None, model="instance") -> SourceFeedback:
    """Check, code and add one piece of feedback (audited, ids only); the caller commits."""
    from voice_service.analysis.pipeline import classify, instance_model

    source, gathered_on, text, service, team = _checked(source, gathered_on, text, service, team)
    coded = classify(text, model=instance_model() if model == "instance" else model)
    item = SourceFeedback(source=source, gathered_on=gathered_on, service=service, team=team, text=text,
                          themes=sorted(coded["themes"]), sentiment=coded["sentiment"],
                          safeguarding=bool(coded["safeguarding"]), model_version=coded["version"],
                          recorded_by_id=actor.id if actor is not None else None)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "source_feedback_recorded", item, {"source": source})
    return item


def import_csv(stream: io.TextIOBase, actor: User | None = None, model="instance") -> ImportReport:
    """Import a CSV of feedback (see the module docstring); the caller commits."""
    report = ImportReport()
    reader = csv.DictReader(stream)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        report.problems.append(f"line 1: missing column(s): {', '.join(missing)}")
        return report
    reader.fieldnames = header
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.problems.append(f"line {reader.line_num}: more than {MAX_ROWS} rows; split the file")
            break
        try:
            record(actor, row.get("source"), row.get("gathered_on") or "", row.get("text"), row.get("service"),
                   row.get("team"), model=model)
        except FeedbackRefused as refused:
            report.problems.append(f"line {reader.line_num}: {refused}")
            continue
        report.imported += 1
    return report


FORGOTTEN = "(removed after the retention period)"


def forget_words_before(cutoff: date) -> int:
    """For the nightly retention: the words of feedback gathered before `cutoff` go; its source,
    date, themes and sentiment stay for the trends. Returns how many were removed."""
    removed = 0
    for item in db.session.scalars(select(SourceFeedback).where(SourceFeedback.gathered_on < cutoff)):
        if item.text != FORGOTTEN:  # the words are encrypted: compared here, not in SQL
            item.text = FORGOTTEN
            removed += 1
    return removed


def trends_by_source(first: date, last: date) -> dict:
    """Counts for feedback gathered first..last: per source, how many, each theme and each sentiment."""
    rows = db.session.execute(select(SourceFeedback.source, SourceFeedback.themes, SourceFeedback.sentiment)
                              .where(SourceFeedback.gathered_on >= first, SourceFeedback.gathered_on <= last))
    out: dict[str, dict] = {}
    for source, themes, sentiment in rows:
        entry = out.setdefault(source, {"n": 0, "themes": Counter(), "sentiment": Counter()})
        entry["n"] += 1
        entry["themes"].update(themes or ())
        if sentiment:
            entry["sentiment"][sentiment] += 1
    return out


# Command line: flask voices import FILE.csv -----------------------------------------------------

def _cli():
    import click
    from flask.cli import with_appcontext

    @click.group("voices")
    def voices_cli() -> None:
        """Feedback from other sources: learning conversations, complaints and compliments, forums."""

    @voices_cli.command("import")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
    @with_appcontext
    def voices_import(csv_file: str) -> None:
        """Import a CSV (source, gathered_on, text[, service, team]); each row is coded into themes."""
        with open(csv_file, encoding="utf-8-sig", newline="") as stream:
            report = import_csv(stream)
        db.session.commit()
        for problem in report.problems:
            click.echo(problem, err=True)
        click.echo(f"Imported {report.imported} of {report.rows} rows.")
        if report.problems:
            raise SystemExit(1)

    return voices_cli


voices_cli = _cli()
