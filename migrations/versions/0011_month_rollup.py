"""the counts of closed months (and of the open month's closed days), kept for the trends, scorecard and pack pages

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 03:20:00

"""
from alembic import op
import sqlalchemy as sa
import voice_service.models.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'month_rollup',
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('counted_version', sa.Integer(), nullable=True),
        sa.Column('counted_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('kind', 'period', name=op.f('pk_month_rollup')),
    )


def downgrade():
    op.drop_table('month_rollup')
