"""Provinces (tỉnh): type and queries; the pillars list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Select, bindparam, select
from strawberry import relay

from db import models
from db.reference import PILLARS
from schema.common import exact
from schema.context import Info
from schema.dataloaders import children, loader, row_loader, rows_by_parent
from schema.pagination import Parent
from schema.pillars import Pillar
from schema.statements import columns_of, once
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
    merged_into_id: strawberry.Private[str | None]

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

    @strawberry.field(description="its places on every index, DTI first")
    async def rankings(
        self, info: Info
    ) -> list[Annotated[Ranking, strawberry.lazy("schema.rankings")]]:
        from schema.rankings import resolve_rankings

        return await resolve_rankings(info, self.province_id, None, None, index=None)

    @strawberry.field(description="true when any loaded source holds content about this province")
    async def has_content(self, info: Info) -> bool:
        return await loader(info, "province:has-content", _with_content).load(self.province_id)

    @strawberry.field(
        description="the province it has been part of since the merger of 1 July 2025 "
        "(Nghị quyết 202/2025/QH15): Hà Giang → Tuyên Quang, Hà Tĩnh → Hà Tĩnh"
    )
    async def merged_into(self, info: Info) -> CurrentProvince:
        assert self.merged_into_id is not None, "every pre-2025 province has a current one"
        row = await row_loader(info, models.CurrentProvince).load(self.merged_into_id)
        assert row is not None, "merged_into_id is a foreign key"
        return CurrentProvince.from_row(row)

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
    def from_row(cls, row: Any) -> Province:
        return cls(
            province_id=row.id, code=row.code, name=row.name, merged_into_id=row.merged_into_id
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Province | None]:
        from schema.dataloaders import load_province_row

        rows = [await load_province_row(info, node_id) for node_id in node_ids]
        return [cls.from_row(row) if row else None for row in rows]


_WITH_CONTENT = (
    select(models.Source.province_id)
    .where(models.Source.province_id.in_(bindparam("keys", expanding=True)))
    .distinct()
)


async def _with_content(info: Info, keys: list[str]) -> list[bool]:
    """For each province slug: does a loaded source hold content about it?"""
    found = {row[0] for row in await info.context.rows(_WITH_CONTENT, {"keys": keys})}
    return [key in found for key in keys]


_merged_from = rows_by_parent(
    children(models.Province, models.Province.merged_into_id, models.Province.code)
)


@strawberry.type(
    description="One of the 34 provinces and centrally-run cities in force since 1 July 2025."
)
class CurrentProvince:
    code: str = strawberry.field(
        description="the code the General Statistics Office gives it since 1 July 2025"
    )
    slug: str = strawberry.field(description="tuyen-quang, lao-cai, ha-tinh, khanh-hoa, …")
    name: str

    @strawberry.field(
        description="the pre-2025 provinces merged into it (one, for a province whose "
        "territory did not change)"
    )
    async def merged_from(self, info: Info) -> list[Province]:
        rows = await loader(info, "current-province:merged-from", _merged_from).load(self.slug)
        return [Province.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Any) -> CurrentProvince:
        return cls(code=row.code, slug=row.id, name=row.name)


_ALL_PROVINCES = select(*columns_of(models.Province)).order_by(models.Province.code)
_PROVINCES_WITH_CONTENT = _ALL_PROVINCES.where(
    models.Province.id.in_(
        select(models.Source.province_id).where(models.Source.province_id.is_not(None))
    )
)
_CURRENT_PROVINCES = select(*columns_of(models.CurrentProvince)).order_by(
    models.CurrentProvince.code
)


async def all_provinces(info: Info, with_content: bool | None = True) -> list[Province]:
    """Provinces in code order: those a loaded source is about, or (``with_content`` false
    or None) all 63 as they were before 1 July 2025."""
    query = _PROVINCES_WITH_CONTENT if with_content else _ALL_PROVINCES
    return [Province.from_row(row) for row in await info.context.rows(query)]


async def current_provinces(info: Info) -> list[CurrentProvince]:
    return [CurrentProvince.from_row(row) for row in await info.context.rows(_CURRENT_PROVINCES)]


def _province_by(slug: bool, code: bool) -> Select[Any]:
    query = select(*columns_of(models.Province))
    if slug:
        query = query.where(models.Province.id == bindparam("slug"))
    if code:
        query = query.where(models.Province.code == bindparam("code"))
    return query


async def find_province(info: Info, slug: str | None, code: str | None) -> Province | None:
    """The province with this slug or code; None when unknown or when neither is given."""
    if slug is None and code is None:
        return None
    shape = (slug is not None, code is not None)
    statement = once(("province-by", shape), lambda: _province_by(*shape))
    params = {
        "slug": None if slug is None else exact(slug.strip().lower()),
        "code": None if code is None else exact(code.strip()),
    }
    rows = await info.context.rows(statement, params)
    return Province.from_row(rows[0]) if rows else None


@strawberry.type
class ProvinceQuery:
    @strawberry.field(description="the provinces that have content")
    async def provinces(
        self,
        info: Info,
        with_content: Annotated[
            bool | None,
            strawberry.argument(
                description="(1.1) false or null: all 63 provinces as they were before 1 July 2025"
            ),
        ] = True,
    ) -> list[Province]:
        return await all_provinces(info, with_content)

    @strawberry.field(description="the 34 provinces in force since 1 July 2025")
    async def current_provinces(self, info: Info) -> list[CurrentProvince]:
        return await current_provinces(info)

    @strawberry.field(description="by slug or code; null when unknown")
    async def province(
        self, info: Info, slug: str | None = None, code: str | None = None
    ) -> Province | None:
        return await find_province(info, slug, code)

    @strawberry.field
    def pillars(self) -> list[Pillar]:
        return [Pillar.of(code) for code in PILLARS]
