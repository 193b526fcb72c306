"""Twilio webhooks: inbound messages and delivery status callbacks.

Registered with the "signature required" policy: every request must carry an X-Twilio-Signature
made with TWILIO_AUTH_TOKEN over PUBLIC_BASE_URL + path and the form fields, else 403 before
these views run. CSRF does not apply (Twilio cannot hold a CSRF token; the signature is the check).
"""
from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from voice_service.extensions import csrf
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


@bp.post("/inbound")
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
