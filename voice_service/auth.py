"""Staff sign-in sessions and API keys.

Passwords are hashed with argon2; sessions are signed cookies holding the user id, the user's
session version, when the session started and the time of the last request: an idle session ends
after STAFF_IDLE_TIMEOUT_MINUTES, any session after STAFF_SESSION_MAX_HOURS, and every session of
a user ends when their version is bumped (sign-out, lock, password or role change), so a copied
cookie stops working too. Wrong passwords are throttled per account and address (see
`authenticate`), never a lock that anyone who knows an email address can trigger.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Request, abort, current_app, redirect, request, session, url_for

from voice_service.extensions import db
from voice_service.models import ApiKey, User, utcnow
from voice_service.store.staff import api_key_with_hash, user_by_id, user_with_email
from voice_service.vocab import API_SCOPES

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))
MIN_PASSWORD_LENGTH = 12


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
    if user_with_email(email) is not None:
        raise ValueError(f"email: a user with the email {email} already exists")
    user = User(email=email, name=(name or email).strip()[:200], role=role, team=team or None,
                password_hash=hash_password(password))
    db.session.add(user)
    return user


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    problem: str | None  # None | "wrong" | "throttled"


def _throttle_items() -> list:
    from limits import parse

    return [parse(current_app.config.get("STAFF_SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS", "5 per 15 minutes")),
            parse(current_app.config.get("STAFF_SIGN_IN_FAILURES_PER_ACCOUNT", "100 per hour"))]


def _throttle_keys(email: str, address: str, epoch: int) -> list[str]:
    """Keyed hashes (the shared store never holds an email address), by the email typed: an unknown
    email is slowed down exactly like a real one, so the throttle says nothing about who exists.
    `epoch` (the user's sign_in_epoch, 0 for an unknown email) moves on when an admin unlocks."""
    from voice_service.crypto import keyring

    return [keyring.lookup_hash(f"sign-in|{email}|{epoch}|{address}"), keyring.lookup_hash(f"sign-in|{email}|{epoch}")]


def _throttle(action: str, email: str, address: str, epoch: int) -> bool:
    """`test`: True while attempts may go on; `hit`: count a failure; `clear`: forget this address."""
    from voice_service.extensions import limiter

    try:
        backend = limiter.limiter
        pairs = list(zip(_throttle_items(), _throttle_keys(email, address, epoch)))
        if action == "test":
            return all(backend.test(item, key) for item, key in pairs)
        if action == "hit":
            for item, key in pairs:
                backend.hit(item, key)
        if action == "clear":
            backend.clear(*pairs[0])
    except Exception:  # noqa: BLE001 - the store down must not stop sign-in (as RATELIMIT_SWALLOW_ERRORS)
        current_app.logger.warning("sign-in throttle store unavailable")
    return True


def clear_sign_in_throttle(user: User) -> None:
    """For `flask users unlock`: this account's counts, from every address, start again."""
    user.sign_in_epoch = (user.sign_in_epoch or 0) + 1


def authenticate(email: str, password: str, address: str = "", now: datetime | None = None) -> SignInResult:
    """Check an email and password. Every failure costs the same (one argon2 verification, whether
    the email is known, the account inactive or the attempt throttled) and says the same thing.

    Instead of a lock anyone could trigger by typing a chair's email five times, failures are
    throttled per account and address (STAFF_SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS, default 5
    in 15 minutes) and, more loosely, per account from anywhere (..._PER_ACCOUNT, 100 an hour).
    """
    now = now or utcnow()
    email = (email or "").strip().lower()
    user = user_with_email(email) if email else None
    usable = user is not None and user.active
    epoch = (user.sign_in_epoch or 0) if user is not None else 0
    allowed = _throttle("test", email, address, epoch)
    right = verify_password(user.password_hash if usable else _DUMMY_HASH, password or "")
    if not allowed:
        if usable:
            _audit(user, "sign_in_throttled")
            db.session.commit()
        return SignInResult(None, "throttled")
    if not (usable and right):
        _throttle("hit", email, address, epoch)
        if usable:
            _audit(user, "sign_in_failed")
            db.session.commit()
        return SignInResult(None, "wrong")
    _throttle("clear", email, address, epoch)
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
    now = utcnow().timestamp()
    session.clear()
    session["user_id"] = user.id
    session["v"] = user.session_version or 1
    session["started"] = now
    session["seen"] = now
    session.permanent = False


def revoke_sessions(user: User) -> None:
    """End every session of `user`, on every device (the caller commits)."""
    user.session_version = (user.session_version or 1) + 1


def end_session() -> None:
    """Sign out: this cookie, and any copy of it, stops working."""
    user = current_user()
    if user is not None:
        revoke_sessions(user)
        _audit(user, "sign_out")
        db.session.commit()
    session.clear()


def _session_is_current(user: User | None, now: datetime) -> bool:
    if user is None or not user.active:
        return False
    if session.get("v", 1) != (user.session_version or 1):
        return False
    if "started" not in session:  # a cookie from before sessions had a start: it starts now
        session["started"] = now.timestamp()
    lifetime = timedelta(hours=current_app.config.get("STAFF_SESSION_MAX_HOURS", 12))
    return now - datetime.fromtimestamp(session["started"], timezone.utc) <= lifetime


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
            req._staff_session_expired = "1"
        else:
            user = user_by_id(user_id)
            if _session_is_current(user, utcnow()):
                session["seen"] = utcnow().timestamp()
            else:
                if user is not None and user.active:
                    req._staff_session_expired = "ended"
                user = None
                session.clear()
    req._staff_user = user
    return user


def enforce_staff_session(roles: tuple[str, ...]) -> None:
    """Send a signed-out visitor to sign in; refuse a signed-in user without one of `roles`."""
    user = current_user()
    if user is None:
        if request.accept_mimetypes.best == "application/json":
            abort(401)
        next_page = request.full_path.rstrip("?") if request.method == "GET" else None
        expired = getattr(request._get_current_object(), "_staff_session_expired", None)
        abort(redirect(url_for("staff.sign_in", next=next_page, expired=expired)))
    if roles and user.role not in roles:
        abort(403)


def require_role(*roles: str) -> None:
    """For a view inside a blueprint whose policy admits more roles than this view does."""
    enforce_staff_session(roles)


# API keys ---------------------------------------------------------------------------------

def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_api_key(name: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """Make a key that may do `scopes` (vocab.API_SCOPES; ValueError naming any other); the raw
    key is returned once and only its hash is stored."""
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in API_SCOPES]
    if unknown or not chosen:
        raise ValueError(f"give one or more scopes from: {', '.join(API_SCOPES)}"
                         + (f" (not {', '.join(unknown)})" if unknown else ""))
    raw = "fv_" + secrets.token_urlsafe(32)
    key = ApiKey(name=name, key_hash=_key_hash(raw), prefix=raw[:10], scopes=" ".join(chosen))
    db.session.add(key)
    return key, raw


def api_key_from_request(req: Request) -> ApiKey | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    raw = header[len("Bearer "):].strip()
    if not raw:
        return None
    key = api_key_with_hash(_key_hash(raw))
    if key is None or key.revoked_at is not None:
        return None
    key.last_used_at = utcnow()
    return key


def requires_scope(scope: str):
    """Mark an API view with the key scope it needs (access.ApiKeyRequired checks it; a view
    without one refuses every key)."""
    if scope not in API_SCOPES:
        raise ValueError(f"unknown API scope {scope!r}")

    def mark(view):
        view.required_scope = scope
        return view

    return mark


def key_may(key: ApiKey, scope: str | None) -> bool:
    return scope is not None and scope in (key.scopes or "").split()
