"""The search index's vocabulary: search_terms (folded word, spellings, entries holding it),
for prefix expansion, typo correction and suggestions. The next `dxgraph load` fills it
(the rows it digests now include the vocabulary, so it rewrites).

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_terms",
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("spelling", sa.Text(), nullable=False),
        sa.Column("spellings", sa.Text(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_terms")),
    )


def downgrade() -> None:
    op.drop_table("search_terms")
