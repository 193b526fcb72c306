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
    # In place, the foreign key inline: no batch copy of the table on SQLite.
    _add_reference('safeguarding_alert', 'participant_id', 'participant', 'fk_safeguarding_alert_participant_id_participant')
    op.add_column('safeguarding_alert', sa.Column('phone_hash', sa.String(length=64), nullable=True))
    op.add_column('safeguarding_alert', sa.Column('model_version', sa.String(length=32), nullable=True))
    op.add_column('safeguarding_alert', sa.Column('outcome', sa.String(length=16), nullable=True))
    op.add_column('safeguarding_alert', sa.Column('outcome_reason', voice_service.models.types.EncryptedText(), nullable=True))
    op.create_index(op.f('ix_safeguarding_alert_participant_id'), 'safeguarding_alert', ['participant_id'], unique=False)
    op.create_index(op.f('ix_safeguarding_alert_phone_hash'), 'safeguarding_alert', ['phone_hash'], unique=False)
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
    op.drop_index(op.f('ix_safeguarding_alert_phone_hash'), table_name='safeguarding_alert')
    op.drop_index(op.f('ix_safeguarding_alert_participant_id'), table_name='safeguarding_alert')
    if op.get_bind().dialect.name != "sqlite":  # on SQLite the reference is inline, dropped with the column
        op.drop_constraint('fk_safeguarding_alert_participant_id_participant', 'safeguarding_alert', type_='foreignkey')
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.drop_column('outcome_reason')
        batch_op.drop_column('outcome')
        batch_op.drop_column('model_version')
        batch_op.drop_column('phone_hash')
        batch_op.drop_column('participant_id')
