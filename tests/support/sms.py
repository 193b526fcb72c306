"""Inbound texts as Twilio delivers them: signed the way Twilio signs a webhook,
RequestValidator(token).compute_signature(url, params), and the reply read from the TwiML."""
from __future__ import annotations

import html
import itertools
import re

from twilio.request_validator import RequestValidator

TOKEN = "test-auth-token"  # the test settings' TWILIO_AUTH_TOKEN
BASE = "http://localhost"  # the test settings' PUBLIC_BASE_URL
PHONE = "+447700900123"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


def twilio_params(body: str, sender: str = PHONE, sid: str | None = None) -> dict:
    return {
        "MessageSid": sid or new_sid(), "SmsSid": sid or "", "AccountSid": "AC" + "0" * 32,
        "From": sender, "To": "+447700900999", "Body": body, "NumMedia": "0", "ApiVersion": "2010-04-01",
    }


def signed_post(client, path: str, params: dict, *, token: str = TOKEN, url: str | None = None, signature=None):
    if signature is None:
        signature = RequestValidator(token).compute_signature(url or BASE + path, params)
    headers = {"X-Twilio-Signature": signature} if signature is not False else {}
    return client.post(path, data=params, headers=headers)


def text(client, body: str, sender: str = PHONE, sid: str | None = None):
    response = signed_post(client, "/sms/inbound", twilio_params(body, sender, sid))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    return reply_of(response)


def reply_of(response) -> str:
    found = re.search(r"<Message>(.*?)</Message>", response.get_data(as_text=True), re.S)
    if not found:
        return ""
    return html.unescape(found.group(1))
