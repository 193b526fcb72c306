"""Saving answers: the one place every channel (web form, web chat, SMS) stores what people say.

Nothing lost: the answer, and any safeguarding alert its words raise, are committed together
before anything else runs. Notifying the duty team happens after the commit; if that fails, the
alert is still open in the inbox and the escalation job chases it.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from voice_service.extensions import db
from voice_service.invitations import mark_in_progress
from voice_service.models import Answer, Invitation, SafeguardingAlert, ThemeTag, utcnow

log = logging.getLogger(__name__)


def encode_value(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def decode_value(raw: str | None) -> Any:
    return None if raw is None else json.loads(raw)


# Built once with bind parameters: every page and every channel reads and saves answers
# through here, so SQLAlchemy should not build and hash these statements again each time.
_CURRENT_ANSWERS = select(Answer).where(Answer.invitation_id == bindparam("for_invitation"), Answer.is_current.is_(True))
_CURRENT_ANSWER = select(Answer).where(
    Answer.invitation_id == bindparam("for_invitation"), Answer.question_id == bindparam("for_question"),
    Answer.is_current.is_(True),
)
_RETIRE_CURRENT = (
    update(Answer)
    .where(Answer.invitation_id == bindparam("for_invitation"), Answer.question_id == bindparam("for_question"),
           Answer.is_current.is_(True))
    .values(is_current=False)
    .execution_options(synchronize_session=False)
)
_LOOK_IT_UP = object()


def current_answers(invitation: Invitation) -> dict[str, Answer]:
    return {a.question_id: a for a in db.session.scalars(_CURRENT_ANSWERS, {"for_invitation": invitation.id})}


def save_answer(
    invitation: Invitation,
    question_id: str,
    *,
    value: Any = None,
    free_text: str | None = None,
    skipped: bool = False,
    channel: str,
    question_text: str | None = None,
    provider_message_id: str | None = None,
    current: Answer | None | object = _LOOK_IT_UP,
    answered: set[str] | None = None,
    known_names: list[str] | None = None,
    alerts: list[SafeguardingAlert] | None = None,
    commit: bool = True,
) -> Answer:
    """Store one answer as the current one for its question (earlier answers are kept).

    `current` is the question's current answer when the caller has just read it in this
    transaction (the web form has); otherwise it is looked up here. `answered`, when the caller
    read it with the invitation locked, is the set of question ids with a current answer: a
    question outside it has nothing to retire (the set is kept up to date here). `known_names`
    are the names the analysis takes out of free text (the participant's, read here if not
    given). With `alerts`,
    an alert the answer raises is added to that list for the caller to notify after its commit.

    Free text is analysed before the commit so that a safeguarding flag and its alert land in
    the same transaction as the answer; an analysis failure never stops the answer being saved.
    """
    encoded = encode_value(value)
    keys = {"for_invitation": invitation.id, "for_question": question_id}
    existing = db.session.scalars(_CURRENT_ANSWER, keys).first() if current is _LOOK_IT_UP else current
    if existing is not None and not existing.skipped and existing.value == encoded and existing.free_text == free_text and not skipped:
        return existing  # a double submission: same answer, nothing new to store
    # Retire whatever is current now (also one another window saved since it was read); the
    # unique index on the current answer refuses a second one.
    if answered is None or question_id in answered:
        db.session.execute(_RETIRE_CURRENT, keys)
    if answered is not None:
        answered.add(question_id)
    if existing is not None:
        set_committed_value(existing, "is_current", False)
    answer = Answer(
        invitation=invitation,
        question_id=question_id,
        value=encoded,
        free_text=free_text,
        skipped=skipped,
        channel=channel,
        provider_message_id=provider_message_id,
        is_current=True,
        received_at=utcnow(),
    )
    db.session.add(answer)
    mark_in_progress(invitation)
    alert = None
    if free_text and free_text.strip():
        alert = _analyse(answer, free_text, question_text, known_names)
    if alert is not None and alerts is not None:
        alerts.append(alert)
    if commit:
        db.session.commit()
        if alert is not None and alerts is None:
            notify(alert)
    return answer


def _analyse(answer: Answer, text: str, question_text: str | None,
             known_names: list[str] | None = None) -> SafeguardingAlert | None:
    try:
        from voice_service.analysis.pipeline import classify, instance_model

        if known_names is None:
            known_names = [answer.invitation.participant.display_name]
        # the trained model when `analyse train` has made one; the codebook and rules always
        result = classify(text, question=question_text, known_names=known_names, model=instance_model())
    except Exception:  # the answer matters more than its analysis: keep it, analyse later
        log.exception("analysis failed; answer kept for re-analysis", extra={"invitation_id": answer.invitation.id})
        return None
    return apply_analysis(answer, result)


def apply_analysis(answer: Answer, result: dict) -> SafeguardingAlert | None:
    """Store the analysis suggestions on an answer; raise an alert when it is flagged."""
    evidence = result.get("evidence") or {}
    answer.sentiment = result.get("sentiment")
    answer.sentiment_source = "model"
    answer.safeguarding_flag = bool(result.get("safeguarding"))
    answer.analysis_evidence = evidence
    answer.analysis_version = str(result.get("version") or "v1")
    answer.analysed_at = utcnow()
    answer.redacted_text = result.get("redacted")
    theme_evidence = evidence.get("themes", {}) if isinstance(evidence, dict) else {}
    for theme_id in result.get("themes", []):
        found = theme_evidence.get(theme_id)
        source = "model" if isinstance(found, list) and any(str(e).startswith("model:") for e in found) else "codebook"
        db.session.add(ThemeTag(answer=answer, theme_id=theme_id, source=source, evidence=found))
    if answer.safeguarding_flag:
        alert = SafeguardingAlert(answer=answer, evidence=evidence.get("safeguarding"), status="open")
        db.session.add(alert)
        return alert
    return None


def flag_text_without_answer(message_id: int, text: str) -> SafeguardingAlert | None:
    """A text that reached no open questions (unknown number, opted out, nothing open) is still
    read for a possible disclosure: a child may text from a friend's phone, or after STOP.
    Adds the alert to the session (the caller commits, then notifies)."""
    if not text or not text.strip():
        return None
    try:
        from voice_service.analysis.pipeline import classify, instance_model

        result = classify(text, model=instance_model())
    except Exception:
        log.exception("analysis of an unanswered text failed", extra={"message_id": message_id})
        return None
    if not result.get("safeguarding"):
        return None
    evidence = result.get("evidence") or {}
    alert = SafeguardingAlert(message_id=message_id, evidence=evidence.get("safeguarding"), status="open")
    db.session.add(alert)
    return alert


def notify(alert: SafeguardingAlert) -> None:
    """Tell the duty team of a committed alert (never raises)."""
    try:
        from voice_service.alerts import notify_duty_team

        notify_duty_team(alert)
    except Exception:  # the alert stays open in the inbox; escalation chases it
        log.exception("duty team notification failed", extra={"alert_id": alert.id})
