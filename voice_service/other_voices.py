"""Voices from other sources (issue 18, item 8): feedback gathered in learning conversations
(case audits), complaints and compliments, and forums (the Children in Care Council, the Family
Advisory Group, the Parent and Carer panel), recorded one at a time or imported from a CSV by
staff. Each is analysed on save by the same analysis as answers (analysis.pipeline.classify, with
the instance model) into the same themes and sentiment, and read for risk as answers are: a
possible disclosure, or words in a language the analysis cannot read, raise a duty-team alert
(answers.raise_alert) in the same transaction, and the person recording it is told. Feedback the
analysis wants a person for (flagged, needing an interpreter, unsure) waits in the review queue
(analysis.review), marked with its source. The trends and the monthly pack count it as a source
of its own (analysis.other_sources), never quoting it; QA's page here counts it by source
(trends_by_source). Its queries: voice_service.store.source_feedback.

CSV columns: source, gathered_on (YYYY-MM-DD), text; optional service, team. Every bad row is
reported with its line and reason; the good ones are imported. Never a name: staff are asked to
leave names out, and the words are encrypted at rest like answers.
"""
from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from voice_service import audit
from voice_service.analysis.other_sources import SOURCE_LABELS
from voice_service.extensions import db
from voice_service.models import SourceFeedback, User
from voice_service.store import source_feedback
from voice_service.vocab import SERVICES

log = logging.getLogger(__name__)

SOURCES = SOURCE_LABELS  # where feedback was gathered: id -> label
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
    alerts: list = field(default_factory=list)  # raised by the rows: notify after the commit


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


REVIEW_REASONS = {
    "flagged": "Possible disclosure",
    "needs_interpreter": "Needs an interpreter",
    "low_confidence": "The analysis is unsure",
    "not_analysed": "Not analysed yet",
}


def review_reason(result: dict | None) -> str | None:
    """Why a person should read this feedback in the review queue, the most urgent reason first;
    None when the analysis is sure of it. Unsure: unreadable words, or no theme found."""
    if result is None:
        return "not_analysed"
    if result.get("safeguarding"):
        return "flagged"
    if result.get("needs_interpreter"):
        return "needs_interpreter"
    if result.get("unreadable") or not result.get("themes"):
        return "low_confidence"
    return None


def record(actor: User | None, source: str, gathered_on, text: str, service: str | None = None,
           team: str | None = None, model="instance", alerts: list | None = None) -> SourceFeedback:
    """Check, code and add one piece of feedback (audited, ids only); the caller commits.

    Read for risk as an answer is (the same analysis, the same alert path): a possible disclosure,
    or words in a language the analysis cannot read, raise a duty-team alert in this
    transaction, added to `alerts` for the caller to notify after its commit."""
    from voice_service.answers import alert_evidence, raise_alert, stored_evidence

    source, gathered_on, text, service, team = _checked(source, gathered_on, text, service, team)
    item = SourceFeedback(source=source, gathered_on=gathered_on, service=service, team=team, text=text,
                          recorded_by_id=actor.id if actor is not None else None)
    db.session.add(item)
    result = _analyse(text, model)
    item.review_reason = review_reason(result)
    if result is not None:
        evidence = stored_evidence(result)
        item.themes, item.sentiment, item.sentiment_source = sorted(result["themes"]), result["sentiment"], "model"
        item.safeguarding, item.model_version = bool(result["safeguarding"]), str(result.get("version") or "v1")
        item.analysis_evidence, item.redacted_text = evidence, result.get("redacted")
        item.language, item.needs_interpreter = result.get("language"), evidence["needs_interpreter"]
    db.session.flush()
    if item.safeguarding or item.needs_interpreter:
        alert = raise_alert(alert_evidence(result), source_feedback=item, model_version=item.model_version)
        if alert is not None and alerts is not None:
            alerts.append(alert)
    audit.record(actor, "source_feedback_recorded", item, {"source": source, "alert": item.safeguarding})
    return item


def _analyse(text: str, model) -> dict | None:
    try:
        from voice_service.analysis.pipeline import classify, instance_model

        return classify(text, model=instance_model() if model == "instance" else model)
    except Exception:  # the words are kept whatever happens: they wait in the review queue for a person
        log.exception("analysis of feedback from another source failed; kept for a person to read")
        return None


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
                   row.get("team"), model=model, alerts=report.alerts)
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
    for item in source_feedback.gathered_before(cutoff):
        if item.text != FORGOTTEN:  # the words are encrypted: compared here, not in SQL
            item.text, item.redacted_text = FORGOTTEN, None
            removed += 1
    return removed


def trends_by_source(first: date, last: date) -> dict:
    """Counts for feedback gathered first..last: per source, how many, each theme and each sentiment
    (unsuppressed: for QA's own page; the trends and the pack use analysis.other_sources)."""
    out: dict[str, dict] = {}
    for row in source_feedback.coded_rows(first, last):
        entry = out.setdefault(row["source"], {"n": 0, "themes": Counter(), "sentiment": Counter()})
        entry["n"] += row["n"]
        entry["themes"].update({theme: row["n"] for theme in row["themes"]})
        if row["sentiment"]:
            entry["sentiment"][row["sentiment"]] += row["n"]
    return out


def notify_all(alerts: list) -> None:
    """After the commit: tell the duty team of every alert the feedback raised."""
    from voice_service.answers import notify

    for alert in alerts:
        notify(alert)


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
        notify_all(report.alerts)
        for problem in report.problems:
            click.echo(problem, err=True)
        click.echo(f"Imported {report.imported} of {report.rows} rows.")
        if report.problems:
            raise SystemExit(1)

    return voices_cli


voices_cli = _cli()
