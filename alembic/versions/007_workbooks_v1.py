"""2014 (v1) workbooks (``workbooks_v1``): served by ``/v1/workbooks``, converted to v2
workflow and action definitions.

Revision ID: 007
Revises: 006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '007'
down_revision = '006'
branch_labels = None
depends_on = None

_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
_TABLE = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin", "mysql_engine": "InnoDB"}


def upgrade() -> None:
    op.create_table(
        'workbooks_v1',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', _TIME, nullable=False),
        sa.Column('updated_at', _TIME, nullable=True),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('description', _TEXT, nullable=True),
        sa.Column('tags', _TEXT, nullable=True),
        sa.Column('definition', _TEXT, nullable=True),
        sa.Column('spec', _TEXT, nullable=True),
        sa.Column('checksum', sa.String(length=64), nullable=True),
        sa.Column('project_id', sa.String(length=80), nullable=False),
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workbooks_v1')),
        sa.UniqueConstraint('name', 'project_id', name=op.f('uq_workbooks_v1_name_project_id')),
        **_TABLE,
    )
    with op.batch_alter_table('workbooks_v1', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workbooks_v1_project_id'), ['project_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('workbooks_v1')
