"""question_aliases: the IDs questions printed twice in one source were served under
before they were served once (issue 14), so those IDs still resolve.

The next `dxgraph load` fills it (the rows it digests include the aliases, so it rewrites).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_aliases",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("question_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_aliases_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_aliases")),
    )
    op.create_index(op.f("ix_question_aliases_question_id"), "question_aliases", ["question_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_question_aliases_question_id"), table_name="question_aliases")
    op.drop_table("question_aliases")
