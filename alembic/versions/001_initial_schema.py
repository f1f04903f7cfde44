"""Initial schema: every table of mistral.db.models.

Revision ID: 001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action_definitions_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('description', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('input', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('attributes', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('action_class', sa.String(length=200), nullable=True),
    sa.Column('workbook_name', sa.String(length=255), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('namespace', sa.String(length=255), nullable=False),
    sa.Column('definition', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('spec', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('checksum', sa.String(length=32), nullable=True),
    sa.Column('tags', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('is_system', sa.Boolean(), nullable=False),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_definitions_v2')),
    sa.UniqueConstraint('name', 'namespace', 'project_id', name=op.f('uq_action_definitions_v2_name_namespace_project_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('action_definitions_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_definitions_v2_project_id'), ['project_id'], unique=False)

    op.create_table('environments_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('variables', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_environments_v2')),
    sa.UniqueConstraint('name', 'project_id', name=op.f('uq_environments_v2_name_project_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('environments_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_environments_v2_project_id'), ['project_id'], unique=False)

    op.create_table('resource_members_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('resource_id', sa.String(length=80), nullable=False),
    sa.Column('resource_type', sa.String(length=50), nullable=False),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('member_id', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_members_v2')),
    sa.UniqueConstraint('resource_id', 'resource_type', 'member_id', name=op.f('uq_resource_members_v2_resource_id_resource_type_member_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('resource_members_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_members_v2_member_id'), ['member_id'], unique=False)

    op.create_table('scheduled_jobs_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('handler', sa.String(length=100), nullable=False),
    sa.Column('args', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('run_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('key', sa.String(length=250), nullable=True),
    sa.Column('captured_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('captured_by', sa.String(length=255), nullable=True),
    sa.Column('auth_ctx', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_jobs_v2')),
    sa.UniqueConstraint('key', name=op.f('uq_scheduled_jobs_v2_key')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('scheduled_jobs_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduled_jobs_v2_captured_at'), ['captured_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduled_jobs_v2_run_at'), ['run_at'], unique=False)

    op.create_table('workbooks_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('namespace', sa.String(length=255), nullable=False),
    sa.Column('definition', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('spec', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('checksum', sa.String(length=32), nullable=True),
    sa.Column('tags', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('is_system', sa.Boolean(), nullable=False),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workbooks_v2')),
    sa.UniqueConstraint('name', 'namespace', 'project_id', name=op.f('uq_workbooks_v2_name_namespace_project_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('workbooks_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workbooks_v2_project_id'), ['project_id'], unique=False)

    op.create_table('workflow_definitions_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('workbook_name', sa.String(length=255), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('namespace', sa.String(length=255), nullable=False),
    sa.Column('definition', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('spec', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('checksum', sa.String(length=32), nullable=True),
    sa.Column('tags', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('is_system', sa.Boolean(), nullable=False),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_definitions_v2')),
    sa.UniqueConstraint('name', 'namespace', 'project_id', name=op.f('uq_workflow_definitions_v2_name_namespace_project_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('workflow_definitions_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_definitions_v2_project_id'), ['project_id'], unique=False)

    op.create_table('workflow_executions_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('workflow_id', sa.String(length=80), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('input', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('output', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('params', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('context', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('task_execution_id', sa.String(length=36), nullable=True),
    sa.Column('root_execution_id', sa.String(length=36), nullable=True),
    sa.Column('owner', sa.String(length=255), nullable=True),
    sa.Column('next_check_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('workflow_name', sa.String(length=255), nullable=True),
    sa.Column('workflow_namespace', sa.String(length=255), nullable=True),
    sa.Column('spec', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=True),
    sa.Column('state_info', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('tags', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('runtime_context', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_executions_v2')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('workflow_executions_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_executions_v2_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_executions_v2_next_check_at'), ['next_check_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_executions_v2_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_executions_v2_root_execution_id'), ['root_execution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_executions_v2_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_executions_v2_task_execution_id'), ['task_execution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_executions_v2_workflow_id'), ['workflow_id'], unique=False)

    op.create_table('cron_triggers_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('pattern', sa.String(length=100), nullable=True),
    sa.Column('first_execution_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('next_execution_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('workflow_name', sa.String(length=255), nullable=True),
    sa.Column('workflow_id', sa.String(length=36), nullable=True),
    sa.Column('workflow_input', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('workflow_params', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('remaining_executions', sa.Integer(), nullable=True),
    sa.Column('trust_id', sa.String(length=80), nullable=True),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['workflow_id'], ['workflow_definitions_v2.id'], name=op.f('fk_cron_triggers_v2_workflow_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cron_triggers_v2')),
    sa.UniqueConstraint('name', 'project_id', name=op.f('uq_cron_triggers_v2_name_project_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('cron_triggers_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cron_triggers_v2_next_execution_time'), ['next_execution_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_cron_triggers_v2_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cron_triggers_v2_workflow_id'), ['workflow_id'], unique=False)

    op.create_table('event_triggers_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('workflow_id', sa.String(length=36), nullable=False),
    sa.Column('workflow_input', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('workflow_params', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('exchange', sa.String(length=80), nullable=False),
    sa.Column('topic', sa.String(length=80), nullable=False),
    sa.Column('event', sa.String(length=80), nullable=False),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['workflow_id'], ['workflow_definitions_v2.id'], name=op.f('fk_event_triggers_v2_workflow_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_triggers_v2')),
    sa.UniqueConstraint('exchange', 'topic', 'event', 'workflow_id', 'project_id', name=op.f('uq_event_triggers_v2_exchange_topic_event_workflow_id_project_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('event_triggers_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_triggers_v2_project_id'), ['project_id'], unique=False)

    op.create_table('task_executions_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('workflow_execution_id', sa.String(length=36), nullable=False),
    sa.Column('workflow_id', sa.String(length=80), nullable=True),
    sa.Column('action_spec', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('in_context', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('published', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('processed', sa.Boolean(), nullable=False),
    sa.Column('unique_key', sa.String(length=255), nullable=True),
    sa.Column('type', sa.String(length=10), nullable=True),
    sa.Column('started_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('finished_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('has_next_tasks', sa.Boolean(), nullable=False),
    sa.Column('error_handled', sa.Boolean(), nullable=False),
    sa.Column('next_tasks', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('items_total', sa.Integer(), nullable=False),
    sa.Column('items_done', sa.Integer(), nullable=False),
    sa.Column('items_failed', sa.Integer(), nullable=False),
    sa.Column('join_pending', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('workflow_name', sa.String(length=255), nullable=True),
    sa.Column('workflow_namespace', sa.String(length=255), nullable=True),
    sa.Column('spec', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=True),
    sa.Column('state_info', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('tags', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('runtime_context', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['workflow_execution_id'], ['workflow_executions_v2.id'], name=op.f('fk_task_executions_v2_workflow_execution_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_executions_v2')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('task_executions_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_executions_v2_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_executions_v2_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_executions_v2_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_executions_v2_state_updated_at'), ['state', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_executions_v2_workflow_execution_id'), ['workflow_execution_id'], unique=False)

    op.create_table('action_executions_v2',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('task_execution_id', sa.String(length=36), nullable=True),
    sa.Column('workflow_execution_id', sa.String(length=36), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('input', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('output', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('is_sync', sa.Boolean(), nullable=True),
    sa.Column('last_heartbeat', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=True),
    sa.Column('executor_host', sa.String(length=255), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('workflow_name', sa.String(length=255), nullable=True),
    sa.Column('workflow_namespace', sa.String(length=255), nullable=True),
    sa.Column('spec', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=True),
    sa.Column('state_info', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('tags', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('runtime_context', sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['task_execution_id'], ['task_executions_v2.id'], name=op.f('fk_action_executions_v2_task_execution_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_executions_v2')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('action_executions_v2', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_executions_v2_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_executions_v2_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_executions_v2_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_executions_v2_state_last_heartbeat'), ['state', 'last_heartbeat'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_executions_v2_task_execution_id'), ['task_execution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_executions_v2_workflow_execution_id'), ['workflow_execution_id'], unique=False)



def downgrade() -> None:
    # Children first; dropping a table drops its indexes and constraints.
    op.drop_table('action_executions_v2')
    op.drop_table('task_executions_v2')
    op.drop_table('event_triggers_v2')
    op.drop_table('cron_triggers_v2')
    op.drop_table('workflow_executions_v2')
    op.drop_table('workflow_definitions_v2')
    op.drop_table('workbooks_v2')
    op.drop_table('scheduled_jobs_v2')
    op.drop_table('resource_members_v2')
    op.drop_table('environments_v2')
    op.drop_table('action_definitions_v2')
