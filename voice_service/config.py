"""Settings from the environment, one set per environment.

VOICE_ENV chooses the set: `development` (the default), `test` or `production`. Production is
never chosen implicitly, and refuses to start while a setting it needs is missing or unsafe,
naming each variable and how to make one.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENVIRONMENTS = ("development", "test", "production")

# Development and test only. Production must set its own (checked below).
DEV_SECRET_KEY = "dev-only-secret-key"
DEV_DATA_KEY = "ZGV2LW9ubHkta2V5LW5ldmVyLXVzZS1pbi1wcm9kISE="  # dev and tests only
DEV_LOOKUP_KEY = "dev-only-lookup-hash-key"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable and what to do."""


def build_settings(env_name: str | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Read the environment into a settings dict for `env_name` (default: VOICE_ENV or development)."""
    environ = os.environ if environ is None else environ
    name = env_name or environ.get("VOICE_ENV") or "development"
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
        "MAIL_FROM": get("MAIL_FROM", "family-voice@example.invalid"),
        "SUPPRESSION_THRESHOLD": get_int("SUPPRESSION_THRESHOLD", 5),
        "RETENTION_DAYS": get_int("RETENTION_DAYS", 730),
        "STAFF_IDLE_TIMEOUT_MINUTES": get_int("STAFF_IDLE_TIMEOUT_MINUTES", 30),
        "STAFF_MAX_FAILED_LOGINS": get_int("STAFF_MAX_FAILED_LOGINS", 5),
        "STAFF_LOCKOUT_MINUTES": get_int("STAFF_LOCKOUT_MINUTES", 15),
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
        "DEV_PAGES": dev,
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
            PUBLIC_BASE_URL="http://localhost",
        )
    if name == "production":
        check_production(s)
    return s


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


def check_production(s: dict) -> None:
    """Raise ConfigError listing every missing or unsafe production setting."""
    problems = [f"{env}: {how}" for key, env, how in _REQUIRED_IN_PRODUCTION if not s.get(key)]
    if s.get("SECRET_KEY") == DEV_SECRET_KEY:
        problems.append("SECRET_KEY: the development key is not allowed in production")
    if DEV_DATA_KEY in (s.get("DATA_ENCRYPTION_KEYS") or "").replace(" ", "").split(","):
        problems.append("DATA_ENCRYPTION_KEYS: the development key is not allowed in production (it is in the source code)")
    if s.get("LOOKUP_HASH_KEY") == DEV_LOOKUP_KEY:
        problems.append("LOOKUP_HASH_KEY: the development key is not allowed in production")
    if s.get("SMS_SENDER") == "outbox":
        problems.append("SMS_SENDER: the dev outbox is not allowed in production; use 'twilio' or leave it unset")
    if not (s.get("TWILIO_MESSAGING_SERVICE_SID") or s.get("TWILIO_FROM")):
        problems.append("TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM: who the texts come from")
    if (s.get("RATELIMIT_STORAGE_URI") or "").startswith("memory://"):
        problems.append("RATELIMIT_STORAGE_URI: memory:// is not shared between web processes")
    if problems:
        raise ConfigError(
            "Production settings are missing or unsafe. Set these environment variables:\n  - "
            + "\n  - ".join(problems)
        )
