"""Folded search text on documents, questions, targets and tasks.

Reviewed by hand: a server default lets the columns be added to tables that already
hold rows; the next `dxgraph load` fills them (its digest differs, so it rewrites).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:51:40.187294
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("search_text")

    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_column("search_text")

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_column("search_text")

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("search_text")
