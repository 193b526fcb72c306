"""App-wide error pages: plain words, no stack traces, nothing about any child or person.

A database that is briefly unavailable (restarting, failing over) answers 503 with Retry-After,
so browsers, Twilio and API clients can try again; nothing already saved is affected.
"""
from __future__ import annotations

import logging
import time

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import InternalServerError

from voice_service.extensions import db, limiter

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/sms/") or request.accept_mimetypes.best == "application/json"


def _page(kind: str):
    if _wants_json():
        return jsonify(error=kind)
    return render_template("errors.html", kind=kind, page_title=TITLES[kind])


TITLES = {
    "unavailable": "Sorry, we cannot take answers for a minute",
    "error": "Sorry, something went wrong",
    "bad_input": "Sorry, we could not read what was sent",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def retry_after_when_limited(response):
        """A 429 says when to try again. Only then: the per-response X-RateLimit headers are
        off (RATELIMIT_HEADERS_ENABLED), as they cost a trip to the rate-limit store on every
        request and neither Twilio nor a browser reads them."""
        if response.status_code == 429 and "Retry-After" not in response.headers:
            current = limiter.current_limit
            wait = int(current.reset_at - time.time()) + 1 if current is not None else 60
            response.headers["Retry-After"] = str(max(1, wait))
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PendingRollbackError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the teardown discards it
            pass
        log.warning("database unavailable (%s)", type(error).__name__, extra={"endpoint": request.endpoint})
        body = _page("unavailable")
        response = app.make_response((body, 503))
        response.headers["Retry-After"] = "30"
        return response

    @app.before_request
    def refuse_file_parts():
        """No form here takes a file. A file part where text belongs (an answer, the chat, the
        language switch, sign-in, the simulator) reached the form code as a file object and was a
        500; refused here for every field of every form at once."""
        if request.mimetype == "multipart/form-data" and request.files:
            log.warning("a file part was sent to a form", extra={"endpoint": request.endpoint})
            return app.make_response((_page("bad_input"), 400))
        return None

    @app.errorhandler(OverflowError)
    def number_out_of_range(error):
        """A 20-digit page, `before` or id reaches SQLite as an integer it cannot hold (PostgreSQL
        says DataError, handled below): bad input, a plain 400."""
        db.session.rollback()
        log.warning("a number out of range was sent", extra={"endpoint": request.endpoint})
        return app.make_response((_page("bad_input"), 400))

    @app.errorhandler(DataError)
    def data_refused(error):
        """Input the database cannot hold (PostgreSQL: a NUL character in text, a number out of
        range) is bad input, not our failure: a plain 400, and nothing was stored."""
        db.session.rollback()
        log.warning("input refused by the database (%s)", type(getattr(error, "orig", error)).__name__,
                    extra={"endpoint": request.endpoint})
        return app.make_response((_page("bad_input"), 400))

    @app.errorhandler(InternalServerError)
    def server_error(error):
        original = getattr(error, "original_exception", None)
        if isinstance(original, DBAPIError) and original.connection_invalidated:
            return database_unavailable(original)
        log.error("unhandled error (%s)", type(original).__name__, extra={"endpoint": request.endpoint})
        db.session.rollback()
        return app.make_response((_page("error"), 500))
