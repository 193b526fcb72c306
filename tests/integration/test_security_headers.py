"""What a browser is told about every page: a strict Content-Security-Policy with a fresh nonce on
each response (no 'unsafe-inline'), no framing, no referrer (a private link must never leave in a
Referer header), HSTS only behind TLS through a trusted proxy, nothing loaded from elsewhere; and
secrets come only from the environment."""
from __future__ import annotations

import re

import pytest

from tests.support.staff import meeting_with_views, sign_in_as, staff_user
from tests.support.public_survey import install_test_survey, invite
from voice_service.config import DEV_DATA_KEY, DEV_LOOKUP_KEY, DEV_SECRET_KEY, ConfigError, build_settings

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
NONCE = re.compile(r"'nonce-([^']+)'")
URL_ATTR = re.compile(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']*)["']""", re.I)


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


@pytest.fixture
def pages(app, client):
    """(name, response) for a public page, a question page, the chat, staff sign-in, a meeting page."""
    install_test_survey(app)
    _invitation, token = invite()
    found = [(name, client.get(path)) for name, path in (
        ("start", f"/r/{token}"), ("question", f"/r/{token}/q/feelings"), ("chat", f"/r/{token}/chat"),
        ("check", f"/r/{token}/check"), ("sign-in", "/staff/sign-in"), ("unknown link", "/r/" + "x" * 32))]
    meeting, _ = meeting_with_views()
    staff = app.test_client()
    sign_in_as(staff, staff_user("chair"))
    found.append(("meeting", staff.get(f"/staff/meetings/{meeting.meeting_ref}")))
    return token, found


def test_every_page_has_a_strict_policy_with_a_fresh_nonce_that_its_scripts_carry(pages):
    _token, found = pages
    nonces = set()
    for name, response in found:
        assert response.status_code in (200, 404), name
        policy = csp(response)
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], name
        assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"], name
        assert policy["default-src"] == "default-src 'self'"
        assert policy["object-src"] == "object-src 'none'" and policy["base-uri"] == "base-uri 'none'"
        assert policy["frame-ancestors"] == "frame-ancestors 'none'"
        nonce = NONCE.search(policy["script-src"]).group(1)
        assert len(nonce) >= 16
        nonces.add(nonce)
        html = response.get_data(as_text=True)
        for attributes in SCRIPT.findall(html):
            # an inline script runs only with this response's nonce; others are files from 'self'
            assert f'nonce="{nonce}"' in attributes or re.search(r'\bsrc="/', attributes), (name, attributes)
        assert not re.search(r"\son[a-z]+\s*=", html, re.I), f"{name}: an inline event handler (blocked by the policy)"
        assert ' style="' not in html and "<style" not in html, f"{name}: inline style (blocked by style-src 'self')"
    assert len(nonces) == len(found), "a nonce was used twice"


def test_no_framing_no_sniffing_and_no_referrer(pages):
    _token, found = pages
    for name, response in found:
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] == "no-referrer", name


def test_private_link_pages_load_nothing_from_elsewhere_and_are_not_cached(pages):
    token, found = pages
    for name, response in found:
        html = response.get_data(as_text=True)
        for url in URL_ATTR.findall(html):
            assert url.startswith(("/", "#", "tel:", "mailto:")) or url == "", f"{name}: {url} is not on this site"
        if name in ("start", "question", "chat", "check"):
            assert response.headers["Cache-Control"] == "no-store", name
            assert token in html  # (the links on the page carry it: which is why no Referer may leave)


class TestBehindATlsProxy:
    @pytest.fixture
    def app_config(self):
        return {"PROXY_FIX": 1}

    def test_hsts_is_sent_when_the_trusted_proxy_says_https(self, client):
        response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")

    def test_no_hsts_over_plain_http(self, client):
        assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_without_a_trusted_proxy_a_forwarded_https_header_is_not_believed(client):
    assert "Strict-Transport-Security" not in client.get("/healthz", headers={"X-Forwarded-Proto": "https"}).headers


PRODUCTION = {
    "SECRET_KEY": "5e0b7c3a9f1d6284e7b3c9a1f5d2068b4e7a3c9f1b5d2e08", "DATABASE_URL": "postgresql+psycopg://u:p@db/voice",
    "DATA_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1ub3QtdXNlZC1hbnl3aGVyZSE=", "LOOKUP_HASH_KEY": "c7e1a9f3b5d20846e1c7a9f3b5d2084f",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t" * 32, "TWILIO_FROM": "+447700900999",
    "PUBLIC_BASE_URL": "https://voice.example.org", "RATELIMIT_STORAGE_URI": "memcached://cache:11211",
}


def test_production_secrets_come_from_the_environment():
    settings = build_settings("production", environ=PRODUCTION)
    for key in ("SECRET_KEY", "DATA_ENCRYPTION_KEYS", "LOOKUP_HASH_KEY", "TWILIO_AUTH_TOKEN"):
        assert settings[key] == PRODUCTION[key]


@pytest.mark.parametrize("variable, dev_value", [
    ("SECRET_KEY", DEV_SECRET_KEY), ("DATA_ENCRYPTION_KEYS", DEV_DATA_KEY), ("LOOKUP_HASH_KEY", DEV_LOOKUP_KEY)])
def test_production_refuses_a_development_secret(variable, dev_value):
    """Found here: production took the development encryption and lookup keys (they are in the
    source code) without a word; only the development SECRET_KEY was refused."""
    with pytest.raises(ConfigError, match=variable):
        build_settings("production", environ={**PRODUCTION, variable: dev_value})
    if variable == "DATA_ENCRYPTION_KEYS":  # also as an old key kept for decrypting
        with pytest.raises(ConfigError, match=variable):
            build_settings("production", environ={**PRODUCTION, variable: f"{PRODUCTION[variable]},{dev_value}"})


def test_production_refuses_a_missing_secret():
    for variable in ("SECRET_KEY", "DATA_ENCRYPTION_KEYS", "LOOKUP_HASH_KEY", "TWILIO_AUTH_TOKEN"):
        with pytest.raises(ConfigError, match=variable):
            build_settings("production", environ={k: v for k, v in PRODUCTION.items() if k != variable})


def test_input_the_database_cannot_hold_is_a_plain_400_not_a_500(client, app):
    """Found by fuzzing on PostgreSQL (a NUL in the sign-in email was a 500); SQLite stores it."""
    from tests.support.staff import csrf_token

    token = csrf_token(client, "/staff/sign-in")
    response = client.post("/staff/sign-in", data={"csrf_token": token, "email": "a\x00b@example.invalid", "password": "x"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
