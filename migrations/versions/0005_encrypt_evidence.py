"""encrypt evidence: analysis evidence and alert evidence quote a person's words

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02 08:10:00

The three JSON columns become text holding a Fernet token of the JSON (models.types.EncryptedJSON);
existing rows are encrypted in place with the app's newest key. On SQLite, secure_delete makes the
rewritten pages overwrite the clear text rather than leave it in free pages of the file.
"""
import json

from alembic import op
import sqlalchemy as sa

from voice_service.crypto import keyring

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = (("safeguarding_alert", "evidence"), ("answer", "analysis_evidence"), ("theme_tag", "evidence"))


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


def downgrade():
    for table, column in COLUMNS:
        _rewrite(table, column, keyring.decrypt)
        _change_type(table, column, sa.Text, sa.JSON, "json")
