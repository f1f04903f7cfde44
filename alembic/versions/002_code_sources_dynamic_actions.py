"""Code sources and dynamic action definitions (Mistral 23's tables of the same names).

Revision ID: 002
Revises: 001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '002'
down_revision = '001'
branch_labels = None
depends_on = None

_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
_TABLE = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin", "mysql_engine": "InnoDB"}


def upgrade() -> None:
    op.create_table(
        'code_sources',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', _TIME, nullable=False),
        sa.Column('updated_at', _TIME, nullable=True),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('namespace', sa.String(length=255), nullable=False),
        sa.Column('content', _TEXT, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('checksum', sa.String(length=64), nullable=True),
        sa.Column('tags', _TEXT, nullable=True),
        sa.Column('project_id', sa.String(length=80), nullable=False),
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_code_sources')),
        sa.UniqueConstraint('name', 'namespace', 'project_id',
                            name=op.f('uq_code_sources_name_namespace_project_id')),
        **_TABLE,
    )
    with op.batch_alter_table('code_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_sources_project_id'), ['project_id'],
                              unique=False)

    op.create_table(
        'dynamic_action_definitions',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', _TIME, nullable=False),
        sa.Column('updated_at', _TIME, nullable=True),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('namespace', sa.String(length=255), nullable=False),
        sa.Column('class_name', sa.String(length=255), nullable=False),
        sa.Column('code_source_id', sa.String(length=36), nullable=False),
        sa.Column('code_source_name', sa.String(length=255), nullable=False),
        sa.Column('project_id', sa.String(length=80), nullable=False),
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['code_source_id'], ['code_sources.id'],
                                name=op.f('fk_dynamic_action_definitions_code_source_id'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dynamic_action_definitions')),
        sa.UniqueConstraint('name', 'namespace', 'project_id',
                            name=op.f('uq_dynamic_action_definitions_name_namespace_project_id')),
        **_TABLE,
    )
    with op.batch_alter_table('dynamic_action_definitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dynamic_action_definitions_code_source_id'),
                              ['code_source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dynamic_action_definitions_project_id'),
                              ['project_id'], unique=False)


def downgrade() -> None:
    op.drop_table('dynamic_action_definitions')
    op.drop_table('code_sources')
