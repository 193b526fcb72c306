"""Staff accounts and the case system's API keys in the database: the reads sign-in, the staff
pages and the staff commands make. Making a key is `auth.create_api_key`; account changes are `voice_service.staff_accounts`.
Nothing here commits: the command does.
"""
from __future__ import annotations

from sqlalchemy import func, select

from voice_service.extensions import db
from voice_service.models import ApiKey, User


def api_key_named(name: str) -> ApiKey | None:
    return db.session.scalar(select(ApiKey).where(ApiKey.name == name))


def api_keys_by_name() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.name)))


def user_names(user_ids) -> dict[int, str]:
    """user id -> name, for the ids given."""
    ids = set(user_ids)
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def user_with_email(email: str) -> User | None:
    """The account with exactly this email (callers lower-case and trim what was typed)."""
    return db.session.scalar(select(User).where(User.email == email))


def all_accounts() -> list[User]:
    """Every account, active ones first, by email."""
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.email)))


def other_active_admins(user_id: int) -> int:
    return db.session.scalar(select(func.count(User.id)).where(
        User.role == "admin", User.active.is_(True), User.id != user_id))


def api_key_with_hash(key_hash: str) -> ApiKey | None:
    return db.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))
