"""Logging with ids, never people: a filter removes phone-like strings and private-link tokens."""
from __future__ import annotations

import logging
import re

from flask import Flask

# UK and international numbers in the forms people type them, with or without spaces.
PHONE_LIKE = re.compile(r"(?:(?:\+|00)\d{1,3}[\s-]?)?(?:\(?0?\d{2,5}\)?[\s-]?)\d{3,4}[\s-]?\d{3,4}")


# A private link is as good as a password: never let one reach a log (werkzeug logs paths).
PRIVATE_LINK = re.compile(r"/r/[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    return PHONE_LIKE.sub("[phone]", PRIVATE_LINK.sub("/r/[token]", text))


class RedactPhoneNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not stop logging
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def init_app(app: Flask) -> None:
    from flask.logging import default_handler

    # One handler (the root's), so nothing is printed twice.
    app.logger.removeHandler(default_handler)
    level = app.config.get("LOG_LEVEL") or ("INFO" if app.config["ENV_NAME"] == "production" else "WARNING")
    logging.getLogger("voice_service").setLevel(level)
    # APScheduler says "running job ..." every minute: keep that out of a newcomer's terminal.
    logging.getLogger("apscheduler").setLevel(app.config.get("LOG_LEVEL") or "WARNING")
    redactor = RedactPhoneNumbers()
    root = logging.getLogger()
    if not any(isinstance(f, RedactPhoneNumbers) for f in root.filters):
        root.addFilter(redactor)
    for handler in root.handlers:
        if not any(isinstance(f, RedactPhoneNumbers) for f in handler.filters):
            handler.addFilter(redactor)
    app.logger.addFilter(redactor)
    logging.getLogger("werkzeug").addFilter(redactor)
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        for handler in root.handlers:
            handler.addFilter(redactor)
