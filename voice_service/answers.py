"""Saving answers: the one place every channel (web form, web chat, SMS) stores what people say.

Nothing lost: the answer, and any safeguarding alert its words raise, are committed together
by the caller before anything else runs (the statements themselves: voice_service/store/answers.py). Notifying the duty team happens after the commit; if that fails, the
alert is still open in the inbox and the escalation job chases it.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from voice_service import advocacy
from voice_service.extensions import db
from voice_service.invitations import mark_in_progress
from voice_service.store import answers as stored
from voice_service.store.alerts import open_alert_for
from voice_service.models import Answer, Invitation, SafeguardingAlert, SafeguardingAlertItem, ThemeTag, utcnow
from voice_service.vocab import VISIBILITY

log = logging.getLogger(__name__)


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
    alerts: list[SafeguardingAlert] | None = None,
) -> Answer:
    """Store one answer as the current one for its question (earlier answers are kept). The
    caller commits: a web handler, the inbound text's turn, a CLI command.

    Free text is analysed here so that a safeguarding flag and its alert land in the same
    transaction as the answer; an analysis failure never stops the answer being saved. An alert
    the answer raises is added to `alerts` for the caller to notify after its commit (without
    `alerts` nobody is told, so pass it wherever words can be free text).
    """
    encoded = stored.encode_value(value)
    # Retire whatever is current now, in one statement that returns it (also one another window
    # saved a moment ago); the unique index on the current answer refuses a second one saved
    # between here and the flush.
    retired = stored.retire_current_answer(invitation.id, question_id)
    if retired is not None and not retired.skipped and not skipped and (retired.value, retired.free_text) == (encoded, free_text):
        # a double submission (the web form sent twice): the same answer stays current
        return stored.restore_current_answer(retired.id)
    if retired is not None:
        known = db.session.identity_map.get(identity_key(Answer, retired.id))
        if known is not None:
            set_committed_value(known, "is_current", False)
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
        alert = analyse_answer(answer, free_text, question_text)
    if alert is not None and alerts is not None:
        alerts.append(alert)
    return answer


def record_choice(invitation: Invitation, question, value: Any, skipped: bool) -> None:
    """What an answer to a choice question means for the invitation, on every channel: who may
    see the answers, and whether an advocate or time alone with the chair was asked for."""
    if question is None:
        return
    if question.kind == "visibility" and not skipped and value in VISIBILITY:
        invitation.visibility = value
    if question.kind == "advocate":
        chosen = set(value or []) if not skipped else set()
        invitation.advocate_requested = "advocate" in chosen
        invitation.speak_to_chair_alone = "speak_to_chair" in chosen
        advocacy.follow_choice(invitation)


def analyse_answer(answer: Answer, text: str, question_text: str | None) -> SafeguardingAlert | None:
    try:
        from voice_service.analysis.pipeline import classify, instance_model
        from voice_service.analysis.quote_approval import meeting_names

        # every name held for the meeting, not only the respondent's: answers name the others
        known_names = meeting_names(answer.invitation.participant.meeting_id)
        # the trained model when `analyse train` has made one; the codebook and rules always
        result = classify(text, question=question_text, known_names=known_names, model=instance_model())
    except Exception:  # the answer matters more than its analysis: keep it, analyse later
        log.exception("analysis failed; answer kept for re-analysis", extra={"invitation_id": answer.invitation.id})
        return None
    return apply_analysis(answer, result)


def apply_analysis(answer: Answer, result: dict) -> SafeguardingAlert | None:
    """Store the analysis suggestions on an answer; raise an alert when it is flagged, or when
    it is in a language the analysis cannot read (a person must read it today)."""
    evidence = stored_evidence(result)
    answer.sentiment = result.get("sentiment")
    answer.sentiment_source = "model"
    answer.safeguarding_flag = bool(result.get("safeguarding"))
    answer.analysis_evidence = evidence
    answer.analysis_version = str(result.get("version") or "v1")
    answer.analysed_at = utcnow()
    answer.redacted_text = result.get("redacted")
    theme_evidence = evidence.get("themes", {}) if isinstance(evidence.get("themes"), dict) else {}
    for theme_id in result.get("themes", []):
        found = theme_evidence.get(theme_id)
        source = "model" if isinstance(found, list) and any(str(e).startswith("model:") for e in found) else "codebook"
        db.session.add(ThemeTag(answer=answer, theme_id=theme_id, source=source, evidence=found))
    if answer.safeguarding_flag or evidence["needs_interpreter"]:
        return raise_alert(alert_evidence(result), answer=answer, model_version=answer.analysis_version)
    return None


def stored_evidence(result: dict) -> dict:
    """What is kept of one analysis with the words it read (an answer, other-source feedback)."""
    return dict(result.get("evidence") or {}, crisis=is_crisis(result), language=result.get("language"),
                needs_interpreter=bool(result.get("needs_interpreter")))


def is_crisis(result: dict) -> bool:
    """Words about self-harm or suicide: the reply gives crisis numbers, at any door."""
    reasons = (result.get("evidence") or {}).get("safeguarding_reasons") or []
    return bool(result.get("crisis")) or "self_harm_suicide" in reasons


def alert_evidence(result: dict) -> list:
    """What an alert keeps of the analysis: the rules and words that fired, and a note when the
    words need an interpreter."""
    evidence = list((result.get("evidence") or {}).get("safeguarding") or [])
    if result.get("needs_interpreter"):
        evidence.append(f"needs an interpreter (language: {result.get('language') or 'unknown'})")
    return evidence


def raise_alert(evidence, *, answer: Answer | None = None, message=None, source_feedback=None,
                model_version: str | None = None) -> SafeguardingAlert | None:
    """A possible disclosure for a person to read today, on an answer, on a message no answer
    took, or on feedback staff recorded from another source (other_voices.py). Added to the
    session: the caller commits, then notifies.

    One open alert per person (a participant belongs to one meeting), or per number for texts
    from a number with no questions open: later flagged words are added to it as items, so the
    duty team reads them together. Feedback from another source has no person to group by: each
    gets its own alert. Returns the alert to notify: a new one, or one that had been
    acknowledged and is open again; None when the words joined an alert still waiting."""
    participant_id = _whose(answer, message)
    phone = getattr(message, "phone_hash", None) if participant_id is None else None
    item = SafeguardingAlertItem(answer=answer, message=message, source_feedback=source_feedback, evidence=evidence,
                                 model_version=model_version)
    alert = open_alert_for(participant_id, phone)
    if alert is None:
        alert = SafeguardingAlert(answer=answer, message=message, source_feedback=source_feedback, evidence=evidence,
                                  status="open", participant_id=participant_id, phone_hash=phone,
                                  model_version=model_version)
        db.session.add(alert)
        alert.items.append(item)
        return alert
    alert.items.append(item)
    if alert.status == "acknowledged":  # new words on an alert someone has taken: tell them again
        alert.status, alert.notified_at = "open", None
        return alert
    return None


def _whose(answer: Answer | None, message) -> int | None:
    invitation = answer.invitation if answer is not None else getattr(message, "invitation", None)
    return invitation.participant_id if invitation is not None else None


def notify(alert: SafeguardingAlert) -> None:
    """Tell the duty team of a committed alert (never raises)."""
    try:
        from voice_service.alerts import notify_duty_team

        notify_duty_team(alert)
    except Exception:  # the alert stays open in the inbox; escalation chases it
        log.exception("duty team notification failed", extra={"alert_id": alert.id})
