"""Places on an index — the Digital Transformation Index (DTI) unless ``index`` says
otherwise (PAR INDEX, …) — type, query."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from strawberry import relay

from db import models
from schema.common import exact, province_slug
from schema.context import Info
from schema.dataloaders import load_province_row, nodes_by_id
from schema.pillars import Pillar, PillarCode
from schema.sources import Citation

if TYPE_CHECKING:
    from schema.provinces import Province

#: The index listed when a query names none.
DEFAULT_INDEX = "DTI"


@strawberry.type(
    description="A province's place on an index — the Digital Transformation Index (DTI) "
    "unless index says otherwise: overall when pillar is null."
)
class Ranking(relay.Node):
    ranking_id: relay.NodeID[str]
    year: int | None
    rank: int
    out_of: int
    score: float | None
    citation: Citation
    index: str = strawberry.field(
        description="the index ranked, as the source names it: DTI (Chỉ số chuyển đổi số), "
        "PAR INDEX (Chỉ số cải cách hành chính), …"
    )
    change: int | None = strawberry.field(
        description="places moved since the year before (the source's own figure, or two "
        "years of it): 22nd → 59th is -37"
    )
    province_id: strawberry.Private[str]
    pillar_code: strawberry.Private[str | None]

    @strawberry.field
    def pillar(self) -> Pillar | None:
        return Pillar.of(self.pillar_code) if self.pillar_code else None

    @strawberry.field
    async def province(
        self, info: Info
    ) -> Annotated[Province, strawberry.lazy("schema.provinces")]:
        from schema.provinces import Province

        row = await load_province_row(info, self.province_id)
        assert row is not None, "a ranking's province is a foreign key"
        return Province.from_row(row)

    @classmethod
    def from_row(cls, row: models.Ranking) -> Ranking:
        return cls(
            ranking_id=row.id,
            year=row.year,
            rank=row.rank,
            out_of=row.out_of,
            score=row.score,
            citation=Citation.of(row),
            index=row.index_name,
            change=row.change,
            province_id=row.province_id,
            pillar_code=row.pillar_code,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Ranking | None]:
        return await nodes_by_id(info, models.Ranking, node_ids, cls.from_row)


async def resolve_rankings(
    info: Info,
    province: str | None,
    year: int | None,
    pillar: PillarCode | None,
    index: str | None = DEFAULT_INDEX,
) -> list[Ranking]:
    """Rankings by province (code order), DTI before other indexes, newest year first,
    overall before the pillars. ``index`` (any case) narrows to one index; None: all."""
    r = models.Ranking
    query = (
        select(r)
        .join(models.Province, models.Province.id == r.province_id)
        .outerjoin(models.Pillar, models.Pillar.code == r.pillar_code)
    )
    slug = await province_slug(info, province)
    if slug is not None:
        query = query.where(r.province_id == slug)
    if year is not None:
        query = query.where(r.year == year)
    if pillar is not None:
        query = query.where(r.pillar_code == pillar.value)
    if index is not None:
        query = query.where(r.index_name == exact(" ".join(index.split()).upper()))
    query = query.order_by(
        models.Province.code,
        (r.index_name != DEFAULT_INDEX),
        r.index_name,
        r.year.desc().nulls_last(),
        models.Pillar.position.asc().nulls_first(),
        r.id,
    )
    async with info.context.session() as session:
        rows = await session.scalars(query)
        return [Ranking.from_row(row) for row in rows]


@strawberry.type
class RankingQuery:
    @strawberry.field
    async def rankings(
        self,
        info: Info,
        province: str | None = None,
        year: int | None = None,
        pillar: PillarCode | None = None,
        index: Annotated[
            str | None,
            strawberry.argument(description="(1.1) the index to list; null lists every index"),
        ] = DEFAULT_INDEX,
    ) -> list[Ranking]:
        return await resolve_rankings(info, province, year, pillar, index)
