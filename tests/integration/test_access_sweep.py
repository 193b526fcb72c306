"""Every route, by what it does when asked without credentials (issue 19, finding 10).

The meta-test in test_foundation.py checks that every route *has* a policy; a new /r/<token>/...
view that never looked at its token passed it. This sweep asks every rule in the URL map, with
every method it takes, as an outsider would, and checks the answer:

- a private-link route (`token required`) with an unknown token: 404
- a staff route (`role required`), signed out: a redirect to sign in
- an API route (`api key required`) without a key: 401
- a webhook (`signature required`) unsigned: 403; the Notify callback without its bearer token: 401

Routes added later are swept too; a route under a policy the sweep does not know fails it, so
whoever adds one says here what it must answer.
"""
from __future__ import annotations

import secrets

import pytest

from voice_service.access import (
    ApiKeyRequired, DevOnly, NotifyTokenRequired, Public, RoleRequired, TokenRequired, TwilioSignatureRequired,
    policy_for_endpoint,
)


@pytest.fixture
def app_config():
    # CSRF would answer 400 before the view runs; the sweep wants what the view itself does.
    return {"WTF_CSRF_ENABLED": False, "PRIVATE_LINK_RATE_LIMIT": "100000 per minute",
            "STAFF_SIGN_IN_RATE_LIMIT": "100000 per minute"}


def _value(converter: str, name: str) -> str:
    if name == "token":
        return secrets.token_urlsafe(24)
    return {"IntegerConverter": "1", "PathConverter": "x/y"}.get(converter, "unknown-1")


def _requests(app):
    """(endpoint, method, path, policy) for every rule and method but the public and dev ones."""
    for rule in app.url_map.iter_rules():
        policy = policy_for_endpoint(app, rule.endpoint)
        blueprint = app.blueprints.get(rule.endpoint.rsplit(".", 1)[0]) if "." in rule.endpoint else None
        if rule.endpoint in getattr(blueprint, "public_endpoints", ()):
            continue
        values = {name: _value(type(conv).__name__, name) for name, conv in rule._converters.items()}
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path, policy


EXPECTED = {TokenRequired: 404, ApiKeyRequired: 401, TwilioSignatureRequired: 403, NotifyTokenRequired: 401}


def sweep(app, client) -> tuple[dict, list[str]]:
    """Ask every route as an outsider: (how many of each policy were checked, what answered wrong)."""
    checked, wrong = {}, []
    for endpoint, method, path, policy in _requests(app):
        if isinstance(policy, (Public, DevOnly)):
            continue
        response = client.open(path, method=method, headers={"Accept": "text/html"},
                               data={"answer": "x"} if method in ("POST", "PUT", "PATCH") else None)
        if isinstance(policy, RoleRequired):
            ok = response.status_code == 302 and "/staff/sign-in" in response.headers.get("Location", "")
            expected = "302 to sign-in"
        elif type(policy) in EXPECTED:
            ok = response.status_code == EXPECTED[type(policy)]
            expected = EXPECTED[type(policy)]
        else:
            wrong.append(f"{method} {path}: policy {policy.describe()!r} unknown to this sweep; add what it must answer")
            continue
        checked[type(policy).__name__] = checked.get(type(policy).__name__, 0) + 1
        if not ok:
            wrong.append(f"{method} {path} ({endpoint}, {policy.describe()}): {response.status_code}, expected {expected}")
    return checked, wrong


def test_every_route_answers_an_outsider_as_its_policy_says(app, client):
    from tests.support.public_survey import install_test_survey

    install_test_survey(app)
    checked, wrong = sweep(app, client)
    assert wrong == []
    # The sweep reached every kind (a map it could not read would pass vacuously).
    assert checked.get("TokenRequired", 0) >= 6 and checked.get("RoleRequired", 0) >= 10
    assert checked.get("ApiKeyRequired", 0) >= 3 and checked.get("TwilioSignatureRequired", 0) >= 2


def test_the_sweep_catches_a_private_link_route_that_never_checks_its_token(app, client):
    """The hole the meta-test left: a new /r/<token>/... view answering without looking."""
    from flask import Blueprint

    from voice_service.access import register_blueprint

    careless = Blueprint("careless", __name__, url_prefix="/r")

    @careless.get("/<token>/extra")
    def extra(token):
        return "here are the answers"

    register_blueprint(app, careless, TokenRequired())
    _checked, wrong = sweep(app, client)
    assert len(wrong) == 1 and wrong[0].startswith("GET /r/") and "careless.extra" in wrong[0]
