"""The review queue in the database: answers waiting for a person (within the visibility rule),
the labels people gave, and how many theme tags a person confirmed. The decisions themselves are
`voice_service.analysis.review`. Nothing here commits: the QA page does.
"""
from __future__ import annotations

from sqlalchemy import func, not_, or_, select
from sqlalchemy.orm import selectinload

from voice_service.extensions import db
from voice_service.meetings.rules import ANSWER_VISIBILITY
from voice_service.models import Answer, Invitation, LabelledExample, SafeguardingAlertItem, ThemeTag
from voice_service.vocab import VISIBILITY


def answers_visible_to(role: str):
    """The meeting page's rule (meetings.can_see_answers) as SQL on Invitation.visibility: which
    answers' words a staff role may read. No choice, or an unknown one, counts as chair only."""
    allowed = sorted(ANSWER_VISIBILITY.get(role, frozenset()))
    condition = Invitation.visibility.in_(allowed)
    if "chair_only" in allowed:
        condition = or_(condition, Invitation.visibility.is_(None), Invitation.visibility.not_in(sorted(VISIBILITY)))
    return condition


def waiting_answers(role: str, flagged_only: bool, limit: int, offset: int) -> tuple[list[Answer], int, int]:
    """Analysed current answers with words that nobody has reviewed, newest first: the page of
    them `role` may read, how many of those wait, and how many more wait that `role` may not read."""
    conditions = [Answer.is_current.is_(True), Answer.free_text.is_not(None), Answer.analysed_at.is_not(None),
                  Answer.reviewed_at.is_(None)]
    if flagged_only:
        conditions.append(Answer.safeguarding_flag.is_(True))
    waiting = select(Answer).join(Invitation, Invitation.id == Answer.invitation_id).where(*conditions)
    visible = answers_visible_to(role)
    total = db.session.scalar(select(func.count()).select_from(waiting.where(visible).subquery())) or 0
    held_back = db.session.scalar(select(func.count()).select_from(waiting.where(not_(visible)).subquery())) or 0
    answers = db.session.scalars(
        waiting.where(visible).options(selectinload(Answer.tags))
        .order_by(Answer.received_at.desc(), Answer.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(answers), total, held_back


def reviewable(answer_id: int, role: str) -> Answer | None:
    """A current answer with free text (reviewed or not) that `role` may read, or None."""
    return db.session.scalar(
        select(Answer).join(Invitation, Invitation.id == Answer.invitation_id)
        .where(Answer.id == answer_id, Answer.is_current.is_(True), Answer.free_text.is_not(None),
               answers_visible_to(role))
    )


def answer_has_alert(answer_id: int) -> bool:
    return db.session.scalar(select(SafeguardingAlertItem.id).where(SafeguardingAlertItem.answer_id == answer_id)) is not None


def labelled_example_of_answer(answer_id: int) -> LabelledExample | None:
    return db.session.scalar(select(LabelledExample).where(LabelledExample.answer_id == answer_id))


def labelled_examples() -> list[LabelledExample]:
    return list(db.session.scalars(select(LabelledExample).order_by(LabelledExample.id)))


def theme_tags_kept_and_confirmed() -> tuple[int, int]:
    """Theme tags not rejected (all time), and how many of those a person confirmed or added."""
    kept = db.session.scalar(select(func.count()).select_from(ThemeTag).where(ThemeTag.rejected.is_(False))) or 0
    confirmed = db.session.scalar(select(func.count()).select_from(ThemeTag).where(
        ThemeTag.rejected.is_(False), ThemeTag.confirmed_at.is_not(None))) or 0
    return kept, confirmed
