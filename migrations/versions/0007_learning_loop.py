"""the Learning Loop: "you said, we did" per person, QA actions and their notes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:20:00

"""
from alembic import op
import sqlalchemy as sa
import voice_service.models.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'you_said_we_did',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invitation_id', sa.Integer(), nullable=False),
        sa.Column('route', sa.String(length=16), nullable=False),
        sa.Column('handed_over_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('handed_over_by_id', sa.Integer(), nullable=True),
        sa.Column('first_viewed_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('follow_up_answer', sa.String(length=16), nullable=True),
        sa.Column('follow_up_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_you_said_we_did_invitation_id_invitation')),
        sa.ForeignKeyConstraint(['handed_over_by_id'], ['user.id'], name=op.f('fk_you_said_we_did_handed_over_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_you_said_we_did')),
        sa.UniqueConstraint('invitation_id', name=op.f('uq_you_said_we_did_invitation_id')),
    )
    op.create_table(
        'learning_action',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('finding_kind', sa.String(length=16), nullable=False),
        sa.Column('finding_ref', sa.String(length=64), nullable=False),
        sa.Column('measure_id', sa.String(length=40), nullable=False),
        sa.Column('service', sa.String(length=16), nullable=True),
        sa.Column('owner_name', sa.String(length=200), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('plain_words', sa.String(length=600), nullable=True),
        sa.Column('published', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_learning_action_owner_id_user')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_learning_action_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_action')),
    )
    op.create_table(
        'learning_action_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('note', voice_service.models.types.EncryptedText(), nullable=True),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('at', voice_service.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['learning_action.id'], name=op.f('fk_learning_action_note_action_id_learning_action')),
        sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_learning_action_note_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_action_note')),
    )
    with op.batch_alter_table('learning_action_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_action_note_action_id'), ['action_id'], unique=False)


def downgrade():
    with op.batch_alter_table('learning_action_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_action_note_action_id'))
    op.drop_table('learning_action_note')
    op.drop_table('learning_action')
    op.drop_table('you_said_we_did')
