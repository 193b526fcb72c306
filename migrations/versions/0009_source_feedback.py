"""voices from other sources: feedback from learning conversations, complaints and forums

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:05:00

"""
from alembic import op
import sqlalchemy as sa
import voice_service.models.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'source_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('gathered_on', sa.Date(), nullable=False),
        sa.Column('service', sa.String(length=16), nullable=True),
        sa.Column('team', sa.String(length=64), nullable=True),
        sa.Column('text', voice_service.models.types.EncryptedText(), nullable=False),
        sa.Column('themes', sa.JSON(), nullable=True),
        sa.Column('sentiment', sa.String(length=16), nullable=True),
        sa.Column('safeguarding', sa.Boolean(), nullable=False),
        sa.Column('model_version', sa.String(length=32), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_source_feedback_recorded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_source_feedback')),
    )
    with op.batch_alter_table('source_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_feedback_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_feedback_gathered_on'), ['gathered_on'], unique=False)


def downgrade():
    with op.batch_alter_table('source_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_feedback_gathered_on'))
        batch_op.drop_index(batch_op.f('ix_source_feedback_source'))
    op.drop_table('source_feedback')
