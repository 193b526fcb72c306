"""Twilio webhook signatures, checked against the public URL Twilio called."""
from __future__ import annotations

from flask import Request, current_app
from twilio.request_validator import RequestValidator


def public_url_for(request: Request) -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path (+ query), not what the proxy handed us."""
    base = current_app.config["PUBLIC_BASE_URL"]
    url = base + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def request_is_from_twilio(request: Request) -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    validator = RequestValidator(token)
    return validator.validate(public_url_for(request), request.form.to_dict(flat=True), signature)


def sign(url: str, params: dict, token: str | None = None) -> str:
    """Sign a request as Twilio would (the dev SMS simulator and the tests use this)."""
    return RequestValidator(token or current_app.config["TWILIO_AUTH_TOKEN"]).compute_signature(url, params)
