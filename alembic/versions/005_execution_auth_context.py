"""The auth context an execution was started with (``workflow_executions_v2.auth_context``).

Every engine event on the execution acts as that context (its project, user, roles, token
or trust), whoever delivered the event. Never shown by the API.

Revision ID: 005
Revises: 004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '005'
down_revision = '004'
branch_labels = None
depends_on = None

_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table('workflow_executions_v2') as batch:
        batch.add_column(sa.Column('auth_context', _TEXT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('workflow_executions_v2') as batch:
        batch.drop_column('auth_context')
