"""The exceptions report in the QA Executive's monthly pack: rules with thresholds in settings.

Pure: the rules take plain figures (already suppressed where they come from answers) and the
thresholds, and say what crossed a line, in plain words. No Flask, no database.

| rule | fires when | setting |
|---|---|---|
| ``response_rate_fell`` | a group's response rate fell by at least N points on last month | ``PACK_RESPONSE_DROP_POINTS`` |
| ``alerts_acknowledged_late`` | more than N alerts were acknowledged after the target (or not at all) | ``PACK_ALERTS_LATE_MAX`` |
| ``views_not_read`` | a service's share of meetings whose views were read before they started is under N | ``PACK_VIEWS_READ_MIN_PERCENT`` |
| ``reports_shared_late`` | the share who said they got the report in time is under N | ``PACK_REPORT_IN_TIME_MIN_PERCENT`` |
| ``you_said_overdue`` | more than N people still have no "you said, we did" N days after the outcome | ``PACK_YOU_SAID_OVERDUE_MAX``, ``PACK_YOU_SAID_DUE_DAYS`` |
| ``actions_past_due`` | more than N Learning Loop actions are past their due date and not done | ``PACK_ACTIONS_PAST_DUE_MAX`` |

A share or rate that is hidden by small-number suppression never fires a rule (it is unknown);
a count of people under the suppression threshold is written as "fewer than N".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

RULES = ("response_rate_fell", "alerts_acknowledged_late", "views_not_read", "reports_shared_late",
         "you_said_overdue", "actions_past_due")
RULE_TITLES = {
    "response_rate_fell": "Response rate fell",
    "alerts_acknowledged_late": "Safeguarding alerts acknowledged late",
    "views_not_read": "Views not read before meetings",
    "reports_shared_late": "Reports shared late",
    "you_said_overdue": "\"You said, we did\" overdue",
    "actions_past_due": "Actions past their due date",
}


@dataclass(frozen=True)
class Thresholds:
    response_drop_points: float = 10.0
    alerts_late_max: int = 0
    alert_target_minutes: int = 60
    views_read_min_share: float = 0.9
    report_in_time_min_share: float = 0.8
    you_said_due_days: int = 14
    you_said_overdue_max: int = 0
    actions_past_due_max: int = 0
    suppression: int = 5

    @classmethod
    def from_config(cls, config: Mapping) -> Thresholds:
        return cls(
            response_drop_points=float(config.get("PACK_RESPONSE_DROP_POINTS", 10)),
            alerts_late_max=int(config.get("PACK_ALERTS_LATE_MAX", 0)),
            alert_target_minutes=int(config.get("ALERT_ESCALATE_AFTER_MINUTES", 60)),
            views_read_min_share=int(config.get("PACK_VIEWS_READ_MIN_PERCENT", 90)) / 100,
            report_in_time_min_share=int(config.get("PACK_REPORT_IN_TIME_MIN_PERCENT", 80)) / 100,
            you_said_due_days=int(config.get("PACK_YOU_SAID_DUE_DAYS", 14)),
            you_said_overdue_max=int(config.get("PACK_YOU_SAID_OVERDUE_MAX", 0)),
            actions_past_due_max=int(config.get("PACK_ACTIONS_PAST_DUE_MAX", 0)),
            suppression=int(config.get("SUPPRESSION_THRESHOLD", 5)),
        )


@dataclass(frozen=True)
class Finding:
    """One exception: which rule, about which group, what happened, and the line it crossed."""

    rule: str
    group: str
    detail: str
    limit: str

    @property
    def title(self) -> str:
        return RULE_TITLES[self.rule]


def people(n: int, threshold: int) -> str:
    """A count of people as the pack writes it: 'fewer than 5' under the suppression threshold."""
    if 0 < n < threshold:
        return f"fewer than {threshold}"
    return f"{n:,}"


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def response_rate_fell(current: Mapping[str, tuple[str, float | None]], previous: Mapping[str, float | None],
                       t: Thresholds) -> list[Finding]:
    """`current`: group key -> (label, rate this month); `previous`: group key -> rate last month."""
    out = []
    for key, (label, now) in current.items():
        before = previous.get(key)
        if now is None or before is None:
            continue
        drop = round((before - now) * 100, 6)  # 0.7 - 0.6 is 9.999... in floating point
        if drop >= t.response_drop_points:
            out.append(Finding("response_rate_fell", label, f"{_pct(before)} last month, {_pct(now)} this month",
                               f"a fall of {t.response_drop_points:g} points or more"))
    return out


def late_alerts(rows: Sequence[Mapping], target_minutes: int, as_of: datetime) -> int:
    """Alerts acknowledged after the target, or not acknowledged and older than it at `as_of`."""
    target = timedelta(minutes=target_minutes)
    late = 0
    for r in rows:
        ack = r.get("acknowledged_at")
        if ack is not None:
            late += (ack - r["raised_at"]) > target
        else:
            late += (as_of - r["raised_at"]) > target
    return late


def alerts_acknowledged_late(late: int, raised: int, t: Thresholds) -> list[Finding]:
    if late <= t.alerts_late_max:
        return []
    return [Finding("alerts_acknowledged_late", "All services",
                    f"{late} of {raised} alerts were not acknowledged within {t.alert_target_minutes} minutes",
                    f"more than {t.alerts_late_max} late")]


def views_not_read(by_service: Mapping[str, tuple[str, int, int]], t: Thresholds) -> list[Finding]:
    """`by_service`: key -> (label, meetings where views were given, of them read before the start)."""
    out = []
    for _key, (label, meetings, read) in by_service.items():
        if meetings < t.suppression:
            continue  # a share of a handful of meetings is not shown, so it cannot be an exception
        share = read / meetings
        if share < t.views_read_min_share:
            out.append(Finding("views_not_read", label,
                               f"views read before {_pct(share)} of {meetings} meetings",
                               f"under {_pct(t.views_read_min_share)}"))
    return out


def reports_shared_late(shares: Mapping[str, tuple[str, float | None]], t: Thresholds) -> list[Finding]:
    """`shares`: group -> (label, share who said they got the report in time; None if hidden)."""
    out = []
    for _key, (label, share) in shares.items():
        if share is not None and share < t.report_in_time_min_share:
            out.append(Finding("reports_shared_late", label, f"{_pct(share)} said they got the report in time",
                               f"under {_pct(t.report_in_time_min_share)}"))
    return out


def you_said_overdue(overdue: int, t: Thresholds) -> list[Finding]:
    if overdue <= t.you_said_overdue_max:
        return []
    return [Finding("you_said_overdue", "All services",
                    f"{people(overdue, t.suppression)} people who gave their views have not had their "
                    f"\"you said, we did\" {t.you_said_due_days} days after the outcome",
                    f"more than {t.you_said_overdue_max}")]


def actions_past_due(titles: Sequence[str], t: Thresholds) -> list[Finding]:
    if len(titles) <= t.actions_past_due_max:
        return []
    shown = "; ".join(titles[:5]) + ("; and more" if len(titles) > 5 else "")
    return [Finding("actions_past_due", "Learning Loop", f"{len(titles)} past due: {shown}",
                    f"more than {t.actions_past_due_max}")]


__all__ = ["RULES", "RULE_TITLES", "Finding", "Thresholds", "actions_past_due", "alerts_acknowledged_late",
           "late_alerts", "people", "reports_shared_late", "response_rate_fell", "views_not_read",
           "you_said_overdue"]
