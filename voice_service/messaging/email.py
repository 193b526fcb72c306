"""Sending emails and letters to families: GOV.UK Notify, SMTP, or the dev outbox.

Chosen by settings (``EMAIL_SENDER``: auto | notify | smtp | outbox; auto means Notify when
``NOTIFY_API_KEY`` is set, else SMTP when ``SMTP_HOST`` is set, else the outbox, which
production refuses). Letters (``LETTER_SENDER``: auto | notify | print | outbox): Notify's
precompiled-letter API when ``NOTIFY_API_KEY`` and ``NOTIFY_LETTERS=1`` are set, else "print"
(the worker prints it from the meeting page), and the outbox in development.

Each sender only calls its provider; :mod:`voice_service.messaging.outreach` keeps the
``Message`` rows. Nothing here logs an address or a body.
"""
from __future__ import annotations

import io
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

import requests
from flask import Flask, current_app

from voice_service.messaging.smtp import smtp_send


class DeliveryError(Exception):
    """Not sent (or maybe not). `retryable` only when the provider certainly did not take it."""

    def __init__(self, code: str, reason: str, *, retryable: bool = False):
        super().__init__(reason)
        self.code = str(code)[:16]
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class Delivery:
    provider_id: str
    status: str  # a vocab.MESSAGE_STATUSES value


class OutboxEmail:
    """Development: the Message row is the outbox (/dev/outbox); nothing leaves the machine."""

    name = "outbox"

    def send_email(self, to: str, subject: str, body: str, reference: str) -> Delivery:
        return Delivery("OX" + uuid.uuid4().hex, "delivered")

    def send_letter(self, pdf: bytes, reference: str) -> Delivery:
        return Delivery("OX" + uuid.uuid4().hex, "delivered")


class NoEmail:
    """Production with no email provider set: every email fails with a reason staff can act on."""

    name = "none"

    def send_email(self, to: str, subject: str, body: str, reference: str) -> Delivery:
        raise DeliveryError("no_provider", "no email provider: set NOTIFY_API_KEY or SMTP_HOST")


class PrintLetters:
    """No postal provider: the letter is ready for the worker to print from the meeting page."""

    name = "print"

    def send_letter(self, pdf: bytes, reference: str) -> Delivery:
        return Delivery("PRINT-" + reference, "queued")


class SmtpEmail:
    """Plain-text email through SMTP_HOST (465: TLS; otherwise STARTTLS), from MAIL_FROM."""

    name = "smtp"

    def __init__(self, app: Flask):
        self.config = app.config

    def send_email(self, to: str, subject: str, body: str, reference: str) -> Delivery:
        config = self.config
        message = EmailMessage()
        message["From"] = config["MAIL_FROM"]
        message["To"] = to
        message["Subject"] = subject
        message_id = f"<{reference}.{uuid.uuid4().hex}@{config['MAIL_FROM'].split('@')[-1]}>"
        message["Message-ID"] = message_id
        message.set_content(body)
        try:
            refused = smtp_send(config, message)
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryError("refused", "the mail server refused the address") from None
        except (ConnectionRefusedError, smtplib.SMTPConnectError):
            raise DeliveryError("connection", "the mail server could not be reached", retryable=True) from None
        except ssl.SSLCertVerificationError:  # at the TLS handshake, before any address or words went
            raise DeliveryError("tls", "the mail server's certificate could not be checked", retryable=True) from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError("smtp", f"the mail server failed ({type(error).__name__})") from None
        if refused:
            raise DeliveryError("refused", "the mail server refused the address")
        return Delivery(message_id.strip("<>"), "sent")


