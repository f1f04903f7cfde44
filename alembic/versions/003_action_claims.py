"""Action claims: which executor process took an action execution.

An executor claims an action execution before it starts it; only the first claim of a
send is granted, so a re-sent or duplicated request never runs an action twice.

Revision ID: 003
Revises: 002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '003'
down_revision = '002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('action_executions_v2') as batch:
        batch.add_column(sa.Column('claimed_by', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('action_executions_v2') as batch:
        batch.drop_column('claimed_by')
