"""Sources: the loaded texts every citation points into, and the Citation type."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from db import models
from schema.context import Info
from schema.dataloaders import nodes_by_id, row_loader
from schema.pagination import Parent
from schema.province_field import InProvince
from schema.statements import columns_of

if TYPE_CHECKING:
    from schema.passages import PassageConnection


@strawberry.enum
class SourceKind(Enum):
    QA_BOOKLET = "QA_BOOKLET"
    HANDBOOK = "HANDBOOK"
    ARTICLE = "ARTICLE"
    SLIDES = "SLIDES"


@strawberry.type(description="One loaded source text.")
class Source(relay.Node, InProvince):
    source_id: relay.NodeID[str]
    title: str
    kind: SourceKind
    publisher: str | None
    year: int | None
    line_count: int = strawberry.field(
        description="Number of lines in the text as loaded; every Citation points inside "
        "1..lineCount."
    )

    @strawberry.field
    def slug(self) -> str:
        return self.source_id

    @strawberry.field(description="the source's passages in reading order")
    async def passages(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[PassageConnection, strawberry.lazy("schema.passages")]:
        from schema.passages import resolve_passages

        return await resolve_passages(
            info, None, first, after, parent=Parent("source", self.source_id)
        )

    @classmethod
    def from_row(cls, row: Any) -> Source:
        return cls(
            source_id=row.id,
            title=row.title,
            kind=SourceKind(row.kind),
            publisher=row.publisher,
            year=row.year,
            line_count=row.line_count,
            province_id=row.province_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Source | None]:
        return await nodes_by_id(info, models.Source, node_ids, cls.from_row)


@strawberry.type(
    description="Where a piece of content comes from: 1-based, inclusive line numbers in "
    "the source text, and the text of those lines."
)
class Citation:
    line_start: int
    line_end: int
    excerpt: str
    source_id: strawberry.Private[str]

    @strawberry.field
    async def source(self, info: Info) -> Source:
        return await load_source(info, self.source_id)

    @classmethod
    def of(cls, row: Any) -> Citation:
        """The citation of a row that has the cited columns (``CitedMixin``)."""
        return cls(
            line_start=row.line_start,
            line_end=row.line_end,
            excerpt=row.excerpt,
            source_id=row.source_id,
        )


async def load_source(info: Info, source_id: str) -> Source:
    row = await row_loader(info, models.Source).load(source_id)
    assert row is not None, "a citation's source is a foreign key"
    return Source.from_row(row)


_SOURCES = select(*columns_of(models.Source)).order_by(models.Source.position)


@strawberry.type
class SourceQuery:
    @strawberry.field
    async def sources(self, info: Info) -> list[Source]:
        return [Source.from_row(row) for row in await info.context.rows(_SOURCES)]
