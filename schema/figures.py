"""Figures (số liệu): measured facts with their date — type, filter, connection, loaders."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from sqlalchemy import Select
from strawberry import relay

from db import models
from schema.context import Info
from schema.dataloaders import nodes_by_id
from schema.pagination import Built, CountedConnection, Listing, Parent, connection, fetch, page
from schema.pillars import Pillar, PillarCode, load_pillars
from schema.province_field import InProvince
from schema.sources import Citation, Source, load_source
from schema.statements import Filter, in_source_order
from schema.targets import Unit


@strawberry.type(
    description="A measured fact (số liệu): what stood at a date, not a goal (see Target). "
    "'5.932 chứng thư số' -> value 5932, unit COUNT, unitText 'chứng thư số'."
)
class Figure(relay.Node, InProvince):
    figure_id: relay.NodeID[str]
    label: str = strawberry.field(
        description="what is counted or measured, as written: 'dịch vụ công trực tuyến mức độ 4'"
    )
    value: float
    unit: Unit
    unit_text: str | None = strawberry.field(
        description="the unit word as written, where there is one: 'trạm', 'tài khoản', 'điểm'"
    )
    as_of: date | None = strawberry.field(
        description="the day the figure describes where the text says (for a year or a "
        "month, its last day)"
    )
    as_of_text: str | None = strawberry.field(
        description="as written: 'Tính đến ngày 30/5/2022', 'Đến năm 2021'"
    )
    citation: Citation
    source_id: strawberry.Private[str]

    @strawberry.field
    async def pillars(self, info: Info) -> list[Pillar]:
        return await load_pillars(info, self.figure_id)

    @strawberry.field
    async def source(self, info: Info) -> Source:
        return await load_source(info, self.source_id)

    @classmethod
    def from_row(cls, row: Any) -> Figure:
        return cls(
            figure_id=row.id,
            label=row.label,
            value=row.value,
            unit=Unit(row.unit),
            unit_text=row.unit_text,
            as_of=row.as_of,
            as_of_text=row.as_of_text,
            citation=Citation.of(row),
            province_id=row.province_id,
            source_id=row.source_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Figure | None]:
        return await nodes_by_id(info, models.Figure, node_ids, cls.from_row)


@strawberry.type
class FigureConnection(CountedConnection[Figure]):
    """Figures in source order."""


@strawberry.input
class FigureFilter:
    province: str | None = None
    source: str | None = None
    pillar: PillarCode | None = None
    as_of_from: date | None = None
    as_of_to: date | None = None
    search: str | None = None


async def figures_filter(info: Info, where: FigureFilter | None) -> Filter:
    """The conditions of ``where`` and their values (``schema.statements``)."""
    f = models.Figure
    found = Filter()
    if where is None:
        return found
    await found.province(info, where.province, f.province_id)
    found.source(where.source, f.source_id)
    found.pillar(where.pillar, f.id)
    if where.as_of_from is not None:
        found.value("as_of_from", where.as_of_from, lambda v: f.as_of >= v)
    if where.as_of_to is not None:
        found.value("as_of_to", where.as_of_to, lambda v: f.as_of <= v)
    found.search(info, f.id, where.search)
    return found


def figures_query(conditions: Filter) -> tuple[Select[Any], list[Any]]:
    """Figures (plain rows of their columns) matching ``conditions``, in source order."""
    return in_source_order(models.Figure, conditions)


async def resolve_figures(
    info: Info,
    where: FigureFilter | None,
    first: int | None,
    after: str | None,
    *,
    parent: Parent | None = None,
) -> FigureConnection:
    """A page of figures; ``parent`` (a province) for a nested connection."""
    window = page(first, after)
    conditions = await figures_filter(info, where)

    def build() -> Built:
        return (*figures_query(conditions), models.Figure.province_id)

    listing = Listing(conditions.key(), conditions.params, build)
    rows, total = await fetch(info, "figures", parent, repr(where), window, listing)
    result: FigureConnection = connection(
        FigureConnection, [Figure.from_row(r) for r in rows], total, window
    )
    return result


@strawberry.type
class FigureQuery:
    @strawberry.field
    async def figures(
        self,
        info: Info,
        filter: FigureFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> FigureConnection:
        return await resolve_figures(info, filter, first, after)