class NotifyClient:
    """GOV.UK Notify through the official `notifications-python-client`.

    Emails use one template (``NOTIFY_EMAIL_TEMPLATE_ID``) whose subject is ``((subject))`` and
    whose body is ``((body))``: the words are ours, in the person's language. Letters are our
    own PDF, sent with the precompiled-letter API. ``NOTIFY_BASE_URL`` points it elsewhere (tests).
    """

    name = "notify"

    def __init__(self, app: Flask, client=None):
        from notifications_python_client.notifications import NotificationsAPIClient

        config = app.config
        self.template_id = config.get("NOTIFY_EMAIL_TEMPLATE_ID")
        self.reply_to_id = config.get("NOTIFY_EMAIL_REPLY_TO_ID")
        self.postage = config.get("NOTIFY_LETTER_POSTAGE") or "second"
        self.client = client or NotificationsAPIClient(
            config["NOTIFY_API_KEY"], base_url=config.get("NOTIFY_BASE_URL") or "https://api.notifications.service.gov.uk",
            timeout=20,
        )

    def send_email(self, to: str, subject: str, body: str, reference: str) -> Delivery:
        if not self.template_id:
            raise DeliveryError("no_template", "set NOTIFY_EMAIL_TEMPLATE_ID")
        options = {"email_address": to, "template_id": self.template_id,
                   "personalisation": {"subject": subject, "body": body}, "reference": reference}
        if self.reply_to_id:
            options["email_reply_to_id"] = self.reply_to_id
        created = self._call(self.client.send_email_notification, **options)
        return Delivery(str(created["id"]), "sending")

    def send_letter(self, pdf: bytes, reference: str) -> Delivery:
        created = self._call(self.client.send_precompiled_letter_notification, reference=reference,
                             pdf_file=io.BytesIO(pdf), postage=self.postage)
        return Delivery(str(created["id"]), "sending")

    @staticmethod
    def _call(method, **options) -> dict:
        from notifications_python_client.errors import APIError

        try:
            return method(**options)
        except APIError as error:
            status = error.status_code
            cause = error.__cause__
            if error.response is None:
                # No answer at all: certain only when the connection was never made.
                never = isinstance(cause, requests.exceptions.ConnectTimeout) or (
                    isinstance(cause, requests.exceptions.ConnectionError)
                    and ("NewConnectionError" in repr(cause) or "Failed to establish" in str(cause)))
                raise DeliveryError("connection", "GOV.UK Notify could not be reached", retryable=never) from None
            if status in (429, 503):
                raise DeliveryError(str(status), f"GOV.UK Notify was busy (HTTP {status})", retryable=True) from None
            if status >= 500:
                raise DeliveryError(str(status), "GOV.UK Notify had a server error: it may have it") from None
            # 400: a bad address or a letter Notify cannot post; 403: a bad key. Never the address in the reason.
            kinds = {e.get("error") for e in (error.response.json().get("errors") or [])} if _is_json(error.response) else set()
            code = "rejected" if "ValidationError" in kinds or "BadRequestError" in kinds else str(status)
            raise DeliveryError(code, f"GOV.UK Notify refused it (HTTP {status})") from None


def _is_json(response) -> bool:
    try:
        response.json()
        return True
    except ValueError:
        return False


def email_sender(app: Flask | None = None):
    """The app's email sender (built once; tests may replace app.extensions['email_sender'])."""
    app = app or current_app._get_current_object()
    sender = app.extensions.get("email_sender")
    if sender is None:
        choice = app.config.get("EMAIL_SENDER") or "auto"
        if choice == "notify" or (choice == "auto" and app.config.get("NOTIFY_API_KEY")):
            sender = NotifyClient(app)
        elif choice == "smtp" or (choice == "auto" and app.config.get("SMTP_HOST")):
            sender = SmtpEmail(app)
        else:
            sender = NoEmail() if app.config.get("ENV_NAME") == "production" else OutboxEmail()
        app.extensions["email_sender"] = sender
    return sender


def letter_sender(app: Flask | None = None):
    """The app's letter sender: Notify (precompiled letters), print, or the dev outbox."""
    app = app or current_app._get_current_object()
    sender = app.extensions.get("letter_sender")
    if sender is None:
        choice = app.config.get("LETTER_SENDER") or "auto"
        if choice == "notify" or (choice == "auto" and app.config.get("NOTIFY_API_KEY") and app.config.get("NOTIFY_LETTERS")):
            sender = NotifyClient(app)
        elif choice == "print" or (choice == "auto" and app.config.get("ENV_NAME") == "production"):
            sender = PrintLetters()
        else:
            sender = OutboxEmail()
        app.extensions["letter_sender"] = sender
    return sender
