"""Safeguarding alerts: telling the duty team, the inbox's changes, and escalation.

`answers.save_answer` raises the alert in the same transaction as the flagged answer; whoever
commits it (the page handler, the inbound text) calls `answers.notify`, and so
`notify_duty_team`, after the commit. The notice says only that an alert is waiting and where:
never the answer's words, the child's case or anyone's name (email and SMS are not private
enough). Without SMTP_HOST (development, tests) the email goes to the dev mail outbox: a list in
`app.extensions["mail_outbox"]` and a log line with ids only.

An alert still open ALERT_ESCALATE_AFTER_MINUTES after it was raised is escalated, once, to
ESCALATION_EMAIL by `escalate_overdue_alerts(now)`, which the clock runs every few minutes
(`escalation_job`). That job also retries the duty-team notice of any alert whose first notice
failed.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app

from voice_service import audit
from voice_service.extensions import db
from voice_service.models import SafeguardingAlert, User, utcnow
from voice_service.store.alerts import unescalated_open_alerts_raised_by, unnotified_open_alerts

log = logging.getLogger(__name__)


class NotifyError(RuntimeError):
    pass


# Sending ----------------------------------------------------------------------------------------

def send_email(to: str, subject: str, body: str) -> None:
    """Send a plain-text email through SMTP_HOST, or record it in the dev mail outbox."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        current_app.extensions.setdefault("mail_outbox", []).append({"to": to, "subject": subject, "body": body})
        log.info("email recorded in the dev mail outbox", extra={"subject": subject})
        return
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        from voice_service.messaging.smtp import smtp_send

        smtp_send(config, message)
    except (OSError, smtplib.SMTPException) as error:
        raise NotifyError(f"email not sent: {type(error).__name__}") from error


def send_sms(to: str, body: str) -> bool:
    """Text the duty team through the service's SMS sender, when one is installed."""
    try:
        from voice_service.messaging import get_sender
    except ImportError:
        log.warning("no SMS sender installed; duty team SMS skipped")
        return False
    sender = get_sender(current_app._get_current_object())
    sender.send(to=to, body=body)
    return True


def _inbox_url(alert_id: int | None = None) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    return f"{base}/staff/alerts/{alert_id}" if alert_id else f"{base}/staff/alerts"


def _duty_email_body(alert: SafeguardingAlert) -> str:
    return (
        f"A possible safeguarding concern needs someone to look at it today.\n\n"
        f"Alert number {alert.id}, raised at {london_time(alert.raised_at)}.\n"
        f"Sign in to read it and record what you did: {_inbox_url(alert.id)}\n\n"
        f"This email does not contain what the person wrote. Please do not reply to it."
    )


