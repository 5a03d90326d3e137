"""Targets (mục tiêu, chỉ tiêu) and their quantities — type, filter, order, loaders."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import Select, select
from strawberry import relay

from db import models
from dxtext.docnumber import number_key
from schema.common import exact
from schema.context import Info
from schema.dataloaders import children, loader, nodes_by_id, rows_by_parent
from schema.documents import InDocument
from schema.pagination import Built, CountedConnection, Listing, Parent, connection, fetch, page
from schema.pillars import Pillar, PillarCode, load_pillars
from schema.province_field import InProvince
from schema.sources import Citation
from schema.statements import Filter, in_source_order

if TYPE_CHECKING:
    pass


@strawberry.enum
class Unit(Enum):
    PERCENT = "PERCENT"
    COUNT = "COUNT"
    OTHER = "OTHER"
    # 1.1 (figures state ranks and index points)
    RANK = strawberry.enum_value(
        "RANK",
        description="a place in a ranking: 'nhóm 25 tỉnh, thành phố dẫn đầu' is 25 with AT_MOST",
    )
    SCORE = strawberry.enum_value("SCORE", description="points on an index: 'đạt 88,44 điểm'")


@strawberry.enum
class Comparator(Enum):
    AT_LEAST = strawberry.enum_value("AT_LEAST", description="tối thiểu, ít nhất")
    MORE_THAN = strawberry.enum_value("MORE_THAN", description="trên, hơn")
    EXACTLY = strawberry.enum_value("EXACTLY", description="plain figure")
    AT_MOST = strawberry.enum_value(
        "AT_MOST", description="tối đa, không quá, dưới; a rank within the top N"
    )


@strawberry.type(
    description="One figure inside a target: 90% of province-level files -> value 90, "
    "unit PERCENT, qualifier 'cấp tỉnh'."
)
class Quantity:
    value: float
    unit: Unit
    comparator: Comparator
    qualifier: str | None = strawberry.field(description="what the figure is about, as written")


@strawberry.type(description="A goal a province sets for a year (mục tiêu, chỉ tiêu).")
class Target(relay.Node, InProvince, InDocument):
    target_id: relay.NodeID[str]
    text: str = strawberry.field(description="the whole statement, cleaned of line breaks")
    year: int
    citation: Citation

    @strawberry.field
    async def pillars(self, info: Info) -> list[Pillar]:
        return await load_pillars(info, self.target_id)

    @strawberry.field
    async def quantities(self, info: Info) -> list[Quantity]:
        rows = await loader(info, "target.quantities", _quantities_batch).load(self.target_id)
        return [
            Quantity(
                value=q.value,
                unit=Unit(q.unit),
                comparator=Comparator(q.comparator),
                qualifier=q.qualifier,
            )
            for q in rows
        ]

    @classmethod
    def from_row(cls, row: Any) -> Target:
        return cls(
            target_id=row.id,
            text=row.text,
            year=row.year,
            citation=Citation.of(row),
            province_id=row.province_id,
            document_id=row.document_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Target | None]:
        return await nodes_by_id(info, models.Target, node_ids, cls.from_row)


_quantities_batch = rows_by_parent(
    children(
        models.Quantity,
        models.Quantity.target_id,
        models.Quantity.target_id,
        models.Quantity.position,
    )
)


@strawberry.type
class TargetConnection(CountedConnection[Target]):
    """Targets in source order."""


@strawberry.input
class TargetFilter:
    province: str | None = None
    pillar: PillarCode | None = None
    year: int | None = None
    document: str | None = strawberry.field(
        default=None, description="document number, e.g. 18-NQ/TU"
    )
    search: str | None = None


async def targets_filter(info: Info, where: TargetFilter | None) -> Filter:
    """The conditions of ``where`` and their values (``schema.statements``)."""
    t = models.Target
    found = Filter()
    if where is None:
        return found
    await found.province(info, where.province, t.province_id)
    found.pillar(where.pillar, t.id)
    if where.year is not None:
        found.value("year", where.year, lambda v: t.year == v)
    if where.document is not None:
        found.value(
            "document",
            exact(number_key(where.document)),
            lambda v: t.document_id.in_(
                select(models.Document.id).where(models.Document.number_key == v)
            ),
        )
    found.search(info, t.id, where.search)
    return found


def targets_query(conditions: Filter) -> tuple[Select[Any], list[Any]]:
    """Targets (plain rows of their columns) matching ``conditions``, in source order."""
    return in_source_order(models.Target, conditions)


async def resolve_targets(
    info: Info,
    where: TargetFilter | None,
    first: int | None,
    after: str | None,
    *,
    parent: Parent | None = None,
) -> TargetConnection:
    """A page of targets; ``parent`` (province or document) for a nested connection."""
    window = page(first, after)
    conditions = await targets_filter(info, where)

    def build() -> Built:
        t = models.Target
        column = t.document_id if parent and parent.kind == "document" else t.province_id
        return (*targets_query(conditions), column)

    listing = Listing(conditions.key(), conditions.params, build)
    rows, total = await fetch(info, "targets", parent, repr(where), window, listing)
    result: TargetConnection = connection(
        TargetConnection, [Target.from_row(r) for r in rows], total, window
    )
    return result


@strawberry.type
class TargetQuery:
    @strawberry.field
    async def targets(
        self,
        info: Info,
        filter: TargetFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> TargetConnection:
        return await resolve_targets(info, filter, first, after)
