"""Builders for trends, report and review tests: answers with known themes, months and consent.

Rows are written directly (not through save_answer) so every count in a test is known exactly.
Invented people only; phone numbers from Ofcom's drama range.
"""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.invitations import create_invitation
from sqlalchemy import select

from voice_service.models import Answer, Child, Invitation, Meeting, Participant, SafeguardingAlert, SharedQuote, ThemeTag

_seq = itertools.count(1)


def moment(month: str, day: int = 10, hour: int = 12) -> datetime:
    year, mon = (int(p) for p in month.split("-"))
    return datetime(year, mon, day, hour, tzinfo=timezone.utc)


def add_invited(*, month="2026-10", role="child", age_band="8_12", service="cp", meeting_type="cp_conference",
                status="expired", visibility=None, ethnicity=None, gender=None, name=None) -> Invitation:
    """Someone asked for their views before a meeting in `month` (no answer unless added)."""
    n = next(_seq)
    child = Child(case_ref=f"CASE-Q{n:05d}", age_band=age_band if role in ("child", "young_adult") else "8_12",
                  service=service, team="north", ethnicity=ethnicity, gender=gender)
    meeting = Meeting(meeting_ref=f"MTG-Q{n:05d}", child=child, meeting_type=meeting_type,
                      starts_at=moment(month, 15), status="held")
    phone = f"+4477009{n % 1000:05d}"[:13]
    participant = Participant(meeting=meeting, external_ref=f"P{n}", role=role,
                              display_name=name or f"Quinn Zebedee{n}", phone=phone, phone_hash=phone_hash(phone),
                              age_band=age_band if role in ("child", "young_adult") else "adult")
    db.session.add_all([child, meeting, participant])
    invitation, _token = create_invitation(participant, "test_survey", 1, moment(month, 15), channel="web")
    invitation.status = status
    invitation.visibility = visibility
    db.session.flush()
    return invitation


def add_answer(*, month="2026-10", day=10, text="I feel safe with my foster carer", redacted=None, themes=("safety",),
               sentiment="positive", visibility="meeting", flagged=False, question_id="going_well",
               invitation=None, **invited) -> Answer:
    """One analysed free-text answer received in `month`, tagged with `themes` by the codebook."""
    invitation = invitation or add_invited(month=month, status="completed", visibility=visibility, **invited)
    answer = Answer(invitation=invitation, question_id=question_id, free_text=text,
                    redacted_text=redacted if redacted is not None else text, channel="web",
                    received_at=moment(month, day), is_current=True, sentiment=sentiment, sentiment_source="model",
                    safeguarding_flag=flagged, analysed_at=moment(month, day),
                    analysis_evidence={"themes": {t: ["words"] for t in themes}, "safeguarding": ["hits me"] if flagged else []})
    db.session.add(answer)
    for theme in themes:
        db.session.add(ThemeTag(answer=answer, theme_id=theme, source="codebook", evidence=["words"]))
    if flagged:
        db.session.add(SafeguardingAlert(answer=answer, status="open", raised_at=moment(month, day)))
    db.session.flush()
    return answer


def approve_quotes(*answers: Answer) -> None:
    """A QA officer approved these answers' redacted words as quotes (the quote approval page
    has its own tests); trends, the pack and quotes.csv quote only approved answers."""
    for answer in answers:
        db.session.add(SharedQuote(answer_id=answer.id, decision="approved", text=answer.redacted_text))
    db.session.flush()


def approve_every_quote() -> None:
    """Approve every answer there is, even those the other rules never let be quoted (not shared,
    flagged): those rules must still keep them out."""
    approve_quotes(*db.session.scalars(select(Answer).where(~Answer.id.in_(select(SharedQuote.answer_id)))))
