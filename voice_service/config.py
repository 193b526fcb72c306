"""Settings from the environment, one set per environment.

VOICE_ENV chooses the set: `development` (the default), `test` or `production`. Production is
never chosen implicitly, and refuses to start while a setting it needs is missing or unsafe,
naming each variable and how to make one. The Procfile and gunicorn.conf.py choose production.

The development pages (SMS simulator, outbox) exist only when development (or test) is chosen
explicitly, and never while a Twilio account SID or a PostgreSQL database on another host is
configured. With VOICE_ENV unset and either of those configured the app refuses to start: it
looks like a live deployment running on the development keys.
"""
from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from pathlib import Path

from voice_service.config_errors import ConfigError  # raised here; callers catch it from here too

ENVIRONMENTS = ("development", "test", "production")

# Development and test only. Production must set its own (checked below).
DEV_SECRET_KEY = "dev-only-secret-key"
DEV_DATA_KEY = "ZGV2LW9ubHkta2V5LW5ldmVyLXVzZS1pbi1wcm9kISE="  # dev and tests only
DEV_LOOKUP_KEY = "dev-only-lookup-hash-key"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def build_settings(env_name: str | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Read the environment into a settings dict for `env_name` (default: VOICE_ENV or development)."""
    environ = os.environ if environ is None else environ
    chosen = env_name or environ.get("VOICE_ENV") or None
    name = chosen or "development"
    if name not in ENVIRONMENTS:
        raise ConfigError(f"VOICE_ENV={name!r} is not known; use one of: {', '.join(ENVIRONMENTS)}")

    def get(key: str, default: str | None = None) -> str | None:
        value = environ.get(key)
        return value if value not in (None, "") else default

    def get_int(key: str, default: int) -> int:
        raw = get(key)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{key} must be a whole number, got {raw!r}") from None

    dev = name != "production"
    instance_dir = Path(get("VOICE_INSTANCE_DIR", str(PROJECT_ROOT / "instance")))
    s: dict = {
        "ENV_NAME": name,
        "INSTANCE_DIR": str(instance_dir),
        "SECRET_KEY": get("SECRET_KEY", DEV_SECRET_KEY if dev else None),
        "SQLALCHEMY_DATABASE_URI": get("DATABASE_URL", f"sqlite:///{instance_dir / 'voice.sqlite'}" if dev else None),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PUBLIC_BASE_URL": (get("PUBLIC_BASE_URL", "http://127.0.0.1:5000" if dev else None) or "").rstrip("/"),
        # Twilio. With no account SID, messages go to the dev outbox (never in production).
        "TWILIO_ACCOUNT_SID": get("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": get("TWILIO_AUTH_TOKEN", "dev-auth-token" if dev else None),
        "TWILIO_MESSAGING_SERVICE_SID": get("TWILIO_MESSAGING_SERVICE_SID"),
        "TWILIO_FROM": get("TWILIO_FROM"),
        "TWILIO_API_BASE_URL": get("TWILIO_API_BASE_URL"),  # a Prism mock in integration tests
        "SMS_SENDER": get("SMS_SENDER", "auto"),  # auto | twilio | outbox
        # Encryption at rest: comma-separated Fernet keys, newest first (older ones only decrypt).
        "DATA_ENCRYPTION_KEYS": get("DATA_ENCRYPTION_KEYS", DEV_DATA_KEY if dev else None),
        # Keyed hash to find people by phone number without storing the number in clear.
        "LOOKUP_HASH_KEY": get("LOOKUP_HASH_KEY", DEV_LOOKUP_KEY if dev else None),
        "SERVICE_NAME": get("SERVICE_NAME", "Family Voice"),
        "COUNCIL_NAME": get("COUNCIL_NAME", "Northbridge Council Children's Services"),
        "SERVICE_PHONE": get("SERVICE_PHONE", "020 7946 0000"),
        "DUTY_TEAM_PHONE": get("DUTY_TEAM_PHONE", "020 7946 0001"),
        "ADVOCACY_PHONE": get("ADVOCACY_PHONE", "020 7946 0002"),
        "ADULT_SOCIAL_CARE_PHONE": get("ADULT_SOCIAL_CARE_PHONE", "020 7946 0004"),
        "DUTY_TEAM_EMAIL": get("DUTY_TEAM_EMAIL", "duty-team@example.invalid"),
        "DUTY_TEAM_SMS": get("DUTY_TEAM_SMS"),
        "ADVOCACY_EMAIL": get("ADVOCACY_EMAIL", "advocacy@example.invalid"),
        "ESCALATION_EMAIL": get("ESCALATION_EMAIL", "duty-manager@example.invalid"),
        "ALERT_ESCALATE_AFTER_MINUTES": get_int("ALERT_ESCALATE_AFTER_MINUTES", 60),
        "SMTP_HOST": get("SMTP_HOST"),
        "SMTP_PORT": get_int("SMTP_PORT", 587),
        "SMTP_USER": get("SMTP_USER"),
        "SMTP_PASSWORD": get("SMTP_PASSWORD"),
        "SMTP_CA_FILE": get("SMTP_CA_FILE"),  # CA bundle for SMTP_HOST's certificate; unset: the system's store
        "MAIL_FROM": get("MAIL_FROM", "family-voice@example.invalid"),
        # Email and letters to families (messaging/email.py): GOV.UK Notify, SMTP or the dev outbox.
        "EMAIL_SENDER": get("EMAIL_SENDER", "auto"),  # auto | notify | smtp | outbox
        "LETTER_SENDER": get("LETTER_SENDER", "auto"),  # auto | notify | print | outbox
        "NOTIFY_API_KEY": get("NOTIFY_API_KEY"),
        "NOTIFY_EMAIL_TEMPLATE_ID": get("NOTIFY_EMAIL_TEMPLATE_ID"),
        "NOTIFY_EMAIL_REPLY_TO_ID": get("NOTIFY_EMAIL_REPLY_TO_ID"),
        "NOTIFY_BASE_URL": get("NOTIFY_BASE_URL"),
        "NOTIFY_LETTERS": get("NOTIFY_LETTERS", "0") == "1",
        "NOTIFY_LETTER_POSTAGE": get("NOTIFY_LETTER_POSTAGE", "second"),
        # Notify's delivery-receipt and complaint callbacks send this as a bearer token.
        "NOTIFY_CALLBACK_TOKEN": get("NOTIFY_CALLBACK_TOKEN"),
        "SUPPRESSION_THRESHOLD": get_int("SUPPRESSION_THRESHOLD", 5),
        # The QA Executive pack's exceptions report (analysis/exceptions.py): the lines it draws.
        "PACK_RESPONSE_DROP_POINTS": get_int("PACK_RESPONSE_DROP_POINTS", 10),  # percentage points on last month
        "PACK_ALERTS_LATE_MAX": get_int("PACK_ALERTS_LATE_MAX", 0),  # alerts acknowledged after the target
        "PACK_VIEWS_READ_MIN_PERCENT": get_int("PACK_VIEWS_READ_MIN_PERCENT", 90),
        "PACK_REPORT_IN_TIME_MIN_PERCENT": get_int("PACK_REPORT_IN_TIME_MIN_PERCENT", 80),
        "PACK_YOU_SAID_DUE_DAYS": get_int("PACK_YOU_SAID_DUE_DAYS", 14),
        "PACK_YOU_SAID_OVERDUE_MAX": get_int("PACK_YOU_SAID_OVERDUE_MAX", 0),
        "PACK_ACTIONS_PAST_DUE_MAX": get_int("PACK_ACTIONS_PAST_DUE_MAX", 0),
        "RETENTION_DAYS": get_int("RETENTION_DAYS", 730),
        "STAFF_IDLE_TIMEOUT_MINUTES": get_int("STAFF_IDLE_TIMEOUT_MINUTES", 30),
        "STAFF_SESSION_MAX_HOURS": get_int("STAFF_SESSION_MAX_HOURS", 12),  # however busy, sign in again after this
        # Wrong passwords slow down one account from one address, not lock it for everyone.
        "STAFF_SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS": get("STAFF_SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS", "5 per 15 minutes"),
        "STAFF_SIGN_IN_FAILURES_PER_ACCOUNT": get("STAFF_SIGN_IN_FAILURES_PER_ACCOUNT", "100 per hour"),
        # Rate limits (Flask-Limiter strings), shared between web processes via RATELIMIT_STORAGE_URI.
        "STAFF_SIGN_IN_RATE_LIMIT": get("STAFF_SIGN_IN_RATE_LIMIT", "10 per minute"),
        "PRIVATE_LINK_RATE_LIMIT": get("PRIVATE_LINK_RATE_LIMIT", "20 per minute"),
        "SMS_INBOUND_RATE_LIMIT": get("SMS_INBOUND_RATE_LIMIT", "30 per minute"),
        "INSIGHTS_CACHE_SECONDS": get_int("INSIGHTS_CACHE_SECONDS", 300),
        "MAX_FREE_TEXT": get_int("MAX_FREE_TEXT", 2000),
        "MAX_CONTENT_LENGTH": get_int("MAX_CONTENT_LENGTH", 64 * 1024),
        "RATELIMIT_STORAGE_URI": get("RATELIMIT_STORAGE_URI", "memory://" if dev else None),
        # No X-RateLimit-* on every response (a store round trip each); 429s carry Retry-After.
        "RATELIMIT_HEADERS_ENABLED": False,
        # The shared store down must not take the forms down: each process limits on its own meanwhile.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RUN_SCHEDULER_IN_PROCESS": get("RUN_SCHEDULER_IN_PROCESS", "0") == "1",
        "WTF_CSRF_TIME_LIMIT": None,  # a form may stay open for hours while a child thinks
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not dev,
        "PREFERRED_URL_SCHEME": "http" if dev else "https",
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ("en", "bn", "so", "ar"),
        "SURVEYS_DIR": get("SURVEYS_DIR", str(PROJECT_ROOT / "surveys")),
        "DEV_PAGES": bool(chosen) and dev,
        "MODEL_PATH": get("MODEL_PATH", str(instance_dir / "theme_model.joblib")),
        "REPORTS_DIR": get("REPORTS_DIR", str(instance_dir / "reports")),
        # Ofcom's drama range (07700 900xxx) is fictional: accepted for the demo and tests only.
        "ALLOW_DRAMA_NUMBERS": dev,
        "LOG_LEVEL": get("LOG_LEVEL"),
        "PROXY_FIX": get_int("PROXY_FIX", 0),  # how many proxies set X-Forwarded-* in front of us
    }
    # The schedule of texts (QUIET_HOURS, REMINDER_WORKING_DAYS, ...; docs/schedule.md), checked now.
    from voice_service.scheduling.settings import from_config, read_environ

    s.update(read_environ(environ))
    from_config(s)
    if name == "test":
        s.update(
            TESTING=True,
            SQLALCHEMY_DATABASE_URI=get("TEST_DATABASE_URL", "sqlite:///:memory:"),
            TWILIO_ACCOUNT_SID=None,
            TWILIO_AUTH_TOKEN="test-auth-token",
            SMS_SENDER="outbox",
            EMAIL_SENDER="outbox",
            LETTER_SENDER="outbox",
            NOTIFY_API_KEY=None,
            PUBLIC_BASE_URL="http://localhost",
        )
    if name == "development":
        live = live_service_signs(s)
        if live and not chosen:
            raise ConfigError(
                "VOICE_ENV is not set, but " + " and ".join(live) + " configured: this looks like a live "
                "service running on the development keys. Set VOICE_ENV=production (or VOICE_ENV=development "
                "to run without the development pages)")
        if live:
            s["DEV_PAGES"] = False
    if name == "production":
        check_production(s)
    return s


def live_service_signs(s: Mapping) -> list[str]:
    """What says this is a live service: a Twilio account, a PostgreSQL database on another host."""
    found = []
    if s.get("TWILIO_ACCOUNT_SID"):
        found.append("a Twilio account SID (TWILIO_ACCOUNT_SID) is")
    if database_is_remote_postgres(s.get("SQLALCHEMY_DATABASE_URI") or ""):
        found.append("a PostgreSQL database on another host (DATABASE_URL) is")
    return found


def database_is_remote_postgres(url: str) -> bool:
    if not url.startswith("postgres"):
        return False
    from sqlalchemy.engine import make_url

    try:
        host = make_url(url).host or (make_url(url).query.get("host") or "")
    except Exception:  # noqa: BLE001 - an unreadable URL is not a local one
        return True
    host = host if isinstance(host, str) else (host[0] if host else "")
    return host not in ("", "localhost", "127.0.0.1", "::1") and not host.startswith("/")


_REQUIRED_IN_PRODUCTION = (
    ("SECRET_KEY", "SECRET_KEY", "a long random string: python -c 'import secrets; print(secrets.token_hex(32))'"),
    ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL", "a PostgreSQL URL: postgresql+psycopg://user:password@host/db"),
    ("DATA_ENCRYPTION_KEYS", "DATA_ENCRYPTION_KEYS", "Fernet keys: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"),
    ("LOOKUP_HASH_KEY", "LOOKUP_HASH_KEY", "a long random string, kept for the life of the data"),
    ("TWILIO_ACCOUNT_SID", "TWILIO_ACCOUNT_SID", "the Twilio account SID (production never uses the dev outbox)"),
    ("TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN", "the Twilio auth token, to send and to check webhook signatures"),
    ("PUBLIC_BASE_URL", "PUBLIC_BASE_URL", "the https address Twilio and families reach, e.g. https://voice.example.org"),
    ("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI", "rate-limit storage shared by every web process, e.g. memcached://host:11211"),
)


MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 12  # "x" * 40 is long but not random


def weak_secret(value: str) -> bool:
    return len(value) < MIN_SECRET_LENGTH or len(set(value)) < MIN_DISTINCT_CHARACTERS


def fernet_key_problem(key: str) -> str | None:
    import base64
    import binascii

    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return "is not a Fernet key (url-safe base64 of 32 random bytes)"
    if len(raw) != 32:
        return "is not a Fernet key (url-safe base64 of 32 random bytes)"
    if len(set(raw)) < MIN_DISTINCT_CHARACTERS:
        return "is not random (too few different bytes)"
    return None


def readable_ca_file(path: str) -> bool:
    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError):  # missing, unreadable, or no certificate in it
        return False
    return True


def check_production(s: dict) -> None:
    """Raise ConfigError listing every missing or unsafe production setting."""
    problems = [f"{env}: {how}" for key, env, how in _REQUIRED_IN_PRODUCTION if not s.get(key)]
    for key, env in (("SECRET_KEY", "SECRET_KEY"), ("LOOKUP_HASH_KEY", "LOOKUP_HASH_KEY")):
        value = s.get(key)
        if value and value not in (DEV_SECRET_KEY, DEV_LOOKUP_KEY) and weak_secret(value):
            problems.append(f"{env}: too weak; use at least {MIN_SECRET_LENGTH} random bytes: "
                            "python -c 'import secrets; print(secrets.token_hex(32))'")
    for number, key in enumerate(k.strip() for k in (s.get("DATA_ENCRYPTION_KEYS") or "").split(",") if k.strip()):
        problem = fernet_key_problem(key) if key != DEV_DATA_KEY else None
        if problem:
            problems.append(f"DATA_ENCRYPTION_KEYS: key {number + 1} {problem}; make one with "
                            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'")
    base_url = s.get("PUBLIC_BASE_URL") or ""
    if base_url and not base_url.startswith("https://"):
        problems.append("PUBLIC_BASE_URL: must start with https:// (links and Twilio signatures go over it)")
    database = s.get("SQLALCHEMY_DATABASE_URI") or ""
    if database and not database.startswith("postgresql"):
        problems.append("DATABASE_URL: must be PostgreSQL (postgresql+psycopg://...); SQLite is for development")
    if s.get("SECRET_KEY") == DEV_SECRET_KEY:
        problems.append("SECRET_KEY: the development key is not allowed in production")
    if DEV_DATA_KEY in (s.get("DATA_ENCRYPTION_KEYS") or "").replace(" ", "").split(","):
        problems.append("DATA_ENCRYPTION_KEYS: the development key is not allowed in production (it is in the source code)")
    if s.get("LOOKUP_HASH_KEY") == DEV_LOOKUP_KEY:
        problems.append("LOOKUP_HASH_KEY: the development key is not allowed in production")
    if s.get("EMAIL_SENDER") == "outbox" or s.get("LETTER_SENDER") == "outbox":
        problems.append("EMAIL_SENDER / LETTER_SENDER: the dev outbox is not allowed in production")
    if s.get("NOTIFY_API_KEY") and not s.get("NOTIFY_EMAIL_TEMPLATE_ID"):
        problems.append("NOTIFY_EMAIL_TEMPLATE_ID: a Notify email template with subject ((subject)) and body ((body))")
    if s.get("NOTIFY_API_KEY") and not s.get("NOTIFY_CALLBACK_TOKEN"):
        problems.append("NOTIFY_CALLBACK_TOKEN: the bearer token Notify sends with delivery receipts (set the same in Notify)")
    if s.get("SMS_SENDER") == "outbox":
        problems.append("SMS_SENDER: the dev outbox is not allowed in production; use 'twilio' or leave it unset")
    if not (s.get("TWILIO_MESSAGING_SERVICE_SID") or s.get("TWILIO_FROM")):
        problems.append("TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM: who the texts come from")
    if (s.get("RATELIMIT_STORAGE_URI") or "").startswith("memory://"):
        problems.append("RATELIMIT_STORAGE_URI: memory:// is not shared between web processes")
    if s.get("SMTP_CA_FILE") and not readable_ca_file(s["SMTP_CA_FILE"]):
        # Found at start, not as every email failing for a reason that blames the mail server.
        problems.append("SMTP_CA_FILE: not a readable PEM file of CA certificates (the CA that signed the mail server's)")
    if problems:
        raise ConfigError(
            "Production settings are missing or unsafe. Set these environment variables:\n  - "
            + "\n  - ".join(problems)
        )
