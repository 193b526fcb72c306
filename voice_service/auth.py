"""Staff sign-in sessions and API keys.

Passwords are hashed with argon2; sessions are signed cookies holding the user id and the time
of the last request, so an idle session ends after STAFF_IDLE_TIMEOUT_MINUTES.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Request, abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import ApiKey, User, utcnow

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(user: User) -> None:
    session.clear()
    session["user_id"] = user.id
    session["seen"] = utcnow().timestamp()
    session.permanent = False


def end_session() -> None:
    session.clear()


def current_user() -> User | None:
    if "current_user" in g:
        return g.current_user
    user = None
    user_id = session.get("user_id")
    if user_id is not None:
        idle = timedelta(minutes=current_app.config["STAFF_IDLE_TIMEOUT_MINUTES"])
        seen = datetime.fromtimestamp(session.get("seen", 0), timezone.utc)
        if utcnow() - seen > idle:
            session.clear()
            g.session_expired = True
        else:
            user = db.session.get(User, user_id)
            if user is not None and not user.active:
                user = None
            if user is not None:
                session["seen"] = utcnow().timestamp()
    g.current_user = user
    return user


def enforce_staff_session(roles: tuple[str, ...]) -> None:
    """Send a signed-out visitor to sign in; refuse a signed-in user without one of `roles`."""
    user = current_user()
    if user is None:
        if request.accept_mimetypes.best == "application/json":
            abort(401)
        abort(redirect(url_for("staff.sign_in", next=request.full_path if request.method == "GET" else None)))
    if roles and user.role not in roles:
        abort(403)


def require_role(*roles: str) -> None:
    """For a view inside a blueprint whose policy admits more roles than this view does."""
    enforce_staff_session(roles)


# API keys ---------------------------------------------------------------------------------

def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_api_key(name: str) -> tuple[ApiKey, str]:
    """Make a key; the raw key is returned once and only its hash is stored."""
    raw = "fv_" + secrets.token_urlsafe(32)
    key = ApiKey(name=name, key_hash=_key_hash(raw), prefix=raw[:10])
    db.session.add(key)
    return key, raw


def api_key_from_request(req: Request) -> ApiKey | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    raw = header[len("Bearer "):].strip()
    if not raw:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _key_hash(raw)))
    if key is None or key.revoked_at is not None:
        return None
    key.last_used_at = utcnow()
    return key
