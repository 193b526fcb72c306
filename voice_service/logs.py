"""Logging with ids, never people: a filter removes phone-like strings, emails and private-link
tokens, and the formatter shows the ids a call passes in `extra=` (`invitation_id=12`) but no
free text: a string in `extra=` is shown only under a key known to hold codes, not people's words."""
from __future__ import annotations

import logging
import re
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

# UK and international numbers in the forms people type them, with or without spaces.
PHONE_LIKE = re.compile(r"(?:(?:\+|00)\d{1,3}[\s-]?)?(?:\(?0?\d{2,5}\)?[\s-]?)\d{3,4}[\s-]?\d{3,4}")


# A private link is as good as a password: never let one reach a log (werkzeug logs paths).
PRIVATE_LINK = re.compile(r"/r/[A-Za-z0-9_-]{16,}")


EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    return PHONE_LIKE.sub("[phone]", EMAIL_LIKE.sub("[email]", PRIVATE_LINK.sub("/r/[token]", text)))


# What every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# Keys whose string values are codes or states (never a person's words), so they are shown.
CODE_KEYS = frozenset({"status", "state", "error", "code", "job", "endpoint", "sender", "keyword", "notified_by"})
_CODE_LIKE = re.compile(r"[\w.:,/-]{1,64}")
_ID_KEY = re.compile(r".+_(?:id|sid|ref)$")


def shown_value(key: str, value: Any) -> str:
    """How one `extra=` value appears in a log line: numbers and codes as they are, text never."""
    if value is None or isinstance(value, (bool, int, float)):
        return str(value)
    if isinstance(value, dict) and all(isinstance(v, (int, float)) for v in value.values()):
        return "{" + ",".join(f"{k}:{v}" for k, v in value.items()) + "}"
    if isinstance(value, str) and (key in CODE_KEYS or _ID_KEY.match(key)) and _CODE_LIKE.fullmatch(value):
        return value
    return "[not shown]"


class WithIds(logging.Formatter):
    """The usual line, then `key=value` for each field passed in `extra=`; redacted as a whole."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = [f"{key}={shown_value(key, value)}" for key, value in vars(record).items()
                  if key not in _STANDARD and not key.startswith("_")]
        if fields:
            first, newline, rest = line.partition("\n")  # after the message, before any traceback
            line = f"{first} {' '.join(fields)}{newline}{rest}"
        return redact(line)


LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def make_handler(stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(WithIds(LINE_FORMAT))
    handler.addFilter(RedactPhoneNumbers())
    return handler


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
        root.addHandler(make_handler())
        root.setLevel(logging.INFO)
