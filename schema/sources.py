"""Sources: the loaded texts every citation points into."""

from __future__ import annotations

from enum import Enum

import strawberry
from sqlalchemy import select
from strawberry import relay

from db import models
from schema.context import Info
from schema.provinces import Province


@strawberry.enum
class SourceKind(Enum):
    QA_BOOKLET = "QA_BOOKLET"
    HANDBOOK = "HANDBOOK"
    ARTICLE = "ARTICLE"
    SLIDES = "SLIDES"


@strawberry.type(description="One loaded source text.")
class Source(relay.Node):
    source_id: relay.NodeID[str]
    title: str
    kind: SourceKind
    publisher: str | None
    year: int | None
    line_count: int = strawberry.field(
        description="Number of lines in the text as loaded; every Citation points inside "
        "1..lineCount."
    )
    province_id: strawberry.Private[str | None]

    @strawberry.field
    def slug(self) -> str:
        return self.source_id

    @strawberry.field
    async def province(self, info: Info) -> Province | None:
        if self.province_id is None:
            return None
        found = await Province.resolve_nodes(info=info, node_ids=[self.province_id])
        return found[0]

    @classmethod
    def from_row(cls, row: models.Source) -> Source:
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
        async with info.context.sessionmaker() as session:
            rows = await session.scalars(
                select(models.Source).where(models.Source.id.in_(node_ids))
            )
            by_id = {row.id: cls.from_row(row) for row in rows}
        return [by_id.get(node_id) for node_id in node_ids]


@strawberry.type
class SourceQuery:
    @strawberry.field
    async def sources(self, info: Info) -> list[Source]:
        async with info.context.sessionmaker() as session:
            rows = await session.scalars(select(models.Source).order_by(models.Source.position))
            return [Source.from_row(row) for row in rows]
