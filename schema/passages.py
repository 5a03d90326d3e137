"""Passages: the text of a source that no question, target or task holds — type, filter,
connection (root, per province, per source)."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Select
from strawberry import relay

from db import models
from schema.context import Info
from schema.dataloaders import loader, nodes_by_id, passage_documents, passage_figures
from schema.documents import Document
from schema.figures import Figure
from schema.pagination import Built, CountedConnection, Listing, Parent, connection, fetch, page
from schema.pillars import Pillar, PillarCode, load_pillars
from schema.province_field import InProvince
from schema.sources import Citation, Source, load_source
from schema.statements import Filter, in_source_order


@strawberry.type(
    description="A passage of a source that no question, target or task holds: an "
    "article's section, a slide, a results paragraph, a foreword. With the other records, "
    "passages cover every line of every source except page furniture (page numbers, "
    "running headers), colophons and personal contact details."
)
class Passage(relay.Node, InProvince):
    passage_id: relay.NodeID[str]
    heading: str | None = strawberry.field(
        description="the heading it sits under, as written; null where there is none"
    )
    text: str = strawberry.field(
        description="the passage, cleaned of extraction damage, paragraphs separated by a "
        "blank line"
    )
    position: int = strawberry.field(description="1, 2, … in reading order within its source")
    citation: Citation
    source_id: strawberry.Private[str]

    @strawberry.field
    async def source(self, info: Info) -> Source:
        return await load_source(info, self.source_id)

    @strawberry.field
    async def pillars(self, info: Info) -> list[Pillar]:
        return await load_pillars(info, self.passage_id)

    @strawberry.field(description="documents the passage names")
    async def documents(self, info: Info) -> list[Document]:
        rows = await loader(info, "passage.documents", passage_documents).load(self.passage_id)
        return [Document.from_row(row) for row in rows]

    @strawberry.field(description="figures stated in the passage")
    async def figures(self, info: Info) -> list[Figure]:
        rows = await loader(info, "passage.figures", passage_figures).load(self.passage_id)
        return [Figure.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Any) -> Passage:
        return cls(
            passage_id=row.id,
            heading=row.heading,
            text=row.text,
            position=row.position,
            citation=Citation.of(row),
            province_id=row.province_id,
            source_id=row.source_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Passage | None]:
        return await nodes_by_id(info, models.Passage, node_ids, cls.from_row)


@strawberry.type
class PassageConnection(CountedConnection[Passage]):
    """Passages in reading order."""


@strawberry.input
class PassageFilter:
    province: str | None = None
    source: str | None = None
    pillar: PillarCode | None = None
    search: str | None = None


async def passages_filter(info: Info, where: PassageFilter | None) -> Filter:
    """The conditions of ``where`` and their values (``schema.statements``)."""
    p = models.Passage
    found = Filter()
    if where is None:
        return found
    await found.province(info, where.province, p.province_id)
    found.source(where.source, p.source_id)
    found.pillar(where.pillar, p.id)
    found.search(info, p.id, where.search)
    return found


def passages_query(conditions: Filter) -> tuple[Select[Any], list[Any]]:
    """Passages (plain rows of their columns) matching ``conditions``, in reading order."""
    return in_source_order(models.Passage, conditions)


async def resolve_passages(
    info: Info,
    where: PassageFilter | None,
    first: int | None,
    after: str | None,
    *,
    parent: Parent | None = None,
) -> PassageConnection:
    """A page of passages; ``parent`` (a province or a source) for a nested connection."""
    window = page(first, after)
    conditions = await passages_filter(info, where)

    def build() -> Built:
        p = models.Passage
        column = p.source_id if parent and parent.kind == "source" else p.province_id
        return (*passages_query(conditions), column)

    listing = Listing(conditions.key(), conditions.params, build)
    rows, total = await fetch(info, "passages", parent, repr(where), window, listing)
    result: PassageConnection = connection(
        PassageConnection, [Passage.from_row(r) for r in rows], total, window
    )
    return result


@strawberry.type
class PassageQuery:
    @strawberry.field
    async def passages(
        self,
        info: Info,
        filter: PassageFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> PassageConnection:
        return await resolve_passages(info, filter, first, after)
