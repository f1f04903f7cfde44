"""workflow_executions_v2.trigger_id: the cron or event trigger that started an execution.

Revision ID: 004
Revises: 003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '004'
down_revision = '003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workflow_executions_v2', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trigger_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_workflow_executions_v2_trigger_id'), ['trigger_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('workflow_executions_v2', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_executions_v2_trigger_id'))
        batch_op.drop_column('trigger_id')
