"""alerts on texts without an answer

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 07:06:17.505235

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.alter_column('answer_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_safeguarding_alert_message_id'), ['message_id'])
        batch_op.create_foreign_key(batch_op.f('fk_safeguarding_alert_message_id_message'), 'message', ['message_id'], ['id'])



def downgrade():
    # Alerts on texts without an answer cannot exist in the older schema.
    op.execute("DELETE FROM safeguarding_alert WHERE answer_id IS NULL")
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_safeguarding_alert_message_id_message'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_safeguarding_alert_message_id'), type_='unique')
        batch_op.alter_column('answer_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('message_id')

