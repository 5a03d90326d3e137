"""Provinces (tỉnh) and pillars (trụ cột): types and queries."""

from __future__ import annotations

from enum import Enum

import strawberry
from sqlalchemy import select
from strawberry import relay

from db import models
from db.reference import PILLARS
from schema.context import Info


@strawberry.enum(description=None)
class PillarCode(Enum):
    DIGITAL_GOVERNMENT = strawberry.enum_value(
        "DIGITAL_GOVERNMENT", description="Chính quyền số (national level: Chính phủ số)"
    )
    DIGITAL_ECONOMY = strawberry.enum_value("DIGITAL_ECONOMY", description="Kinh tế số")
    DIGITAL_SOCIETY = strawberry.enum_value("DIGITAL_SOCIETY", description="Xã hội số")


@strawberry.type
class Pillar:
    code: PillarCode
    name: str = strawberry.field(
        description="Vietnamese name: Chính quyền số, Kinh tế số, Xã hội số"
    )

    @classmethod
    def of(cls, code: str) -> Pillar:
        return cls(code=PillarCode(code), name=PILLARS[code])


@strawberry.type
class Province(relay.Node):
    """A province (tỉnh)."""

    province_id: relay.NodeID[str]
    code: str = strawberry.field(
        description="General Statistics Office code as used before the 2025 merger, two "
        "digits: 02 Hà Giang, 10 Lào Cai, 42 Hà Tĩnh, 56 Khánh Hòa"
    )
    name: str

    @strawberry.field(description="ha-giang, lao-cai, ha-tinh, khanh-hoa")
    def slug(self) -> str:
        return self.province_id

    @classmethod
    def from_row(cls, row: models.Province) -> Province:
        return cls(province_id=row.id, code=row.code, name=row.name)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Province | None]:
        async with info.context.sessionmaker() as session:
            rows = await session.scalars(
                select(models.Province).where(models.Province.id.in_(node_ids))
            )
            by_id = {row.id: cls.from_row(row) for row in rows}
        return [by_id.get(node_id) for node_id in node_ids]


async def all_provinces(info: Info) -> list[Province]:
    async with info.context.sessionmaker() as session:
        rows = await session.scalars(select(models.Province).order_by(models.Province.code))
        return [Province.from_row(row) for row in rows]


async def find_province(info: Info, slug: str | None, code: str | None) -> Province | None:
    """The province with this slug or code; None when unknown or when neither is given."""
    if slug is None and code is None:
        return None
    query = select(models.Province)
    if slug is not None:
        query = query.where(models.Province.id == slug.strip().lower())
    if code is not None:
        query = query.where(models.Province.code == code.strip())
    async with info.context.sessionmaker() as session:
        row = await session.scalar(query)
    return Province.from_row(row) if row else None


@strawberry.type
class ProvinceQuery:
    @strawberry.field
    async def provinces(self, info: Info) -> list[Province]:
        return await all_provinces(info)

    @strawberry.field(description="by slug or code; null when unknown")
    async def province(
        self, info: Info, slug: str | None = None, code: str | None = None
    ) -> Province | None:
        return await find_province(info, slug, code)

    @strawberry.field
    def pillars(self) -> list[Pillar]:
        return [Pillar.of(code) for code in PILLARS]
