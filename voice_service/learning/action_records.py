"""Learning Loop actions: creating and changing them, and the measure month by month for their
charts (reading them: store.learning). The caller commits; every change is audited (ids only)."""
from __future__ import annotations

from datetime import date

from voice_service import audit
from voice_service.analysis import charts
from voice_service.analysis.trends import month_label, months_between, previous_month
from voice_service.extensions import db
from voice_service.learning import actions as rules
from voice_service.learning import scorecard
from voice_service.models import LearningAction, LearningActionNote, User, utcnow


def create(new: rules.NewAction, user: User | None) -> LearningAction:
    new = rules.check(new, [m.id for m in scorecard.measures()])
    action = LearningAction(
        title=new.title, finding_kind=new.finding_kind, finding_ref=new.finding_ref, measure_id=new.measure_id,
        service=new.service, owner_name=new.owner_name, due_on=new.due_on, started_on=new.started_on,
        plain_words=new.plain_words, published=False, status="open",
        created_by_id=user.id if user else None, created_at=utcnow(), updated_at=utcnow(),
    )
    db.session.add(action)
    db.session.flush()
    db.session.add(LearningActionNote(action_id=action.id, status="open", note="Action created",
                                      by_id=user.id if user else None, at=utcnow()))
    audit.record(user, "learning_action_created", action)
    return action


def add_note(action: LearningAction, user: User | None, status: str, note: str | None, at=None) -> LearningActionNote:
    if status not in rules.STATUSES:
        raise rules.ActionRefused("Choose a status")
    note = (note or "").strip() or None
    if note and len(note) > 2000:
        raise rules.ActionRefused("The note must be 2000 characters or fewer")
    entry = LearningActionNote(action_id=action.id, status=status, note=note, by_id=user.id if user else None,
                               at=at or utcnow())
    action.status = status
    db.session.add(entry)
    audit.record(user, "learning_action_updated", action, {"status": status})
    return entry


def set_published(action: LearningAction, user: User | None, published: bool) -> None:
    if published and not action.plain_words:
        raise rules.ActionRefused("Write what the action means for families, in plain words, before publishing it")
    action.published = published
    audit.record(user, "learning_action_published" if published else "learning_action_unpublished", action)


def measure_label(measure_id: str) -> str:
    return next((m.label for m in scorecard.measures() if m.id == measure_id), measure_id)


def before_after_chart(action: LearningAction, threshold: int, last_month: str | None = None, span: int = 12):
    """The action's measure by month, before and after it started, as one line chart."""
    from voice_service.learning.scorecard_queries import collect

    now = utcnow()
    last = last_month or f"{now.year}-{now.month:02d}"
    first = last
    for _ in range(span - 1):
        first = previous_month(first)
    start = rules.month_of(action.started_on)
    if start < first:
        first = previous_month(start)
    months = months_between(first, last)
    card = collect(first, last, threshold)
    ids, _labels, scores = card.by["month"]
    shares = {m: s.share for m, s in zip(ids, scores.get(action.measure_id, []))}
    before, after = rules.before_and_after(months, shares, action.started_on)
    label = measure_label(action.measure_id)
    chart = charts.line_chart(
        f"chart-action-{action.id}", f"{label}: before and after the action (started {month_label(start)})",
        [month_label(m) for m in months], [("Before the action", before), ("After it started", after)],
        fmt=charts.percent, max_value=1.0)
    return chart, rules.average(before), rules.average(after)


def today() -> date:
    from voice_service.scheduling.calendar import london_date

    return london_date(utcnow())
