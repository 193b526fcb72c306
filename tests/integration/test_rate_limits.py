"""Rate limits in one process (both databases): the SMS webhook's per-number limit.

The private-link and sign-in limits have their own tests (test_public_links, test_staff_sign_in);
test_rate_limits_shared proves all three hold across two gunicorn servers sharing memcached.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.sms import new_sid, signed_post, twilio_params
from voice_service.extensions import db
from voice_service.models import Message


@pytest.fixture
def app_config():
    return {"SMS_INBOUND_RATE_LIMIT": "3 per minute"}


def test_a_number_texting_too_fast_gets_429_and_other_numbers_carry_on(client):
    codes = [signed_post(client, "/sms/inbound", twilio_params(f"hi {n}", sender="+447700900611")).status_code
             for n in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = signed_post(client, "/sms/inbound", twilio_params("again", sender="+447700900611"))
    assert refused.status_code == 429 and refused.mimetype == "text/plain"
    assert 1 <= int(refused.headers["Retry-After"]) <= 61  # when this minute's budget comes back
    assert signed_post(client, "/sms/inbound", twilio_params("hi", sender="+447700900612")).status_code == 200
    held = db.session.scalar(select(func.count()).select_from(Message).where(Message.direction == "inbound"))
    assert held == 4


def test_forged_texts_do_not_use_up_a_numbers_budget(client):
    for _ in range(5):
        forged = signed_post(client, "/sms/inbound", twilio_params("x", sender="+447700900613"), signature="forged")
        assert forged.status_code == 403
    assert signed_post(client, "/sms/inbound", twilio_params("hi", sender="+447700900613")).status_code == 200


def test_the_limit_store_never_holds_a_phone_number(client, app):
    signed_post(client, "/sms/inbound", twilio_params("hi", sender="+447700900614", sid=new_sid()))
    from voice_service.extensions import limiter

    keys = " ".join(str(k) for k in getattr(limiter.storage, "storage", {}).keys())
    assert "from:" in keys  # the per-number key is there...
    assert "7700900614" not in keys and "+44" not in keys  # ...as a keyed hash only
