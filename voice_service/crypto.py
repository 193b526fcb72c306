"""Encryption at rest, keyed lookup hashes and private-link tokens.

Phone numbers and free text are stored as Fernet tokens (AES-128-CBC + HMAC, from the maintained
`cryptography` package). DATA_ENCRYPTION_KEYS holds one or more keys, newest first: the newest
encrypts, all decrypt, so a key can be rotated by adding a new one in front and running
`flask --app voice_service keys rotate`.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class KeyRing:
    def __init__(self) -> None:
        self._fernet: MultiFernet | None = None
        self._lookup_key: bytes | None = None

    def configure(self, data_keys: str, lookup_key: str) -> None:
        keys = [k.strip() for k in (data_keys or "").split(",") if k.strip()]
        if not keys:
            raise ValueError("DATA_ENCRYPTION_KEYS holds no key")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        self._lookup_key = lookup_key.encode()

    @property
    def fernet(self) -> MultiFernet:
        if self._fernet is None:
            raise RuntimeError("encryption keys are not configured: create the app first")
        return self._fernet

    def encrypt(self, plain: str) -> str:
        return self.fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ValueError("stored value cannot be decrypted with the configured keys") from None

    def rotate(self, token: str) -> str:
        """Re-encrypt with the newest key (no-op in meaning, new ciphertext)."""
        return self.fernet.rotate(token.encode("ascii")).decode("ascii")

    def lookup_hash(self, value: str) -> str:
        if self._lookup_key is None:
            raise RuntimeError("LOOKUP_HASH_KEY is not configured: create the app first")
        return hmac.new(self._lookup_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


keyring = KeyRing()


def new_token() -> str:
    """A private-link token: 24 random bytes (192 bits), URL-safe."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """Only this hash is stored; the token itself lives only in the link we send."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def phone_hash(e164: str) -> str:
    """Keyed hash of a normalised phone number, for opt-outs and finding a sender."""
    return keyring.lookup_hash(e164)
