"""Alembic environment for Flask-Migrate: the app supplies the engine and the models' metadata."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

import voice_service.models  # noqa: E402,F401  (registers every table)

target_metadata = current_app.extensions["migrate"].db.metadata


def render_item(type_, obj, autogen_context):
    """Write our column types by their import path so migrations need no model imports."""
    module = type(obj).__module__
    if type_ == "type" and module == "voice_service.models.types":
        autogen_context.imports.add("import voice_service.models.types")
        return f"voice_service.models.types.{type(obj).__name__}()"
    return False


def run_migrations_offline():
    context.configure(
        url=str(current_app.extensions["migrate"].db.engine.url),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = current_app.extensions["migrate"].db.engine
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
