"""Tasks (nhiệm vụ) and the agencies that lead them (chủ trì) — types, filter, order, loaders."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import BindParameter, ColumnElement, Select, case, select
from strawberry import relay

from db import models
from schema.common import province_slug, search_words
from schema.context import Info
from schema.dataloaders import loader, nodes_by_id, rows_by_parent
from schema.documents import InDocument
from schema.pagination import (
    Built,
    CountedConnection,
    Listing,
    Parent,
    connection,
    fetch,
    fetch_page,
    page,
)
from schema.pillars import Pillar, PillarCode, load_pillars
from schema.province_field import InProvince
from schema.sources import Citation
from schema.statements import Filter, by_keys, columns_of, in_source_order, like_all

if TYPE_CHECKING:
    pass


@strawberry.enum
class DeadlineKind(Enum):
    DATE = strawberry.enum_value("DATE", description="a day: 30/6/2022")
    PERIOD = strawberry.enum_value(
        "PERIOD", description="a span: 2022 - 2023; deadline is its last day"
    )
    RECURRING = strawberry.enum_value("RECURRING", description="thường xuyên: ongoing, no deadline")
    NONE = strawberry.enum_value("NONE", description="no deadline given")


@strawberry.enum
class TaskOrder(Enum):
    DEADLINE_ASC = strawberry.enum_value(
        "DEADLINE_ASC", description="dated tasks first, earliest first; then RECURRING, then NONE"
    )
    DEADLINE_DESC = strawberry.enum_value(
        "DEADLINE_DESC", description="dated tasks first, latest first; then RECURRING, then NONE"
    )
    SOURCE = strawberry.enum_value("SOURCE", description="source order")


@strawberry.type(
    description="A body that leads tasks (Chủ trì): Sở Thông tin và Truyền thông, "
    "Văn phòng UBND tỉnh, …"
)
class Agency(relay.Node, InProvince):
    agency_id: relay.NodeID[str]
    name: str

    @strawberry.field
    async def tasks(
        self,
        info: Info,
        order_by: TaskOrder | None = TaskOrder.DEADLINE_ASC,
        first: int | None = 20,
        after: str | None = None,
    ) -> TaskConnection:
        parent = Parent("agency", self.agency_id)
        return await resolve_tasks(info, None, order_by, first, after, parent=parent)

    @classmethod
    def from_row(cls, row: Any) -> Agency:
        return cls(agency_id=row.id, name=row.name, province_id=row.province_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Agency | None]:
        return await nodes_by_id(info, models.Agency, node_ids, cls.from_row)


@strawberry.type(description="A task (nhiệm vụ) assigned in a plan or list.")
class Task(relay.Node, InProvince, InDocument):
    task_id: relay.NodeID[str]
    title: str
    group: str | None = strawberry.field(
        description="the heading the task sits under, e.g. 'Xây dựng chính quyền số'"
    )
    ordinal: int | None = strawberry.field(
        description="its number within the group, where the source numbers it"
    )
    deadline: date | None = strawberry.field(
        description="the last day by which it is due; null for RECURRING and NONE"
    )
    deadline_text: str | None = strawberry.field(
        description="as written: '30/6/2022', 'Thường xuyên', '2022 - 2023'"
    )
    deadline_kind: DeadlineKind
    citation: Citation

    @strawberry.field
    async def lead_agencies(self, info: Info) -> list[Agency]:
        rows = await loader(info, "task.leadAgencies", _lead_agencies_batch).load(self.task_id)
        return [Agency.from_row(row) for row in rows]

    @strawberry.field
    async def pillars(self, info: Info) -> list[Pillar]:
        return await load_pillars(info, self.task_id)

    @classmethod
    def from_row(cls, row: Any) -> Task:
        return cls(
            task_id=row.id,
            title=row.title,
            group=row.group,
            ordinal=row.ordinal,
            deadline=row.deadline,
            deadline_text=row.deadline_text,
            deadline_kind=DeadlineKind(row.deadline_kind),
            citation=Citation.of(row),
            province_id=row.province_id,
            document_id=row.document_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Task | None]:
        return await nodes_by_id(info, models.Task, node_ids, cls.from_row)


_lead_agencies_batch = rows_by_parent(
    by_keys(models.Agency, models.TaskAgency.task_id, models.TaskAgency.task_id.label("parent_key"))
    .join(models.TaskAgency, models.TaskAgency.agency_id == models.Agency.id)
    .order_by(models.TaskAgency.task_id, models.TaskAgency.position)
)


@strawberry.type
class TaskConnection(CountedConnection[Task]):
    """Tasks in the requested order."""


@strawberry.type
class AgencyConnection(CountedConnection[Agency]):
    """Agencies by name."""


@strawberry.input
class TaskFilter:
    province: str | None = None
    pillar: PillarCode | None = None
    agency: str | None = strawberry.field(
        default=None, description="matches any lead agency's name, without diacritics too"
    )
    due_on_or_after: date | None = None
    due_on_or_before: date | None = None
    deadline_kinds: list[DeadlineKind] | None = None
    search: str | None = None


def _agency_matches(patterns: list[BindParameter[Any]]) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = (
        select(models.TaskAgency.task_id)
        .join(models.Agency, models.Agency.id == models.TaskAgency.agency_id)
        .where(
            models.TaskAgency.task_id == models.Task.id,
            like_all(models.Agency.name_folded, patterns),
        )
        .exists()
    )
    return condition


async def tasks_filter(info: Info, where: TaskFilter | None) -> Filter:
    """The conditions of ``where`` and their values (``schema.statements``)."""
    k = models.Task
    found = Filter()
    if where is None:
        return found
    await found.province(info, where.province, k.province_id)
    found.pillar(where.pillar, k.id)
    if where.agency is not None:
        found.patterns("agency", search_words(where.agency), _agency_matches)
    if where.due_on_or_after is not None:
        found.value("due_from", where.due_on_or_after, lambda v: k.deadline >= v)
    if where.due_on_or_before is not None:
        found.value("due_to", where.due_on_or_before, lambda v: k.deadline <= v)
    if where.deadline_kinds is not None:
        kinds = [kind.value for kind in where.deadline_kinds]
        found.value("kinds", kinds, k.deadline_kind.in_, expanding=True)
    found.search(info, k.id, where.search)
    return found


def tasks_query(conditions: Filter, order: TaskOrder | None) -> tuple[Select[Any], list[Any]]:
    """Tasks (plain rows of their columns) matching ``conditions``, and the order asked for
    (ties broken by source order)."""
    k = models.Task
    query, source_order = in_source_order(k, conditions)
    if order is None or order is TaskOrder.SOURCE:
        return query, source_order
    kind_rank = case((k.deadline.is_not(None), 0), (k.deadline_kind == "RECURRING", 1), else_=2)
    deadline = k.deadline.asc() if order is TaskOrder.DEADLINE_ASC else k.deadline.desc()
    return query, [kind_rank, deadline, *source_order]


async def resolve_tasks(
    info: Info,
    where: TaskFilter | None,
    order: TaskOrder | None,
    first: int | None,
    after: str | None,
    *,
    parent: Parent | None = None,
) -> TaskConnection:
    """A page of tasks; ``parent`` (province, document or agency) for a nested connection."""
    window = page(first, after)
    conditions = await tasks_filter(info, where)

    def build() -> Built:
        query, ordering = tasks_query(conditions, order)
        if parent is not None and parent.kind == "agency":
            query = query.join(models.TaskAgency, models.TaskAgency.task_id == models.Task.id)
            return query, ordering, models.TaskAgency.agency_id
        column = models.Task.document_id if parent and parent.kind == "document" else None
        return query, ordering, column if column is not None else models.Task.province_id

    listing = Listing(conditions.key(order), conditions.params, build)
    rows, total = await fetch(info, "tasks", parent, (repr(where), order), window, listing)
    result: TaskConnection = connection(
        TaskConnection, [Task.from_row(r) for r in rows], total, window
    )
    return result


async def resolve_agencies(
    info: Info, province: str | None, search: str | None, first: int | None, after: str | None
) -> AgencyConnection:
    window = page(first, after)
    a = models.Agency
    conditions = Filter()
    slug = await province_slug(info, province)
    if slug is not None:
        conditions.value("province", slug, lambda v: a.province_id == v)
    conditions.patterns("name", search_words(search), lambda p: like_all(a.name_folded, p))

    def query() -> Select[Any]:
        return conditions.apply(select(*columns_of(a))).order_by(a.name_folded, a.id)

    rows, total = await fetch_page(
        info, ("agencies", conditions.key()), conditions.params, query, window
    )
    result: AgencyConnection = connection(
        AgencyConnection, [Agency.from_row(r) for r in rows], total, window
    )
    return result


@strawberry.type
class TaskQuery:
    @strawberry.field
    async def tasks(
        self,
        info: Info,
        filter: TaskFilter | None = None,
        order_by: TaskOrder | None = TaskOrder.DEADLINE_ASC,
        first: int | None = 20,
        after: str | None = None,
    ) -> TaskConnection:
        return await resolve_tasks(info, filter, order_by, first, after)

    @strawberry.field
    async def agencies(
        self,
        info: Info,
        province: str | None = None,
        search: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> AgencyConnection:
        return await resolve_agencies(info, province, search, first, after)
