"""Twilio webhooks: inbound messages and delivery status callbacks.

Registered with the "signature required" policy: every request must carry an X-Twilio-Signature
made with TWILIO_AUTH_TOKEN over PUBLIC_BASE_URL + path and the form fields, else 403 before
these views run. CSRF does not apply (Twilio cannot hold a CSRF token; the signature is the check).
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_limiter.util import get_remote_address
from twilio.twiml.messaging_response import MessagingResponse

from voice_service.crypto import phone_hash
from voice_service.extensions import csrf, limiter
from voice_service.messaging import inbound, status

bp = Blueprint("sms", __name__, url_prefix="/sms")
csrf.exempt(bp)


def _twiml(reply: str) -> Response:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(str(response), mimetype="text/xml")


def _bad_request(reason: str) -> Response:
    return Response(reason + "\n", status=400, mimetype="text/plain")


def _inbound_limit() -> str:
    return current_app.config.get("SMS_INBOUND_RATE_LIMIT", "30 per minute")


def _sending_number() -> str:
    """The limit is per sending number, kept as its keyed hash: the shared rate-limit store
    never holds a phone number. Checked in the view, so after the signature: a forged request
    (403) never uses up a real person's budget."""
    sender = request.form.get("From", "")
    return "from:" + phone_hash(sender) if sender else "ip:" + get_remote_address()


@bp.errorhandler(429)
def too_many(_error):
    return Response("too many messages from this number; try again in a minute\n", status=429, mimetype="text/plain")


@bp.post("/inbound")
@limiter.limit(_inbound_limit, key_func=_sending_number)
def receive_message():
    """A text from a person. Returns TwiML with our reply (an empty <Response/> for none).

    400 for a request that is not a readable message; a retry of a message we hold gets the
    same reply and records nothing twice.
    """
    try:
        reply = inbound.receive(request.form)
    except inbound.InboundError as error:
        return _bad_request(str(error))
    return _twiml(reply)


@bp.post("/status")
def delivery_status():
    """A delivery status for a text we sent. 204 whether or not it moved the status; 400 when
    the fields are not a status callback."""
    try:
        status.apply_callback(request.form)
    except status.StatusError as error:
        return _bad_request(str(error))
    return Response(status=204)
