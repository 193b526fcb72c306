"""Sending one email through the SMTP server in settings: the one connection routine for the duty
team's notices (alerts.py) and families' emails (messaging/email.py). Raises smtplib's and the
socket's own errors; each caller says what they mean to its users."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage


def smtp_send(config, message: EmailMessage) -> dict:
    """Send `message` through SMTP_HOST (TLS on 465, STARTTLS otherwise); returns the refused
    recipients, as smtplib does."""
    port = int(config.get("SMTP_PORT") or 587)
    # The server's certificate is always checked, for SMTP_HOST: against SMTP_CA_FILE when set (a
    # relay signed by the council's own CA), else the system's store.
    context = ssl.create_default_context(cafile=config.get("SMTP_CA_FILE") or None)
    if port == 465:
        smtp = smtplib.SMTP_SSL(config["SMTP_HOST"], port, timeout=20, context=context)
    else:
        smtp = smtplib.SMTP(config["SMTP_HOST"], port, timeout=20)
    with smtp:
        if port != 465:
            smtp.starttls(context=context)  # no STARTTLS offered: SMTPNotSupportedError, nothing sent
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        return smtp.send_message(message)
