"""The review queue: QA officers confirm or correct what the analysis suggested about an answer.

A review stores the person's decision three ways:
* the answer's theme tags: each suggestion is confirmed (confirmed_by/at) or rejected, and a
  theme the person adds becomes a tag with source "person";
* the answer's sentiment and safeguarding flag (sentiment_source "person", reviewed_by/at);
* a LabelledExample (the redacted text, question, themes, sentiment and flag), which
  ``labelled_examples_from_db`` gives to ``flask analyse train`` in the labels-file format.

A person marking an answer as a possible disclosure raises a safeguarding alert for the duty
team if there is none yet; un-marking never closes an alert (the duty team does that).
"""
from __future__ import annotations

from dataclasses import dataclass

from voice_service import audit
from voice_service.extensions import db
from voice_service.models import (
    Answer, LabelledExample, SafeguardingAlert, SourceFeedback, ThemeTag, User,
    utcnow,
)
from voice_service.store import review as stored
from voice_service.store import source_feedback as store
from voice_service.vocab import SENTIMENTS

PER_PAGE = 20


def _theme_ids() -> tuple[str, ...]:
    from voice_service.analysis.codebook import THEME_IDS

    return THEME_IDS


@dataclass(frozen=True)
class Decision:
    themes: tuple[str, ...]
    sentiment: str
    safeguarding: bool

    def problems(self) -> list[str]:
        out = []
        unknown = [t for t in self.themes if t not in _theme_ids()]
        if unknown:
            out.append(f"themes: not in the codebook: {', '.join(unknown)}")
        if self.sentiment not in SENTIMENTS:
            out.append(f"sentiment: must be one of {', '.join(SENTIMENTS)}")
        return out


@dataclass(frozen=True)
class Outcome:
    example: LabelledExample
    confirmed: int
    added: int
    rejected: int
    new_alert: SafeguardingAlert | None


@dataclass(frozen=True)
class Queue:
    answers: list[Answer]
    total: int          # waiting that this reviewer may read
    held_back: int      # waiting whose writers chose that this reviewer's role may not read them


def queue(role: str, page: int = 1, flagged_only: bool = False, per_page: int = PER_PAGE) -> Queue:
    """Answers waiting for a person that `role` may read, newest first, a page at a time; how
    many wait in all, and how many more wait that the respondents' visibility choice holds back."""
    return Queue(*stored.waiting_answers(role, flagged_only, limit=per_page, offset=max(page - 1, 0) * per_page))


def suggested(answer: Answer) -> Decision:
    """What the form starts with: the tags not rejected, the stored sentiment and flag."""
    themes = _in_codebook_order(t.theme_id for t in answer.tags if not t.rejected)
    return Decision(tuple(themes), answer.sentiment or "neutral", bool(answer.safeguarding_flag))


def _in_codebook_order(themes) -> list[str]:
    order = {t: i for i, t in enumerate(_theme_ids())}
    return sorted(set(themes), key=lambda t: order.get(t, 99))


def question_text(answer: Answer) -> str | None:
    """The question as the respondent saw it on the web, from the survey definition."""
    try:
        from flask import current_app

        from voice_service.surveys import registry

        survey = registry(current_app).get(answer.invitation.survey_id, answer.invitation.survey_version)
        question = next((q for q in survey.questions if q.id == answer.question_id), None)
        return question.wording.web if question is not None else None
    except Exception:  # a retired survey file: the review still works without the wording
        return None


def apply_review(answer: Answer, user: User, decision: Decision, question: str | None = None) -> Outcome:
    """Store a person's decision about one answer (the caller commits). Raises ValueError."""
    problems = decision.problems()
    if problems:
        raise ValueError("; ".join(problems))
    now = utcnow()
    chosen = set(decision.themes)
    confirmed = added = rejected = 0
    kept: set[str] = set()
    for tag in sorted(answer.tags, key=lambda t: t.id or 0):
        if tag.theme_id in chosen and tag.theme_id not in kept:
            kept.add(tag.theme_id)
            tag.rejected = False
            confirmed += 1
        else:
            if not tag.rejected:
                rejected += tag.theme_id not in chosen
            tag.rejected = True
        tag.confirmed_by_id = user.id
        tag.confirmed_at = now
    for theme in sorted(chosen - kept):
        db.session.add(ThemeTag(answer=answer, theme_id=theme, source="person", evidence=["added by a person in review"],
                                confirmed_by_id=user.id, confirmed_at=now))
        added += 1
    sentiment_changed = answer.sentiment != decision.sentiment
    flag_changed = bool(answer.safeguarding_flag) != decision.safeguarding
    answer.sentiment = decision.sentiment
    answer.sentiment_source = "person"
    answer.safeguarding_flag = decision.safeguarding
    answer.reviewed_by_id = user.id
    answer.reviewed_at = now

    new_alert = None
    if decision.safeguarding:
        if not stored.answer_has_alert(answer.id):
            from voice_service.answers import raise_alert

            new_alert = raise_alert(["marked by a person in the review queue"], answer=answer)

    text = answer.redacted_text
    if text is None:
        from voice_service.analysis.quote_approval import meeting_names
        from voice_service.analysis.redaction import redact

        text = redact(answer.free_text or "", meeting_names(answer.invitation.participant.meeting_id))
    example = stored.labelled_example_of_answer(answer.id)
    if example is None:
        example = LabelledExample(answer_id=answer.id)
        db.session.add(example)
    _label(example, text, question, decision, user, now)
    audit.record(user, "answer_reviewed", answer, detail={
        "confirmed": confirmed, "added": added, "rejected": rejected,
        "sentiment_changed": sentiment_changed, "flag_changed": flag_changed,
        "alert_raised": new_alert is not None,
    })
    return Outcome(example, confirmed, added, rejected, new_alert)


