"""Staff accounts and the case system's API keys in the database: the reads the staff commands
make. Making a key is `auth.create_api_key`; account changes are `voice_service.staff_accounts`.
Nothing here commits: the command does.
"""
from __future__ import annotations

from sqlalchemy import select

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
