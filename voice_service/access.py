"""Access policies: every blueprint is registered with one, explicitly.

`public`: anyone (health check, static, the staff sign-in page).
`token required`: the private-link form; the view resolves the token and refuses unknown ones.
`signature required`: Twilio webhooks; X-Twilio-Signature checked against PUBLIC_BASE_URL.
`role required`: staff pages; a signed-in user with one of the roles.
`api key required`: the JSON API; `Authorization: Bearer <key>`.
`dev only`: the SMS simulator and outbox; never registered in production.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Flask, abort, current_app, g, request

ACCESS_POLICY_KEY = "ACCESS_POLICIES"


class Policy:
    name = "policy"

    def check(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self) -> str:
        return self.name


class Public(Policy):
    name = "public"

    def check(self) -> None:
        return None


class TokenRequired(Policy):
    """The views take the token from the URL and answer 404/410 for a bad one."""

    name = "token required"

    def check(self) -> None:
        return None


class DevOnly(Policy):
    name = "dev only"

    def check(self) -> None:
        if not current_app.config.get("DEV_PAGES"):
            abort(404)


class TwilioSignatureRequired(Policy):
    name = "signature required"

    def check(self) -> None:
        from voice_service.messaging.signature import request_is_from_twilio

        if not request_is_from_twilio(request):
            abort(403)


class NotifyTokenRequired(Policy):
    """GOV.UK Notify's callbacks carry the bearer token we gave Notify (NOTIFY_CALLBACK_TOKEN)."""

    name = "notify callback token required"

    def check(self) -> None:
        import hmac

        expected = current_app.config.get("NOTIFY_CALLBACK_TOKEN")
        given = request.headers.get("Authorization", "")
        if not expected or not given.startswith("Bearer ") or not hmac.compare_digest(
                given[len("Bearer "):].strip().encode(), expected.encode()):
            abort(401)


@dataclass
class RoleRequired(Policy):
    roles: tuple[str, ...] = field(default_factory=tuple)
    name = "role required"

    def __init__(self, *roles: str) -> None:
        self.roles = roles

    def check(self) -> None:
        from voice_service.auth import enforce_staff_session

        enforce_staff_session(self.roles)

    def describe(self) -> str:
        return f"role required: {', '.join(self.roles)}"


class ApiKeyRequired(Policy):
    """A valid key with the scope the view declares (auth.requires_scope). A view that declares
    none refuses every key, so a new route cannot be open to all keys by forgetting it."""

    name = "api key required"

    def check(self) -> None:
        from voice_service.auth import api_key_from_request, key_may

        key = api_key_from_request(request)
        if key is None:
            abort(401)
        g.api_key = key
        scope = getattr(current_app.view_functions.get(request.endpoint), "required_scope", None)
        if not key_may(key, scope):
            from voice_service import audit
            from voice_service.extensions import db

            audit.record(key, "api_scope_refused", None, {"endpoint": request.endpoint, "scope": scope})
            db.session.commit()
            abort(403, description=(f"this API key may not do this: it needs the scope {scope}; ask an administrator "
                                    f"for a key with it (flask api-keys create NAME --scope {scope})"
                                    if scope else "this route declares no API scope, so no key may use it"))


def register_blueprint(app: Flask, bp: Blueprint, policy: Policy) -> None:
    exempt = set(getattr(bp, "public_endpoints", ()))

    def enforce() -> None:
        if request.endpoint in exempt:
            return None
        policy.check()
        return None

    app.register_blueprint(bp)
    # Registered on the app (not the module-level blueprint) so several apps can share blueprints.
    app.before_request_funcs.setdefault(bp.name, []).insert(0, enforce)
    app.config.setdefault(ACCESS_POLICY_KEY, {})[bp.name] = policy


def policy_for_endpoint(app: Flask, endpoint: str) -> Policy | None:
    if endpoint == "static":
        return Public()
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else None
    return app.config.get(ACCESS_POLICY_KEY, {}).get(blueprint)
