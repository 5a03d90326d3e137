"""Provinces (tỉnh): type and queries; the pillars list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from strawberry import relay

from db import models
from db.reference import PILLARS
from schema.common import exact
from schema.context import Info
from schema.pagination import Parent
from schema.pillars import Pillar
from schema.tasks import TaskOrder

if TYPE_CHECKING:
    from schema.documents import DocumentConnection
    from schema.figures import FigureConnection, FigureFilter
    from schema.passages import PassageConnection, PassageFilter
    from schema.questions import QuestionConnection, QuestionFilter
    from schema.rankings import Ranking
    from schema.targets import TargetConnection, TargetFilter
    from schema.tasks import TaskConnection, TaskFilter


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

    @property
    def _parent(self) -> Parent:
        """This province as the owner of a nested connection (batched across provinces)."""
        return Parent("province", self.province_id)

    @strawberry.field
    async def documents(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[DocumentConnection, strawberry.lazy("schema.documents")]:
        from schema.documents import resolve_documents

        return await resolve_documents(info, None, first, after, parent=self._parent)

    @strawberry.field
    async def targets(
        self,
        info: Info,
        filter: Annotated[TargetFilter, strawberry.lazy("schema.targets")] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Annotated[TargetConnection, strawberry.lazy("schema.targets")]:
        from schema.targets import resolve_targets

        return await resolve_targets(info, filter, first, after, parent=self._parent)

    @strawberry.field
    async def tasks(
        self,
        info: Info,
        filter: Annotated[TaskFilter, strawberry.lazy("schema.tasks")] | None = None,
        order_by: TaskOrder | None = TaskOrder.DEADLINE_ASC,
        first: int | None = 20,
        after: str | None = None,
    ) -> Annotated[TaskConnection, strawberry.lazy("schema.tasks")]:
        from schema.tasks import resolve_tasks

        return await resolve_tasks(info, filter, order_by, first, after, parent=self._parent)

    @strawberry.field
    async def questions(
        self,
        info: Info,
        filter: Annotated[QuestionFilter, strawberry.lazy("schema.questions")] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Annotated[QuestionConnection, strawberry.lazy("schema.questions")]:
        from schema.questions import resolve_questions

        return await resolve_questions(info, filter, first, after, parent=self._parent)

    @strawberry.field
    async def rankings(
        self, info: Info
    ) -> list[Annotated[Ranking, strawberry.lazy("schema.rankings")]]:
        from schema.rankings import resolve_rankings

        return await resolve_rankings(info, self.province_id, None, None)

    @strawberry.field
    async def figures(
        self,
        info: Info,
        filter: Annotated[FigureFilter, strawberry.lazy("schema.figures")] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Annotated[FigureConnection, strawberry.lazy("schema.figures")]:
        from schema.figures import resolve_figures

        return await resolve_figures(info, filter, first, after, parent=self._parent)

    @strawberry.field
    async def passages(
        self,
        info: Info,
        filter: Annotated[PassageFilter, strawberry.lazy("schema.passages")] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Annotated[PassageConnection, strawberry.lazy("schema.passages")]:
        from schema.passages import resolve_passages

        return await resolve_passages(info, filter, first, after, parent=self._parent)

    @classmethod
    def from_row(cls, row: models.Province) -> Province:
        return cls(province_id=row.id, code=row.code, name=row.name)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Province | None]:
        from schema.dataloaders import load_province_row

        rows = [await load_province_row(info, node_id) for node_id in node_ids]
        return [cls.from_row(row) if row else None for row in rows]


async def all_provinces(info: Info) -> list[Province]:
    async with info.context.session() as session:
        rows = await session.scalars(select(models.Province).order_by(models.Province.code))
        return [Province.from_row(row) for row in rows]


async def find_province(info: Info, slug: str | None, code: str | None) -> Province | None:
    """The province with this slug or code; None when unknown or when neither is given."""
    if slug is None and code is None:
        return None
    query = select(models.Province)
    if slug is not None:
        query = query.where(models.Province.id == exact(slug.strip().lower()))
    if code is not None:
        query = query.where(models.Province.code == exact(code.strip()))
    async with info.context.session() as session:
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
