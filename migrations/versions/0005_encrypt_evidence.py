"""encrypt evidence: analysis evidence and alert evidence quote a person's words; session versions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 08:10:00

The four JSON columns become text holding a Fernet token of the JSON (models.types.EncryptedJSON);
existing rows are encrypted in place with the app's newest key. On SQLite, secure_delete makes the
rewritten pages overwrite the clear text rather than leave it in free pages of the file.

Also (issue 19, the security helper's one migration): user.session_version, bumped to end every
session of a user, and user.sign_in_epoch, moved on to restart the sign-in throttle.
"""
import json

from alembic import op
import sqlalchemy as sa

from voice_service.crypto import keyring

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

COLUMNS = (("safeguarding_alert", "evidence"), ("safeguarding_alert_item", "evidence"), ("answer", "analysis_evidence"),
           ("theme_tag", "evidence"))


def _rewrite(table: str, column: str, change) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all()
    for row_id, value in rows:
        bind.execute(sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :id"), {"v": change(value), "id": row_id})


def _change_type(table: str, column: str, old, new, using: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # In place (SQLite 3.35+): a batch copy of the table would trip the foreign keys pointing at it.
        bind.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column}_new {new().compile(dialect=bind.dialect)}"))
        bind.execute(sa.text(f"UPDATE {table} SET {column}_new = {column}"))
        bind.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        bind.execute(sa.text(f"ALTER TABLE {table} RENAME COLUMN {column}_new TO {column}"))
    else:
        op.alter_column(table, column, existing_type=old(), type_=new(), postgresql_using=f"{column}::{using}")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text("PRAGMA secure_delete = ON"))
    for table, column in COLUMNS:
        _change_type(table, column, sa.JSON, sa.Text, "text")

        def encrypt(value):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            return keyring.encrypt(json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")))

        _rewrite(table, column, encrypt)
    _add_columns()


NEW_COLUMNS = (
    ("user", sa.Column("session_version", sa.Integer(), nullable=False, server_default="1")),
    ("user", sa.Column("sign_in_epoch", sa.Integer(), nullable=False, server_default="0")),
)


def _add_columns():
    for table, column in NEW_COLUMNS:
        op.add_column(table, column)


def _drop_columns():
    for table, column in NEW_COLUMNS:
        if op.get_bind().dialect.name == "sqlite":  # in place, as above
            op.get_bind().execute(sa.text(f'ALTER TABLE "{table}" DROP COLUMN {column.name}'))
        else:
            op.drop_column(table, column.name)


def downgrade():
    _drop_columns()
    for table, column in COLUMNS:
        _rewrite(table, column, keyring.decrypt)
        _change_type(table, column, sa.Text, sa.JSON, "json")
