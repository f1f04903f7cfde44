"""Triggers keep their creator; event triggers keep a trust; standalone actions their owner.

* ``cron_triggers_v2.auth_context`` and ``event_triggers_v2.auth_context``: the context of
  the user who created the trigger (without the token when a trust stands for it); the
  executions the trigger starts act as it.
* ``event_triggers_v2.trust_id``: the Keystone trust from that user to Mistral's service
  user, as cron triggers have (Mistral's column).
* ``action_executions_v2.auth_context``: the context a standalone action (``run-action``)
  was started with; the reconciler's repairs of it act as it.

Never shown by the API.

Revision ID: 008
Revises: 007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '008'
down_revision = '007'
branch_labels = None
depends_on = None

_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table('cron_triggers_v2') as batch:
        batch.add_column(sa.Column('auth_context', _TEXT, nullable=True))
    with op.batch_alter_table('event_triggers_v2') as batch:
        batch.add_column(sa.Column('trust_id', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('auth_context', _TEXT, nullable=True))
    with op.batch_alter_table('action_executions_v2') as batch:
        batch.add_column(sa.Column('auth_context', _TEXT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('action_executions_v2') as batch:
        batch.drop_column('auth_context')
    with op.batch_alter_table('event_triggers_v2') as batch:
        batch.drop_column('auth_context')
        batch.drop_column('trust_id')
    with op.batch_alter_table('cron_triggers_v2') as batch:
        batch.drop_column('auth_context')
