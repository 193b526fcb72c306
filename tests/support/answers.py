"""Saving an answer as a request does: save it, commit, then tell the duty team of any alert."""
from __future__ import annotations

from voice_service.answers import notify, save_answer
from voice_service.extensions import db


def save_answer_and_commit(invitation, question_id, **fields):
    alerts: list = []
    answer = save_answer(invitation, question_id, alerts=alerts, **fields)
    db.session.commit()
    for alert in alerts:
        notify(alert)
    return answer
