"""quotes approved by a person before they leave QA; API keys with scopes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:00:00

Keys made before scopes existed keep what they could do then (read and write meetings); reading
outcomes is new and must be given to a key explicitly.
"""
from alembic import op
import sqlalchemy as sa
import voice_service.models.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shared_quote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('answer_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=16), nullable=False),
        sa.Column('text', voice_service.models.types.EncryptedText(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_shared_quote_answer_id_answer')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_shared_quote_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_quote')),
        sa.UniqueConstraint('answer_id', name=op.f('uq_shared_quote_answer_id')),
    )
    with op.batch_alter_table('api_key') as batch:
        batch.add_column(sa.Column('scopes', sa.String(length=200), nullable=False,
                                   server_default='meetings:read meetings:write'))


def downgrade():
    with op.batch_alter_table('api_key') as batch:
        batch.drop_column('scopes')
    op.drop_table('shared_quote')
