"""reach: email, letters, in person; the case system's whole record

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:15:00

"""
from alembic import op
import sqlalchemy as sa
import voice_service.models.types


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _add_reference(table: str, column: str, target: str, name: str) -> None:
    """A nullable integer column referring to target.id, added in place: SQLite takes the
    reference inline (a batch copy would drop a table other rows point at); PostgreSQL gets a
    named constraint."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES "{target}" (id)'))
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, target, [column], ["id"])


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postal_address', voice_service.models.types.EncryptedText(), nullable=True))
        batch_op.add_column(sa.Column('route', sa.String(length=16), nullable=True))
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_closure_reason', sa.String(length=16), nullable=True))
    # Columns added in place (a foreign key inline): on SQLite a batch copy of invitation would
    # drop a table other rows point at.
    _add_reference('invitation', 'assisted_by_id', 'user', 'fk_invitation_assisted_by_id_user')
    op.add_column('invitation', sa.Column('assisted_how', sa.JSON(), nullable=True))
    op.add_column('invitation', sa.Column('assisted_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('subject')
    if op.get_bind().dialect.name != "sqlite":  # on SQLite the reference is inline, dropped with the column
        op.drop_constraint('fk_invitation_assisted_by_id_user', 'invitation', type_='foreignkey')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('assisted_at')
        batch_op.drop_column('assisted_how')
        batch_op.drop_column('assisted_by_id')
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_column('case_closure_reason')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('route')
        batch_op.drop_column('postal_address')
