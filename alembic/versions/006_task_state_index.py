"""An index on (workflow_execution_id, state) of task executions.

The engine asks for an execution's tasks in given states on every completion check,
resume and cancel; with only the workflow_execution_id index each was a scan of all the
execution's tasks (quadratic over a wide fan-out).

Revision ID: 006
Revises: 005
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = '006'
down_revision = '005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task_executions_v2') as batch:
        batch.create_index(batch.f('ix_task_executions_v2_workflow_execution_id_state'),
                           ['workflow_execution_id', 'state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task_executions_v2') as batch:
        batch.drop_index(batch.f('ix_task_executions_v2_workflow_execution_id_state'))
