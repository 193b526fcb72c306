"""Twilio's REST API as the `responses` library fakes it: the account, the Messages URL and the
bodies Twilio answers with (a created message, an error)."""
from __future__ import annotations

ACCOUNT = "AC" + "1" * 32
SERVICE_SID = "MG" + "2" * 32
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
PHONE = "+447700900123"


def created(sid="SM" + "a" * 32, status="queued"):
    return {
        "sid": sid, "status": status, "account_sid": ACCOUNT, "to": PHONE, "body": "x", "num_segments": "1",
        "direction": "outbound-api", "api_version": "2010-04-01", "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}.json",
    }


def twilio_error(code: int, status: int = 400):
    return {"code": code, "message": "refused", "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}
