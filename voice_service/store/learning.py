"""Learning Loop actions in the database: one by id, every one for staff, the published ones for
the public page. Creating and changing them is `learning.action_records`. Nothing here commits.
"""
from __future__ import annotations

from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import LearningAction


def learning_action_by_id(action_id: int) -> LearningAction | None:
    return db.session.get(LearningAction, action_id)


def all_actions() -> list[LearningAction]:
    """Every action, soonest due first."""
    return list(db.session.scalars(select(LearningAction).order_by(LearningAction.due_on, LearningAction.id)))


def published_actions() -> list[LearningAction]:
    """The actions published for families, newest first."""
    return list(db.session.scalars(select(LearningAction).where(LearningAction.published.is_(True))
                                   .order_by(LearningAction.created_at.desc())))