def _label(example: LabelledExample, text: str, question: str | None, decision: Decision, user: User, now) -> None:
    """The person's decision as training data (redacted words), for an answer or other feedback."""
    example.text = text
    example.question = (question or None) and question[:300]
    example.themes = _in_codebook_order(decision.themes)
    example.sentiment = decision.sentiment
    example.safeguarding = decision.safeguarding
    example.labelled_by_id = user.id
    example.created_at = now


# Feedback from other sources (other_voices.py) ------------------------------------------------
# In the same queue, marked with its source: the pieces the analysis wants a person for
# (flagged, needing an interpreter, unsure). QA and admins recorded them, so no visibility
# choice holds any back. A person's decision is stored on the feedback (its themes and
# sentiment feed the trends) and becomes a labelled example as an answer's does.

@dataclass(frozen=True)
class FeedbackQueue:
    items: list[SourceFeedback]
    total: int


def feedback_queue(page: int = 1, flagged_only: bool = False, per_page: int = PER_PAGE) -> FeedbackQueue:
    items = store.waiting_for_review(flagged_only, limit=per_page, offset=max(page - 1, 0) * per_page)
    return FeedbackQueue(items, store.waiting_count(flagged_only))


def feedback_for_review(feedback_id: int) -> SourceFeedback | None:
    """Feedback a person may review: any still holding its words (reviewed or not)."""
    from voice_service.other_voices import FORGOTTEN

    item = store.get(feedback_id)
    return item if item is not None and item.text != FORGOTTEN else None


def feedback_suggested(item: SourceFeedback) -> Decision:
    return Decision(tuple(_in_codebook_order(item.themes or ())), item.sentiment or "neutral", bool(item.safeguarding))


def apply_feedback_review(item: SourceFeedback, user: User, decision: Decision) -> Outcome:
    """Store a person's decision about one piece of feedback (the caller commits). Raises ValueError."""
    problems = decision.problems()
    if problems:
        raise ValueError("; ".join(problems))
    now = utcnow()
    before, chosen = set(item.themes or ()), set(decision.themes)
    flag_changed = bool(item.safeguarding) != decision.safeguarding
    sentiment_changed = item.sentiment != decision.sentiment
    item.themes = _in_codebook_order(chosen)
    item.sentiment, item.sentiment_source, item.safeguarding = decision.sentiment, "person", decision.safeguarding
    item.reviewed_by_id, item.reviewed_at = user.id, now
    new_alert = None
    if decision.safeguarding and not store.has_alert(item.id):
        from voice_service.answers import raise_alert

        new_alert = raise_alert(["marked by a person in the review queue"], source_feedback=item)
    text = item.redacted_text
    if text is None:
        from voice_service.analysis.redaction import redact

        text = redact(item.text or "")
    example = store.labelled_example(item.id)
    if example is None:
        example = LabelledExample(source_feedback_id=item.id)
        db.session.add(example)
    _label(example, text, None, decision, user, now)
    outcome = Outcome(example, len(chosen & before), len(chosen - before), len(before - chosen), new_alert)
    audit.record(user, "source_feedback_reviewed", item, detail={
        "confirmed": outcome.confirmed, "added": outcome.added, "rejected": outcome.rejected,
        "sentiment_changed": sentiment_changed, "flag_changed": flag_changed, "alert_raised": new_alert is not None,
    })
    return outcome


def labelled_examples_from_db() -> list[dict]:
    """Every person-confirmed label, in the labels-file format `flask analyse train` reads:
    {"id", "text", "question", "themes", "sentiment", "safeguarding"} (text is redacted)."""
    rows = stored.labelled_examples()
    return [
        {"id": f"db-{row.id}", "text": row.text, "question": row.question, "themes": list(row.themes or []),
         "sentiment": row.sentiment, "safeguarding": bool(row.safeguarding)}
        for row in rows
    ]


def confirmed_share() -> float | None:
    """Share of kept theme tags (all time) that a person confirmed or added."""
    kept, confirmed = stored.theme_tags_kept_and_confirmed()
    return confirmed / kept if kept else None
