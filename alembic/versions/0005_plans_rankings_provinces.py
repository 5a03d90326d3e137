"""Provinces since the 2025 merger, and rankings on indexes other than DTI.

- ``current_provinces``: the 34 provinces in force since 1 July 2025; ``provinces`` gains
  the 59 pre-2025 provinces no bundled source is about (63 in all) and
  ``merged_into_id``. The rows come from ``db.reference`` (the `vietnamadminunits`
  package's data), so they are not typed here.
- ``rankings`` gains ``index_name`` ("DTI" for the rows already there) and ``change``.
- ``question_citations``: every place a source prints a question (the next load fills it).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from db.reference import current_provinces, pre_merger_provinces

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BUNDLED = ("ha-giang", "lao-cai", "ha-tinh", "khanh-hoa")  # seeded by 0001


def upgrade() -> None:
    op.create_table(
        "current_provinces",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_current_provinces")),
        sa.UniqueConstraint("code", name=op.f("uq_current_provinces_code")),
    )
    with op.batch_alter_table("provinces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.String(length=200), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_provinces_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_provinces_merged_into_id_current_provinces"),
            "current_provinces",
            ["merged_into_id"],
            ["id"],
        )
    with op.batch_alter_table("rankings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("index_name", sa.String(length=64), nullable=False, server_default="DTI")
        )
        batch_op.add_column(sa.Column("change", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_rankings_index_name"), ["index_name"], unique=False)
    with op.batch_alter_table("rankings", schema=None) as batch_op:
        batch_op.alter_column("index_name", server_default=None)

    op.create_table(
        "question_citations",
        sa.Column("question_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("line_start", sa.Integer(), nullable=False),
        sa.Column("line_end", sa.Integer(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_citations_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_question_citations_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", "position", name=op.f("pk_question_citations")),
    )
    op.create_index(
        op.f("ix_question_citations_source_id"), "question_citations", ["source_id"], unique=False
    )

    current = sa.table(
        "current_provinces",
        sa.column("id", sa.String),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
    )
    op.bulk_insert(
        current, [{"id": p.slug, "code": p.code, "name": p.name} for p in current_provinces()]
    )
    provinces = sa.table(
        "provinces",
        sa.column("id", sa.String),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("merged_into_id", sa.String),
    )
    old = pre_merger_provinces()
    for p in old:
        if p.slug in _BUNDLED:
            op.execute(
                provinces.update()
                .where(provinces.c.id == p.slug)
                .values(merged_into_id=p.merged_into)
            )
    op.bulk_insert(
        provinces,
        [
            {"id": p.slug, "code": p.code, "name": p.name, "merged_into_id": p.merged_into}
            for p in old
            if p.slug not in _BUNDLED
        ],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_question_citations_source_id"), table_name="question_citations")
    op.drop_table("question_citations")
    provinces = sa.table("provinces", sa.column("id", sa.String))
    op.execute(provinces.delete().where(provinces.c.id.not_in(_BUNDLED)))
    with op.batch_alter_table("rankings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rankings_index_name"))
        batch_op.drop_column("change")
        batch_op.drop_column("index_name")
    with op.batch_alter_table("provinces", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_provinces_merged_into_id_current_provinces"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_provinces_merged_into_id"))
        batch_op.drop_column("merged_into_id")
    op.drop_table("current_provinces")
