"""reach: email, letters, in person; the case system's whole record

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-02 08:15:00

"""
from alembic import op
import sqlalchemy as sa
import voice_service.models.types


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postal_address', voice_service.models.types.EncryptedText(), nullable=True))
        batch_op.add_column(sa.Column('route', sa.String(length=16), nullable=True))
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_closure_reason', sa.String(length=16), nullable=True))
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assisted_how', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('assisted_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitation_assisted_by_id_user'), 'user', ['assisted_by_id'], ['id'])
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('subject')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitation_assisted_by_id_user'), type_='foreignkey')
        batch_op.drop_column('assisted_at')
        batch_op.drop_column('assisted_how')
        batch_op.drop_column('assisted_by_id')
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_column('case_closure_reason')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('route')
        batch_op.drop_column('postal_address')
