"""Quotes leave QA only when a person has approved them.

A quote can reach the Family Advisory Group's page, the monthly pack and ``quotes.csv``. Before
it does, a QA officer or admin reads it here with every name the service holds for that meeting
taken out (the child, parents, carers, the chair and the worker) as well as the names the
redaction finds by pattern, may take out more, and approves or withholds it. The decision is a
``SharedQuote`` row; trends quote only approved rows, in the approved words.

Only answers that could be quoted at all come here: current, not flagged for safeguarding, from
a respondent who chose that everyone at the meeting may read their words (trends.shareable).
"""
from __future__ import annotations

from dataclasses import dataclass

from voice_service import audit
from voice_service.analysis.trends import scrub, shorten
from voice_service.extensions import db
from voice_service.models import Answer, SharedQuote, User, utcnow
from voice_service.store import quotes
from voice_service.vocab import QUOTE_DECISIONS

ERASED = "[erased]"


def meeting_names(meeting_id: int) -> list[str]:
    """Every name the service holds for a meeting: its people and its chair and worker."""
    return [n for n in quotes.names_held(meeting_id) if n and n != ERASED]


def quotable_text(answer: Answer) -> str:
    """The answer's words as a quote would show them: redacted again with the meeting's names."""
    names = meeting_names(answer.invitation.participant.meeting_id)
    return shorten(scrub((answer.redacted_text or "").strip(), names))


@dataclass(frozen=True)
class QuoteDecision:
    decision: str          # vocab.QUOTE_DECISIONS
    text: str | None       # the words to share, when approved

    def problems(self) -> list[str]:
        if self.decision not in QUOTE_DECISIONS:
            return [f"decision: must be one of {', '.join(QUOTE_DECISIONS)}"]
        if self.decision == "approved" and not (self.text or "").strip():
            return ["text: give the words to share, or choose not to share this quote"]
        return []


def decide(answer: Answer, user: User, choice: QuoteDecision) -> SharedQuote:
    """Record the decision about quoting one answer (the caller commits). Raises ValueError.

    Approved words are redacted once more with the meeting's names, so an edit cannot put back
    a name the service knows."""
    problems = choice.problems()
    if problems:
        raise ValueError("; ".join(problems))
    text = None
    if choice.decision == "approved":
        text = shorten(scrub(choice.text.strip(), meeting_names(answer.invitation.participant.meeting_id)))
    quote = SharedQuote(answer_id=answer.id, decision=choice.decision, text=text, decided_by_id=user.id,
                        decided_at=utcnow())
    db.session.add(quote)
    audit.record(user, "quote_approved" if choice.decision == "approved" else "quote_withheld", answer,
                 detail={"edited": text is not None and text != quotable_text(answer)})
    return quote
