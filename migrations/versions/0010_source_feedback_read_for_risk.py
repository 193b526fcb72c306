"""feedback from other sources read for risk and reviewed like answers: its analysis, the
review, and the links from alerts, alert items and labelled examples

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:40:00

"""
from alembic import op
import sqlalchemy as sa
import voice_service.models.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _add_reference(table: str, column: str, target: str, name: str) -> None:
    """A nullable integer column referring to target.id, added in place (as 0004 does): SQLite
    takes the reference inline (a batch copy would drop a table other rows point at);
    PostgreSQL gets a named constraint."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES "{target}" (id)'))
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, target, [column], ["id"])


def upgrade():
    op.add_column('source_feedback', sa.Column('analysis_evidence', voice_service.models.types.EncryptedJSON(), nullable=True))
    op.add_column('source_feedback', sa.Column('redacted_text', voice_service.models.types.EncryptedText(), nullable=True))
    op.add_column('source_feedback', sa.Column('language', sa.String(length=16), nullable=True))
    op.add_column('source_feedback', sa.Column('needs_interpreter', sa.Boolean(), nullable=False,
                                               server_default=sa.false()))
    op.add_column('source_feedback', sa.Column('review_reason', sa.String(length=24), nullable=True))
    op.add_column('source_feedback', sa.Column('sentiment_source', sa.String(length=16), nullable=True))
    _add_reference('source_feedback', 'reviewed_by_id', 'user', 'fk_source_feedback_reviewed_by_id_user')
    op.add_column('source_feedback', sa.Column('reviewed_at', voice_service.models.types.UTCDateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_source_feedback_review_reason'), 'source_feedback', ['review_reason'], unique=False)
    _add_reference('safeguarding_alert', 'source_feedback_id', 'source_feedback',
                   'fk_safeguarding_alert_source_feedback_id_source_feedback')
    op.create_index(op.f('ix_safeguarding_alert_source_feedback_id'), 'safeguarding_alert', ['source_feedback_id'], unique=True)
    _add_reference('safeguarding_alert_item', 'source_feedback_id', 'source_feedback',
                   'fk_safeguarding_alert_item_source_feedback_id_source_feedback')
    op.create_index(op.f('ix_safeguarding_alert_item_source_feedback_id'), 'safeguarding_alert_item', ['source_feedback_id'], unique=False)
    _add_reference('labelled_example', 'source_feedback_id', 'source_feedback',
                   'fk_labelled_example_source_feedback_id_source_feedback')
    op.create_index(op.f('ix_labelled_example_source_feedback_id'), 'labelled_example', ['source_feedback_id'], unique=False)


def downgrade():
    for table in ('labelled_example', 'safeguarding_alert_item', 'safeguarding_alert'):
        op.drop_index(op.f(f'ix_{table}_source_feedback_id'), table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('source_feedback_id')
    op.drop_index(op.f('ix_source_feedback_review_reason'), table_name='source_feedback')
    with op.batch_alter_table('source_feedback', schema=None) as batch_op:
        for column in ('reviewed_at', 'reviewed_by_id', 'sentiment_source', 'review_reason', 'needs_interpreter',
                       'language', 'redacted_text', 'analysis_evidence'):
            batch_op.drop_column(column)
