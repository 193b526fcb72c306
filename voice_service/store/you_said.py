"""'You said, we did' records in the database: one per invitation. Making one and the page's
logic are `learning.you_said_records`. Nothing here commits.
"""
from __future__ import annotations

from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import YouSaidWeDid


def you_said_record(invitation_id: int) -> YouSaidWeDid | None:
    return db.session.scalar(select(YouSaidWeDid).where(YouSaidWeDid.invitation_id == invitation_id))


def follow_up_answered(invitation_id: int) -> bool:
    """Whether the person already told us if what was agreed happened."""
    return db.session.scalar(select(YouSaidWeDid.id).where(
        YouSaidWeDid.invitation_id == invitation_id, YouSaidWeDid.follow_up_answer.is_not(None))) is not None
