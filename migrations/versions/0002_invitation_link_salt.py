"""invitation link salt

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:40:05.622218

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        # Existing invitations keep working links: an empty salt still derives a secret token.
        batch_op.add_column(sa.Column('link_salt', sa.String(length=32), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('link_salt')

