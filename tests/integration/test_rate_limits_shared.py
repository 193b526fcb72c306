"""Rate limits hold across web processes: two real gunicorn servers sharing one memcached.

Requests alternate between the two servers (as a load balancer would send them); each limit must
count them together. With per-process memory each server would allow the full budget again.
Also: the shared store going away does not take the service down (each process limits alone).
"""
from __future__ import annotations

import itertools
import re
import secrets

import pytest
import requests
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from tests.support.memcached import memcached
from tests.support.processes import gunicorn
from voice_service.extensions import db
from voice_service.models import Message

pytestmark = pytest.mark.postgres_only  # the production shape: one database, several web processes

TOKEN = "test-auth-token"  # tests.support.processes.service_env
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture(scope="module")
def two_servers(database_url):
    with memcached() as storage:
        with gunicorn(database_url, workers=1, RATELIMIT_STORAGE_URI=storage.uri) as (_a, a), \
                gunicorn(database_url, workers=1, RATELIMIT_STORAGE_URI=storage.uri) as (_b, b):
            yield a, b


def _alternating(servers):
    return itertools.cycle(servers)


def test_guessing_private_links_is_limited_across_both_servers(app, two_servers):
    codes = [requests.get(f"{base}/r/{secrets.token_urlsafe(24)}", timeout=10).status_code
             for base, _ in zip(_alternating(two_servers), range(24))]
    # PRIVATE_LINK_RATE_LIMIT: 20 unknown links a minute per address, counted by both servers
    assert codes[:20] == [404] * 20
    assert codes[20:] == [429] * 4
    # both servers refuse now, each with the plain page
    for base in two_servers:
        refused = requests.get(f"{base}/r/{secrets.token_urlsafe(24)}", timeout=10)
        assert refused.status_code == 429 and "Please wait a minute" in refused.text


def test_sign_in_attempts_are_limited_across_both_servers(app, two_servers):
    session = requests.Session()
    page = session.get(two_servers[0] + "/staff/sign-in", timeout=10)
    found = CSRF.search(page.text)
    token = found.group(1) or found.group(2)
    codes = []
    for base, n in zip(_alternating(two_servers), range(12)):
        form = {"csrf_token": token, "email": f"nobody{n}@example.invalid", "password": "wrong password"}
        codes.append(session.post(base + "/staff/sign-in", data=form, timeout=10).status_code)
    # STAFF_SIGN_IN_RATE_LIMIT: 10 a minute per address, whichever server takes the attempt
    assert codes[:10] == [400] * 10
    assert codes[10:] == [429, 429]
    assert session.get(two_servers[1] + "/staff/sign-in", timeout=10).status_code == 200  # reading is not limited


def _text(base: str, sender: str, n: int):
    params = {"MessageSid": f"SM{secrets.token_hex(16)}", "AccountSid": "AC" + "0" * 32, "From": sender,
              "To": "+447700900999", "Body": f"hello {n}", "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature("http://localhost/sms/inbound", params)
    return requests.post(base + "/sms/inbound", data=params, headers={"X-Twilio-Signature": signature}, timeout=10)


def test_texts_from_one_number_are_limited_across_both_servers_and_other_numbers_are_not(app, two_servers):
    sender = "+447700900871"
    codes = [_text(base, sender, n).status_code for base, n in zip(_alternating(two_servers), range(32))]
    # SMS_INBOUND_RATE_LIMIT: 30 texts a minute from one number
    assert codes[:30] == [200] * 30
    assert codes[30:] == [429, 429]
    assert _text(two_servers[1], "+447700900872", 0).status_code == 200
    # a forged text (bad signature) is refused before the limit, so it never uses a person's budget
    forged = requests.post(two_servers[0] + "/sms/inbound", data={"From": "+447700900873", "Body": "x"},
                           headers={"X-Twilio-Signature": "forged"}, timeout=10)
    assert forged.status_code == 403
    db.session.expire_all()
    held = db.session.scalar(select(func.count()).select_from(Message).where(Message.direction == "inbound"))
    assert held == 31  # every text let through was recorded; the refused ones were not


def test_the_shared_store_going_away_does_not_take_the_service_down(app, database_url):
    with memcached() as store:
        with gunicorn(database_url, workers=1, RATELIMIT_STORAGE_URI=store.uri) as (_proc, base):
            assert requests.get(f"{base}/r/{secrets.token_urlsafe(24)}", timeout=10).status_code == 404
            store.stop()  # the shared store dies while the server runs
            codes = [requests.get(f"{base}/r/{secrets.token_urlsafe(24)}", timeout=10).status_code for _ in range(3)]
    assert codes == [404, 404, 404]  # still answered (the process limits on its own meanwhile), never a 500
