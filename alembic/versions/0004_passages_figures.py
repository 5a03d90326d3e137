"""Passages and figures (contract 1.1): the text no question, target or task holds, and
the measured facts stated in it; a passage's documents. Pillars go to record_pillars and
search entries to search_entries, as for the other types.

The next `dxgraph load` fills the tables (its digest differs, so it rewrites).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _cited() -> list[sa.Column[object]]:
    return [
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("line_start", sa.Integer(), nullable=False),
        sa.Column("line_end", sa.Integer(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "passages",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("province_id", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        *_cited(),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_passages_province_id_provinces")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_passages_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passages")),
    )
    op.create_index(op.f("ix_passages_province_id"), "passages", ["province_id"])
    op.create_index(op.f("ix_passages_source_id"), "passages", ["source_id"])
    op.create_table(
        "passage_documents",
        sa.Column("passage_id", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_passage_documents_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["passage_id"],
            ["passages.id"],
            name=op.f("fk_passage_documents_passage_id_passages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("passage_id", "document_id", name=op.f("pk_passage_documents")),
    )
    op.create_index(op.f("ix_passage_documents_document_id"), "passage_documents", ["document_id"])
    op.create_table(
        "figures",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("unit_text", sa.String(length=64), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("as_of_text", sa.Text(), nullable=True),
        sa.Column("province_id", sa.String(length=200), nullable=True),
        sa.Column("passage_id", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        *_cited(),
        sa.ForeignKeyConstraint(
            ["passage_id"],
            ["passages.id"],
            name=op.f("fk_figures_passage_id_passages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_figures_province_id_provinces")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_figures_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figures")),
    )
    op.create_index(op.f("ix_figures_as_of"), "figures", ["as_of"])
    op.create_index(op.f("ix_figures_passage_id"), "figures", ["passage_id"])
    op.create_index(op.f("ix_figures_province_id"), "figures", ["province_id"])
    op.create_index(op.f("ix_figures_source_id"), "figures", ["source_id"])


def downgrade() -> None:
    op.drop_table("figures")
    op.drop_table("passage_documents")
    op.drop_table("passages")