def london_time(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%d %B %Y %H:%M (London time)")


def notify_duty_team(alert: SafeguardingAlert) -> None:
    """Tell the duty team a new alert is waiting (ids only: never the answer's words).

    Email to DUTY_TEAM_EMAIL and, when DUTY_TEAM_SMS is set, a neutral text. Sets notified_at
    when at least one notice went; raises NotifyError if none did (the alert stays open in the
    inbox and the escalation job retries)."""
    config = current_app.config
    sent = []
    problems = []
    if config.get("DUTY_TEAM_EMAIL"):
        try:
            send_email(config["DUTY_TEAM_EMAIL"], f"{config['SERVICE_NAME']}: safeguarding alert {alert.id}",
                       _duty_email_body(alert))
            sent.append("email")
        except NotifyError as error:
            problems.append(str(error))
    if config.get("DUTY_TEAM_SMS"):
        try:
            if send_sms(config["DUTY_TEAM_SMS"], f"{config['SERVICE_NAME']}: a new urgent alert is waiting. Please check the alerts inbox."):
                sent.append("sms")
        except Exception as error:  # a provider problem must not hide the email that did go
            problems.append(f"sms not sent: {type(error).__name__}")
    log.warning("safeguarding alert raised", extra={"alert_id": alert.id, "notified_by": ",".join(sent)})
    if not sent:
        raise NotifyError("; ".join(problems) or "no duty team contact configured")
    alert.notified_at = utcnow()
    audit.record(None, "alert_notified", alert, {"channels": sent})
    db.session.commit()


def escalate_overdue_alerts(now: datetime | None = None) -> int:
    """Escalate, once, every alert still open ALERT_ESCALATE_AFTER_MINUTES after it was raised;
    retry the duty-team notice of alerts never notified. Returns how many were escalated.

    Safe to run in two clock processes at once: rows are claimed FOR UPDATE SKIP LOCKED on
    PostgreSQL, and escalated_at is set in the same transaction as the email is recorded."""
    now = now or utcnow()
    config = current_app.config
    cutoff = now - timedelta(minutes=int(config["ALERT_ESCALATE_AFTER_MINUTES"]))
    for alert in unnotified_open_alerts():
        try:
            notify_duty_team(alert)
        except Exception:
            db.session.rollback()
            log.exception("duty team notice retry failed", extra={"alert_id": alert.id})
    escalated = 0
    for alert in unescalated_open_alerts_raised_by(cutoff):
        try:
            send_email(
                config["ESCALATION_EMAIL"],
                f"{config['SERVICE_NAME']}: safeguarding alert {alert.id} not yet acknowledged",
                f"Safeguarding alert number {alert.id} was raised at {london_time(alert.raised_at)} and nobody has "
                f"acknowledged it after {config['ALERT_ESCALATE_AFTER_MINUTES']} minutes.\n\n"
                f"Please make sure someone looks at it now: {_inbox_url(alert.id)}\n\n"
                f"This email does not contain what the person wrote.",
            )
        except NotifyError:
            log.exception("escalation email failed", extra={"alert_id": alert.id})
            continue
        alert.escalated_at = now
        audit.record(None, "alert_escalated", alert)
        escalated += 1
    db.session.commit()
    return escalated


def escalation_job() -> dict:
    """The clock's job (no arguments, inside an app context)."""
    return {"escalated": escalate_overdue_alerts()}


# The inbox's changes (its rows: store.alerts) ---------------------------------------------------

ALERT_ROLES = ("admin", "chair", "worker")


class AlertChangeRefused(ValueError):
    pass


def acknowledge(alert: SafeguardingAlert, user: User, now: datetime | None = None) -> None:
    """Someone has taken the alert on (stops escalation). Audited; caller commits."""
    if alert.status != "open":
        raise AlertChangeRefused("This alert has already been acknowledged")
    alert.status = "acknowledged"
    alert.acknowledged_at = now or utcnow()
    alert.acknowledged_by_id = user.id
    audit.record(user, "alert_acknowledged", alert)


def record_action(alert: SafeguardingAlert, user: User, notes: str, now: datetime | None = None) -> None:
    """What was done about it. Acknowledges it too if nobody had. Audited; caller commits."""
    now = now or utcnow()
    if alert.status == "actioned":
        raise AlertChangeRefused("The action on this alert has already been recorded")
    if alert.status == "open":
        acknowledge(alert, user, now)
    alert.status = "actioned"
    alert.actioned_at = now
    alert.actioned_by_id = user.id
    alert.action_notes = notes.strip()
    alert.outcome = alert.outcome or "concern"
    audit.record(user, "alert_actioned", alert)


def record_not_a_concern(alert: SafeguardingAlert, user: User, reason: str, now: datetime | None = None) -> int:
    """Closed as not a concern, with the reason. Each of its words becomes a labelled example
    (not a disclosure) for the next model: the duty team's judgement teaches the flag. Returns
    how many examples were kept. Audited; caller commits."""
    from voice_service.models import LabelledExample

    record_action(alert, user, f"Not a concern: {reason.strip()}", now)
    alert.outcome, alert.outcome_reason = "not_a_concern", reason.strip()
    kept = 0
    for item in alert.items:
        answer, message, feedback = item.answer, item.message, item.source_feedback
        if answer is not None:
            text = answer.redacted_text or answer.free_text
        elif feedback is not None:
            text = feedback.redacted_text if feedback.text != _forgotten() else None
        else:
            text = message.body if message else None
        if answer is None and text:
            from voice_service.analysis.redaction import redact

            text = redact(text)
        if not text:
            continue
        db.session.add(LabelledExample(answer_id=answer.id if answer is not None else None,
                                       source_feedback_id=feedback.id if feedback is not None else None, text=text,
                                       question=None, themes=[], safeguarding=False, labelled_by_id=user.id))
        kept += 1
    audit.record(user, "alert_not_a_concern", alert, {"examples": kept})
    return kept


@dataclass(frozen=True)
class AlertWords:
    """One flagged answer or message on an alert, as the duty team reads it."""

    at: datetime
    question: str
    words: str | None
    rules: list[str]
    model_version: str | None
    answer_id: int | None
    message_id: int | None
    source_feedback_id: int | None = None


def alert_words(alert: SafeguardingAlert) -> list[AlertWords]:
    """Every flagged answer or message on the alert, oldest first."""
    from voice_service.meetings.views import question_wording, survey_of

    said = []
    for item in alert.items:
        answer, message, feedback = item.answer, item.message, item.source_feedback
        if feedback is not None:
            from voice_service.other_voices import SOURCES

            asked = f"Feedback staff recorded from another source: {SOURCES.get(feedback.source, feedback.source)}"
            said.append(AlertWords(item.raised_at, asked, feedback.text, _rules(item), item.model_version, None, None,
                                    feedback.id))
            continue
        if answer is not None:
            invitation = answer.invitation
            survey = survey_of(invitation.survey_id, invitation.survey_version)
            question = survey.question(answer.question_id) if survey else None
            asked, words, at = question_wording(question, answer.question_id), answer.free_text, answer.received_at
        else:
            channel = "chat line" if message is not None and message.channel == "webchat" else "text message"
            asked = (f"A {channel} the questions could not take (a number was asked for, a keyword, or a choice)"
                     if message is not None and message.invitation_id else
                     "A text message from a number with no questions open (unknown, finished, or texted STOP)")
            words, at = (message.body if message else None), (message.created_at if message else item.raised_at)
        said.append(AlertWords(at, asked, words, _rules(item), item.model_version, item.answer_id, item.message_id))
    return said


def _rules(item) -> list[str]:
    return [str(e) for e in (item.evidence or [])] if isinstance(item.evidence, list) else []


def _forgotten() -> str:
    from voice_service.other_voices import FORGOTTEN

    return FORGOTTEN

