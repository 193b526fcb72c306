"""The QA Executive's monthly pack: the highlight template per service, the exceptions report,
the actions and the quotes, as HTML (print-ready), PDF and CSV.

Built on the monthly report (``report.build_monthly``: trends, quotes, scorecard, alerts), with
the pack's own figures (``pack_queries``) and rules (``exceptions``). ``write_pack`` stores the
three files in REPORTS_DIR/<month>/ (the clock's job, and the web page when asked for a month
not yet built); each file appears whole or not at all.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from voice_service.analysis import charts, exceptions, pack_queries, queries, report, suppression, trends
from voice_service.analysis.exceptions import Finding, Thresholds
from voice_service.learning.actions import past_due
from voice_service.vocab import SERVICES

FILES = {"html": "pack.html", "pdf": "pack.pdf", "csv": "pack.csv"}
Progress = Callable[[str], None]


@dataclass
class ServiceHighlight:
    service: str
    label: str
    coverage: trends.Coverage            # this service's people: asked, gave views, by route
    meetings_with_views: int
    views_read_before: int
    threshold: int
    themes: list[tuple[str, int | None]] = field(default_factory=list)
    sentiment: list[tuple[str, int | None]] = field(default_factory=list)
    scorecard: list[tuple[str, float | None]] = field(default_factory=list)
    chart: charts.Chart | None = None

    @property
    def views_read_share(self) -> float | None:
        if self.meetings_with_views < self.threshold:
            return None
        return self.views_read_before / self.meetings_with_views

    def route_rates(self) -> list[tuple[str, float | None]]:
        table = next((t for t in self.coverage.tables if t.key == "coverage_route"), None)
        if table is None:
            return []
        return [(label, suppression.rate(table.cells[i][0], table.row_totals[i] if table.row_totals else None))
                for i, label in enumerate(table.row_labels)]


@dataclass
class Pack:
    month: str
    monthly: report.MonthlyReport
    services: list[ServiceHighlight]
    findings: list[Finding]
    actions: list[dict]
    thresholds: Thresholds
    built_in_seconds: float = 0.0

    @property
    def month_label(self) -> str:
        return trends.month_label(self.month)

    @property
    def generated_at(self) -> datetime:
        return self.monthly.generated_at


def _noop(_: str) -> None:
    return None


def _column(table: suppression.Table | None, col: str) -> list[tuple[str, int | None]]:
    if table is None or col not in table.cols:
        return []
    j = table.cols.index(col)
    return [(label, table.cells[i][j]) for i, label in enumerate(table.row_labels)]


def _row(table: suppression.Table | None, row: str) -> list[tuple[str, int | None]]:
    if table is None or row not in table.rows:
        return []
    i = table.rows.index(row)
    return list(zip(table.col_labels, table.cells[i]))


def _rates(coverage: trends.Coverage, dims: tuple[str, ...]) -> dict[str, tuple[str, float | None]]:
    out = {}
    for table in coverage.tables:
        dim = table.key.removeprefix("coverage_")
        if dim not in dims:
            continue
        for i, value in enumerate(table.rows):
            if value == trends.NOT_RECORDED:
                continue
            out[f"{dim}:{value}"] = (f"{table.title}: {table.row_labels[i]}",
                                    suppression.rate(table.cells[i][0], table.row_totals[i] if table.row_totals else None))
    return out


def _card_shares(card, measure_id: str) -> dict[str, tuple[str, float | None]]:
    if card is None or measure_id not in card.overall:
        return {}
    out = {"all": ("All services", card.overall[measure_id].share)}
    ids, labels, scores = card.by.get("service", ([], [], {}))
    for sid, label, score in zip(ids, labels, scores.get(measure_id, [])):
        out[sid] = (label, score.share)
    return out


def build_pack(month: str, config: Mapping, *, as_of: datetime | None = None, progress: Progress = _noop) -> Pack:
    """The pack for `month` ('2026-11'); `as_of` is when it is built (default: the end of the month)."""
    import time

    started = time.monotonic()
    month = report.parse_month(month)
    t = Thresholds.from_config(config)
    monthly = report.build_monthly(month, t.suppression, alert_target_minutes=t.alert_target_minutes, progress=progress)
    _start, end = queries.bounds(month, month)
    as_of = as_of or end
    progress("coverage by service, and last month's to compare")
    both = pack_queries.coverage_by_month(monthly.previous_month, month)
    rows = [r for r in both if r["month"] == month]
    previous = trends.coverage([r for r in both if r["month"] != month], t.suppression,
                               dimensions=("service", "route", "role"))
    progress("views read before meetings")
    read = {r["service"]: r for r in pack_queries.views_read_rows(month)}
    cur = monthly.trends
    card = monthly.scorecard
    services = []
    for sid in [s for s in SERVICES if any(r["service"] == s for r in rows) or s in read]:
        cov = trends.coverage([r for r in rows if r["service"] == sid], t.suppression, dimensions=("route",))
        h = ServiceHighlight(sid, SERVICES[sid], cov, read.get(sid, {}).get("meetings", 0),
                             read.get(sid, {}).get("read", 0), t.suppression)
        h.themes = sorted(_column(cur.themes.by.get("service"), sid), key=lambda kv: (kv[1] is None, -(kv[1] or 0)))
        h.sentiment = _row(cur.sentiment.get("service"), sid)
        if card is not None:
            h.scorecard = [(m.label, _card_shares(card, m.id).get(sid, ("", None))[1]) for m in card.measures]
        h.chart = charts.bar_chart(f"chart-pack-route-{sid}", f"{h.label}: share who gave their views, by route",
                                   h.route_rates(), fmt=charts.percent, max_value=1.0,
                                   value_heading="Gave their views", label_heading="How they were asked")
        services.append(h)
    progress("exceptions")
    findings = exceptions.response_rate_fell(
        _rates(trends.coverage(rows, t.suppression, dimensions=("service", "route", "role")), ("service", "route", "role")),
        {k: v[1] for k, v in _rates(previous, ("service", "route", "role")).items()}, t)
    alert_rows = queries.alert_rows(month, month)
    findings += exceptions.alerts_acknowledged_late(
        exceptions.late_alerts(alert_rows, t.alert_target_minutes, as_of), len(alert_rows), t)
    findings += exceptions.views_not_read({h.service: (h.label, h.meetings_with_views, h.views_read_before)
                                           for h in services}, t)
    findings += exceptions.reports_shared_late(_card_shares(card, "report_in_time"), t)
    findings += exceptions.you_said_overdue(pack_queries.you_said_overdue_count(as_of, t.you_said_due_days), t)
    progress("actions")
    acts = pack_queries.actions((as_of - timedelta(microseconds=1)).date())
    today = (as_of - timedelta(microseconds=1)).date()
    for a in acts:
        a["past_due"] = past_due(a["due_on"], a["status"], today)
    findings += exceptions.actions_past_due([a["title"] for a in acts if a["past_due"]], t)
    return Pack(month, monthly, services, findings, acts, t, round(time.monotonic() - started, 3))


# -- CSV ---------------------------------------------------------------------------------------

def _pct(share: float | None) -> str | None:
    return None if share is None else f"{share * 100:.1f}%"


def csv_text(pack: Pack) -> str:
    """One CSV: section, group, measure, value ([c] for a hidden figure)."""
    rows: list[tuple] = [("section", "group", "measure", "value")]
    for h in pack.services:
        rows += [("highlight", h.label, "people asked", h.coverage.asked),
                 ("highlight", h.label, "gave their views", h.coverage.responded),
                 ("highlight", h.label, "response rate", _pct(h.coverage.response_rate))]
        rows += [("highlight", h.label, f"response rate: {route}", _pct(r)) for route, r in h.route_rates()]
        rows += [("highlight", h.label, "meetings where views were given",
                  h.meetings_with_views if h.meetings_with_views >= h.threshold else None),
                 ("highlight", h.label, "views read before the meeting", _pct(h.views_read_share))]
        rows += [("highlight", h.label, f"theme: {label}", n) for label, n in h.themes]
        rows += [("highlight", h.label, f"sentiment: {label}", n) for label, n in h.sentiment]
        rows += [("highlight", h.label, f"scorecard: {label}", _pct(s)) for label, s in h.scorecard]
    others = pack.monthly.trends.other_sources
    if others is not None and not others.empty:  # counts only: nothing of its words goes in the pack
        rows += [("other sources", others.heading, measure, n) for measure, n in others.measures()]
    rows += [("exception", f.group, f.title, f"{f.detail} (line: {f.limit})") for f in pack.findings]
    rows += [("action", a["title"], f"due {a['due_on'].isoformat()}", a["status"] + (" (past due)" if a["past_due"] else ""))
             for a in pack.actions]
    rows += [("quote", q.theme_label, q.respondent or "", q.text) for q in pack.monthly.trends.quotes]
    return report.csv_text(rows)


# -- files -------------------------------------------------------------------------------------

def pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def render_all(pack: Pack, render_html: Callable[[Pack], str]) -> dict[str, bytes]:
    html = render_html(pack)
    return {"html": html.encode("utf-8"), "pdf": pdf_bytes(html), "csv": csv_text(pack).encode("utf-8")}


def folder_for(reports_dir: str | Path, month: str) -> Path:
    return Path(reports_dir) / report.parse_month(month)


def write_pack(files: Mapping[str, bytes], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, data in files.items():
        path = folder / FILES[fmt]
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(path)
    return written


def stored_months(reports_dir: str | Path) -> list[str]:
    """Months with a stored pack, newest first."""
    root = Path(reports_dir)
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if report.MONTH_RE.match(p.name) and (p / FILES["html"]).is_file()]
    return sorted(found, reverse=True)
