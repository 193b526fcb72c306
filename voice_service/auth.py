"""Staff sign-in sessions and API keys.

Passwords are hashed with argon2; sessions are signed cookies holding the user id and the time
of the last request, so an idle session ends after STAFF_IDLE_TIMEOUT_MINUTES. After
STAFF_MAX_FAILED_LOGINS wrong passwords in a row an account is locked for
STAFF_LOCKOUT_MINUTES (the sign-in page says so without saying whether the email exists).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Request, abort, current_app, redirect, request, session, url_for
from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import ApiKey, User, utcnow

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))
MIN_PASSWORD_LENGTH = 12
DEFAULT_MAX_FAILED_LOGINS = 5
DEFAULT_LOCKOUT_MINUTES = 15


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    return None


def create_user(email: str, name: str, role: str, password: str, team: str | None = None) -> User:
    """Add a staff user (the caller commits). Raises ValueError naming what is wrong."""
    from voice_service.vocab import STAFF_ROLES

    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 200:
        raise ValueError("email: enter an email address, like name@example.org")
    if role not in STAFF_ROLES:
        raise ValueError(f"role: must be one of {', '.join(STAFF_ROLES)}")
    problem = password_problem(password)
    if problem:
        raise ValueError(f"password: {problem}")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ValueError(f"email: a user with the email {email} already exists")
    user = User(email=email, name=(name or email).strip()[:200], role=role, team=team or None,
                password_hash=hash_password(password))
    db.session.add(user)
    return user


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    problem: str | None  # None | "wrong" | "locked"
    locked_until: datetime | None = None


def authenticate(email: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check an email and password, counting failures and locking the account after too many.

    Commits the failure count (so it survives the request); a success resets it. A locked
    account is refused even with the right password until the lock ends.
    """
    now = now or utcnow()
    max_failures = int(current_app.config.get("STAFF_MAX_FAILED_LOGINS", DEFAULT_MAX_FAILED_LOGINS))
    lockout = timedelta(minutes=int(current_app.config.get("STAFF_LOCKOUT_MINUTES", DEFAULT_LOCKOUT_MINUTES)))
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password or "")
        return SignInResult(None, "wrong")
    if user.locked_until is not None and user.locked_until > now:
        return SignInResult(None, "locked", user.locked_until)
    if not verify_password(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            user.failed_logins = 0
            _audit(user, "sign_in_locked")
            db.session.commit()
            return SignInResult(None, "locked", user.locked_until)
        _audit(user, "sign_in_failed")
        db.session.commit()
        return SignInResult(None, "wrong")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    _audit(user, "sign_in")
    db.session.commit()
    return SignInResult(user, None)


def _audit(user: User, action: str) -> None:
    from voice_service import audit

    audit.record(user, action, user)


def start_session(user: User) -> None:
    session.clear()
    session["user_id"] = user.id
    session["seen"] = utcnow().timestamp()
    session.permanent = False


def end_session() -> None:
    session.clear()


def current_user() -> User | None:
    # Cached on the request, not on g: an app context (and g) can outlive one request.
    req = request._get_current_object()
    if hasattr(req, "_staff_user"):
        return req._staff_user
    user = None
    user_id = session.get("user_id")
    if user_id is not None:
        idle = timedelta(minutes=current_app.config["STAFF_IDLE_TIMEOUT_MINUTES"])
        seen = datetime.fromtimestamp(session.get("seen", 0), timezone.utc)
        if utcnow() - seen > idle:
            session.clear()
            req._staff_session_expired = True
        else:
            user = db.session.get(User, user_id)
            if user is not None and not user.active:
                user = None
            if user is not None:
                session["seen"] = utcnow().timestamp()
    req._staff_user = user
    return user


def enforce_staff_session(roles: tuple[str, ...]) -> None:
    """Send a signed-out visitor to sign in; refuse a signed-in user without one of `roles`."""
    user = current_user()
    if user is None:
        if request.accept_mimetypes.best == "application/json":
            abort(401)
        next_page = request.full_path.rstrip("?") if request.method == "GET" else None
        expired = "1" if getattr(request._get_current_object(), "_staff_session_expired", False) else None
        abort(redirect(url_for("staff.sign_in", next=next_page, expired=expired)))
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
