"""'You said, we did' for one person (pure: no Flask, no database).

After the chair records the outcome, each person who gave views gets a page behind their own
link: what they said, in their own words, and what was decided about it. How it reaches them is
their route: a text if we may text them, an email if we have one, otherwise a letter or their
worker in person (a child without a phone still gets it). A month later one short question asks
whether it happened; the answers are a measure in the trends and the scorecard.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

ROUTES = {
    "text": "By text message",
    "email": "By email",
    "letter": "By letter",
    "in_person": "By their worker, in person",
}
FOLLOW_UP_ANSWERS = ("yes", "partly", "no", "not_sure")
#: A "you said, we did" not yet on its way this long after the outcome is overdue.
DEFAULT_DUE_DAYS = 10


def route_for(*, role: str, has_phone: bool, safe_to_text: bool, consent: bool, opted_out: bool,
              has_email: bool, preferred_channel: str | None) -> str:
    """How this person's "you said, we did" reaches them.

    A text needs a number marked safe to text, consent and no STOP. Children (and anyone who
    chose it) without a usable number get it from their worker in person; adults get a letter.
    """
    if has_phone and safe_to_text and consent and not opted_out and preferred_channel != "letter":
        return "text"
    if has_email and preferred_channel in ("email", None, "web"):
        return "email"
    if role in ("child", "young_adult") or preferred_channel == "in_person":
        return "in_person"
    return "letter"


@dataclass(frozen=True)
class Said:
    question: str
    words: str


@dataclass(frozen=True)
class Decided:
    point: str
    decision: str
    raised_by_you: bool


def what_they_said(answers: Iterable[Mapping]) -> list[Said]:
    """Their own words, as they allowed: current, non-skipped free text; never an answer flagged
    as a possible disclosure (a shared phone or screen could show it to the wrong person)."""
    out = []
    for a in answers:
        words = (a.get("free_text") or "").strip()
        if words and not a.get("skipped") and not a.get("flagged"):
            out.append(Said(a.get("question") or "", words))
    return out


def what_was_decided(actions: Iterable[Mapping], invitation_id: int) -> list[Decided]:
    """Points this person raised, then points raised by nobody in particular. Points another
    person raised are theirs, not shown here."""
    mine, general = [], []
    for a in actions:
        raised_by = a.get("invitation_id")
        if raised_by == invitation_id:
            mine.append(Decided(a["point"], a["decision"], True))
        elif raised_by is None:
            general.append(Decided(a["point"], a["decision"], False))
    return mine + general


def follow_up_due(outcome_recorded_at: datetime, delay: timedelta = timedelta(days=30)) -> datetime:
    return outcome_recorded_at + delay


def follow_up_open(outcome_recorded_at: datetime | None, now: datetime, answered: bool,
                   delay: timedelta = timedelta(days=30)) -> bool:
    """The "did it happen?" question is shown from a month after the outcome, until answered."""
    return outcome_recorded_at is not None and not answered and now >= follow_up_due(outcome_recorded_at, delay)


def overdue(outcome_recorded_at: datetime | None, now: datetime, sent_or_handed_over: bool,
            due_days: int = DEFAULT_DUE_DAYS) -> bool:
    """Not sent (nor given by hand) `due_days` after the outcome: an exception for the pack."""
    return (outcome_recorded_at is not None and not sent_or_handed_over
            and now - outcome_recorded_at > timedelta(days=due_days))


@dataclass(frozen=True)
class FollowUpMeasure:
    asked: int
    answered: int
    yes: int
    partly: int
    no: int
    not_sure: int

    @property
    def share_happened(self) -> float | None:
        """Share who said yes (it happened) of those who answered yes, partly or no."""
        decided = self.yes + self.partly + self.no
        return None if decided == 0 else self.yes / decided


def follow_up_measure(answers: Sequence[str | None]) -> FollowUpMeasure:
    """From each follow-up's answer (None: asked, not answered yet)."""
    counts = {k: 0 for k in FOLLOW_UP_ANSWERS}
    for a in answers:
        if a in counts:
            counts[a] += 1
    return FollowUpMeasure(asked=len(answers), answered=sum(counts.values()), **counts)
