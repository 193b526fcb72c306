"""Staff accounts: the one set of changes an admin makes, from the web (/staff/users) or the
command line (`flask users ...`). Each function changes the account, audits it with the actor
(None for the command line) and leaves the commit to the caller.

Disabling, a role or team change and a new password bump the session version
(auth.revoke_sessions), so every session the person has ends at once, on every device. The last
active admin can be neither disabled nor re-roled: someone must be able to administer the service.
"""
from __future__ import annotations


from voice_service import audit
from voice_service.extensions import db
from voice_service.models import User
from voice_service.store.staff import other_active_admins, user_with_email
from voice_service.vocab import STAFF_ROLES


class AccountChangeRefused(ValueError):
    """Why a change cannot be made, in words for the person making it."""


def find(email: str) -> User | None:
    return user_with_email((email or "").strip().lower())


def _team_problem(role: str, team: str | None) -> str | None:
    if role == "worker" and not (team or "").strip():
        return "a worker needs a team: workers see only their team's meetings"
    return None


def _last_admin(user: User) -> bool:
    if user.role != "admin" or not user.active:
        return False
    return not other_active_admins(user.id)


def create(actor: User | None, email: str, name: str | None, role: str, password: str,
           team: str | None = None) -> User:
    from voice_service.auth import create_user

    problem = _team_problem(role, team)
    if problem:
        raise AccountChangeRefused(f"team: {problem}")
    try:
        user = create_user(email, name or email, role, password, (team or "").strip() or None)
    except ValueError as error:
        raise AccountChangeRefused(str(error)) from None
    db.session.flush()
    audit.record(actor, "user_created", user, {"role": role})
    return user


def change_role(actor: User | None, user: User, role: str, team: str | None = None) -> bool:
    """A new role (and team, if given); True if anything changed. Every session of theirs ends."""
    if role not in STAFF_ROLES:
        raise AccountChangeRefused(f"role: must be one of {', '.join(STAFF_ROLES)}")
    new_team = user.team if team is None else ((team or "").strip() or None)
    problem = _team_problem(role, new_team)
    if problem:
        raise AccountChangeRefused(f"team: {problem}")
    if role != "admin" and _last_admin(user):
        raise AccountChangeRefused("role: this is the only active administrator; make someone else an administrator first")
    if role == user.role and new_team == user.team:
        return False
    from voice_service.auth import revoke_sessions

    old_role, old_team = user.role, user.team
    user.role, user.team = role, new_team
    revoke_sessions(user)
    detail = {"from": old_role, "to": role}
    if old_team != new_team:
        detail["team_changed"] = True
    audit.record(actor, "user_role_changed", user, detail)
    return True


def disable(actor: User | None, user: User) -> None:
    """Stop them signing in and end every session they have, at once."""
    from voice_service.auth import revoke_sessions

    if _last_admin(user):
        raise AccountChangeRefused("this is the only active administrator; make someone else an administrator first")
    if actor is not None and actor.id == user.id:
        raise AccountChangeRefused("you cannot disable your own account; ask another administrator")
    user.active = False
    revoke_sessions(user)
    audit.record(actor, "user_locked", user)


def unlock(actor: User | None, user: User) -> None:
    """Enable the account and let them sign in again now: wrong-password counts start again."""
    from voice_service.auth import clear_sign_in_throttle

    user.locked_until = None
    user.failed_logins = 0
    user.active = True
    clear_sign_in_throttle(user)
    audit.record(actor, "user_unlocked", user)


def reset_sign_in(actor: User | None, user: User, password: str) -> None:
    """A new password: every session ends, and wrong-password counts start again."""
    from voice_service.auth import clear_sign_in_throttle, hash_password, password_problem, revoke_sessions

    problem = password_problem(password)
    if problem:
        raise AccountChangeRefused(f"password: {problem}")
    user.password_hash = hash_password(password)
    user.locked_until = None
    user.failed_logins = 0
    clear_sign_in_throttle(user)
    revoke_sessions(user)
    audit.record(actor, "user_password_changed", user)
