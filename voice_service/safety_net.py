"""Every word a person sends is read for risk, at every door, before the reply.

A text or a chat line may carry a disclosure whatever the conversation is waiting for: a number
question ("no cos my mum's boyfriend hits her"), a keyword with words around it ("stop, he hits
me"), a message after STOP, from a number we do not know, after the survey finished, or while we
asked which of two meetings comes first. The engine's answers are analysed as they are saved
(answers.save_answer); `read_for_risk` reads the message's own words whenever no saved answer
carried them whole, and raises the alert on the message, in the same transaction.

The reply stays calm and neutral (phones are shared): a flagged message gets the survey's
"thank you for telling us" wording; words about self-harm or suicide get crisis numbers at any
door, unknown numbers included, revealing nothing about any case.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from voice_service.answers import alert_evidence, is_crisis, notify, raise_alert
from voice_service.models import Answer, Invitation, Message, SafeguardingAlert

log = logging.getLogger(__name__)


@dataclass
class Risk:
    """What reading one message found."""

    flagged: bool = False  # a possible disclosure: a person reads it today
    crisis: bool = False  # self-harm or suicide: the reply gives crisis numbers
    needs_interpreter: bool = False
    alerts: list[SafeguardingAlert] = field(default_factory=list)  # raised now, to notify after the commit


def read_for_risk(words: str, *, message: Message | None = None, invitation: Invitation | None = None,
                  answers: list[Answer] = (), alerts: list[SafeguardingAlert] | None = None,
                  phone_hash: str | None = None) -> Risk:
    """Read one message's words; raise an alert on the message when they disclose risk (or need
    an interpreter) and no answer saved from them raised one already."""
    alerts = list(alerts or [])
    from_answers = any(a.safeguarding_flag for a in answers)
    carried = next((a for a in answers if a.free_text and a.free_text.strip() == (words or "").strip()), None)
    if carried is not None:  # the answer's analysis read exactly these words
        evidence = carried.analysis_evidence or {}
        return Risk(bool(carried.safeguarding_flag), bool(evidence.get("crisis")),
                    bool(evidence.get("needs_interpreter")), alerts)
    result = _analyse(words, message)
    if result is None:
        return Risk(from_answers, False, False, alerts)
    flagged, needs_interpreter = bool(result.get("safeguarding")), bool(result.get("needs_interpreter"))
    if (flagged or needs_interpreter) and not from_answers:
        alert = raise_alert(alert_evidence(result), message=message, model_version=str(result.get("version") or ""))
        if alert is not None:
            alerts.append(alert)
    return Risk(flagged or from_answers, is_crisis(result), needs_interpreter, alerts)


# A message that is only a number, emoji or one of these words has nothing to read for risk
# (the engine's commands, greetings, yes and no): the model is not asked, which is most texts.
_NO_RISK_WORDS = frozenset({
    "hi", "hey", "hiya", "hello", "yes", "yeah", "yep", "no", "nah", "nope", "ok", "okay", "skip", "back",
    "help", "repeat", "stop", "start", "thanks", "thank", "you", "please", "pls",
})
_WORD = re.compile(r"[^\W\d_]+")


def has_words_to_read(words: str) -> bool:
    return any(w.casefold() not in _NO_RISK_WORDS for w in _WORD.findall(words or ""))


def _analyse(words: str, message: Message | None) -> dict | None:
    if not has_words_to_read(words):
        return None
    try:
        from voice_service.analysis.pipeline import classify, instance_model

        return classify(words, model=instance_model())
    except Exception:  # the message is kept whatever happens; a person can still read it
        log.exception("analysis of a message failed", extra={"message_id": getattr(message, "id", None)})
        return None


def reply_with_care(reply: str, risk: Risk, invitation: Invitation | None = None) -> str:
    """The reply, with crisis numbers first when the words were about self-harm or suicide, or
    the survey's calm "thank you for telling us" when they were flagged."""
    if risk.crisis:
        return crisis_reply(invitation.language if invitation is not None else "en") + ("\n\n" + reply if reply else "")
    if risk.flagged:
        signpost = _survey_signpost(invitation) or _calm_signpost()
        return signpost + ("\n\n" + reply if reply else "")
    return reply


def crisis_reply(language: str = "en") -> str:
    from voice_service.conversation import translate

    return translate(
        "You are not alone. If you are in danger now, call 999. Samaritans: 116 123, free, any time. "
        "Under 19: Childline 0800 1111. Or text SHOUT to 85258.", language or "en",
    )


def _calm_signpost() -> str:
    from voice_service.conversation import translate

    return translate("Thank you for telling us. If anyone is in danger now, call 999. Childline is free: 0800 1111.", "en")


def _survey_signpost(invitation: Invitation | None) -> str | None:
    if invitation is None:
        return None
    from voice_service.messaging.texts import fill, service_info, survey_for

    survey = survey_for(invitation)
    if survey is None or "safeguarding_reply" not in survey.sms:
        return None
    info = service_info()
    return fill(survey.sms["safeguarding_reply"], {"service": info.name, "phone": info.phone})


def notify_all(risk: Risk) -> None:
    """After the commit: tell the duty team of every alert the message raised."""
    for alert in risk.alerts:
        notify(alert)
