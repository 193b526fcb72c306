"""Settings for tests of what production accepts and refuses."""
from __future__ import annotations

from cryptography.fernet import Fernet

TWILIO_SID = "AC" + "1" * 32


def strong_production(**changes) -> dict:
    """An environment production starts with; `changes` override (None removes a setting)."""
    env = {
        "SECRET_KEY": "3f9c1a7e5b2d8046c1e9a3b7d5f2408e6a1c9b3d7f5e2a40",
        "DATABASE_URL": "postgresql+psycopg://voice:pw@db.internal/voice",
        "DATA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "LOOKUP_HASH_KEY": "a8d3f1c6e9b24705d1f8a3c6e9b2470f",
        "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": "t" * 32, "TWILIO_FROM": "+447700900001",
        "PUBLIC_BASE_URL": "https://voice.example.org", "RATELIMIT_STORAGE_URI": "memcached://127.0.0.1:11211",
    }
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}
