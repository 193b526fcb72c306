"""one open safeguarding alert per person, with every flagged answer or message as an item

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import voice_service.models.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participant_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('model_version', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('outcome_reason', voice_service.models.types.EncryptedText(), nullable=True))
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_phone_hash'), ['phone_hash'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_safeguarding_alert_participant_id_participant'), 'participant',
                                    ['participant_id'], ['id'])
    op.create_table(
        'safeguarding_alert_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('answer_id', sa.Integer(), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('evidence', sa.JSON(), nullable=True),
        sa.Column('model_version', sa.String(length=32), nullable=True),
        sa.Column('raised_at', voice_service.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['safeguarding_alert.id'], name=op.f('fk_safeguarding_alert_item_alert_id_safeguarding_alert')),
        sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_safeguarding_alert_item_answer_id_answer')),
        sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_safeguarding_alert_item_message_id_message')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_alert_item')),
    )
    with op.batch_alter_table('safeguarding_alert_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_item_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_item_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_item_message_id'), ['message_id'], unique=False)
    # Existing alerts: whose they are, and their one item.
    op.execute("""
        UPDATE safeguarding_alert SET participant_id = (
            SELECT invitation.participant_id FROM answer JOIN invitation ON invitation.id = answer.invitation_id
            WHERE answer.id = safeguarding_alert.answer_id)
        WHERE answer_id IS NOT NULL""")
    op.execute("""
        UPDATE safeguarding_alert SET participant_id = (
            SELECT invitation.participant_id FROM message JOIN invitation ON invitation.id = message.invitation_id
            WHERE message.id = safeguarding_alert.message_id),
          phone_hash = (SELECT message.phone_hash FROM message WHERE message.id = safeguarding_alert.message_id)
        WHERE message_id IS NOT NULL""")
    op.execute("""
        INSERT INTO safeguarding_alert_item (alert_id, answer_id, message_id, evidence, raised_at)
        SELECT id, answer_id, message_id, evidence, raised_at FROM safeguarding_alert""")


def downgrade():
    op.drop_table('safeguarding_alert_item')
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_safeguarding_alert_participant_id_participant'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_safeguarding_alert_phone_hash'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_alert_participant_id'))
        batch_op.drop_column('outcome_reason')
        batch_op.drop_column('outcome')
        batch_op.drop_column('model_version')
        batch_op.drop_column('phone_hash')
        batch_op.drop_column('participant_id')
