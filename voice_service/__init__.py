"""The family and child voice service: one factory for every process (web, clock, CLI).

Flask and the ORM are imported inside create_app, so that importing a pure module of the
package (the conversation engine, the planner, the analysis) loads neither.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides settings read from the environment (tests pass some).

    VOICE_ENV (or config["ENV_NAME"]) picks development (default), test or production.
    Production raises ConfigError naming every missing variable.
    """
    from flask import Flask
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

    from voice_service.config import build_settings
    from voice_service.crypto import keyring
    from voice_service.extensions import csrf, db, limiter, migrate

    config = dict(config or {})
    settings = build_settings(config.pop("ENV_NAME", None))
    settings.update(config)
    if settings["ENV_NAME"] == "production":
        from voice_service.config import check_production

        check_production(settings)

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=settings["INSTANCE_DIR"],
    )
    app.config.update(settings)
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and ":memory:" not in settings["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    keyring.configure(app.config["DATA_ENCRYPTION_KEYS"], app.config["LOOKUP_HASH_KEY"])

    from voice_service import logs

    logs.init_app(app)
    db.init_app(app)
    from voice_service import database

    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    from voice_service import i18n

    i18n.init_app(app)
    from voice_service import security

    security.init_app(app)
    from voice_service import errors

    errors.init_app(app)

    _register_blueprints(app)

    from voice_service import cli

    cli.init_app(app)

    @app.context_processor
    def service_identity():
        return {
            "service_name": app.config["SERVICE_NAME"],
            "council_name": app.config["COUNCIL_NAME"],
            "service_phone": app.config["SERVICE_PHONE"],
            "advocacy_phone": app.config["ADVOCACY_PHONE"],
            "duty_team_phone": app.config["DUTY_TEAM_PHONE"],
            "adult_social_care_phone": app.config["ADULT_SOCIAL_CARE_PHONE"],
        }

    if app.config["RUN_SCHEDULER_IN_PROCESS"]:
        from voice_service.scheduling import in_process

        in_process.start(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Every blueprint states who may reach it; tests/test_foundation.py checks all routes."""
    from voice_service.access import (
        ApiKeyRequired,
        DevOnly,
        NotifyTokenRequired,
        Public,
        RoleRequired,
        TokenRequired,
        TwilioSignatureRequired,
        register_blueprint,
    )
    from voice_service.web import api, dev, health, insights, learning, notify, pack, public, sms, staff, you_said
    from voice_service.web import learning_voices  # noqa: F401  (its routes join learning.bp: other sources)
    from voice_service.web import staff_admin
    from voice_service.web import staff_teams  # noqa: F401  (its route joins staff.bp: the teams' week)
    from voice_service.web import staff_reach  # noqa: F401  (its routes join staff.bp: link, letter, resend, reissue, help)

    register_blueprint(app, health.bp, Public())
    register_blueprint(app, public.bp, TokenRequired())
    register_blueprint(app, you_said.bp, TokenRequired())
    register_blueprint(app, sms.bp, TwilioSignatureRequired())
    register_blueprint(app, staff.bp, RoleRequired("admin", "qa", "chair", "worker", "family_advisory"))
    register_blueprint(app, staff_admin.bp, RoleRequired("admin"))
    register_blueprint(app, insights.bp, RoleRequired("admin", "qa", "family_advisory"))
    register_blueprint(app, learning.bp, RoleRequired("admin", "qa", "chair", "worker"))
    register_blueprint(app, pack.bp, RoleRequired("admin", "qa"))
    register_blueprint(app, api.bp, ApiKeyRequired())
    register_blueprint(app, notify.bp, NotifyTokenRequired())
    if app.config["DEV_PAGES"]:
        register_blueprint(app, dev.bp, DevOnly())
