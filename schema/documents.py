"""Documents (văn bản): Nghị quyết, Kế hoạch, Quyết định… — type, filter, order, loaders."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Select, bindparam, select
from strawberry import relay

from db import models
from dxtext.docnumber import number_key
from schema.common import exact, province_slug
from schema.context import Info
from schema.dataloaders import children, loader, nodes_by_id, row_loader, rows_by_parent
from schema.pagination import Built, CountedConnection, Listing, Parent, connection, fetch, page
from schema.province_field import InProvince
from schema.sources import Citation
from schema.statements import Filter, by_keys, columns_of, once

if TYPE_CHECKING:
    from schema.targets import TargetConnection
    from schema.tasks import TaskConnection


@strawberry.enum
class DocumentKind(Enum):
    RESOLUTION = strawberry.enum_value("RESOLUTION", description="Nghị quyết")
    PLAN = strawberry.enum_value("PLAN", description="Kế hoạch")
    DECISION = strawberry.enum_value("DECISION", description="Quyết định")
    DIRECTIVE = strawberry.enum_value("DIRECTIVE", description="Chỉ thị")
    PROJECT = strawberry.enum_value("PROJECT", description="Đề án")
    PROGRAM = strawberry.enum_value("PROGRAM", description="Chương trình")
    DECREE = strawberry.enum_value("DECREE", description="Nghị định")
    OFFICIAL_LETTER = strawberry.enum_value("OFFICIAL_LETTER", description="Công văn, văn bản")
    OTHER = "OTHER"


@strawberry.enum
class Level(Enum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"


@strawberry.type(description="A legal or policy document (văn bản) named in the sources.")
class Document(relay.Node, InProvince):
    document_id: relay.NodeID[str]
    number: str = strawberry.field(
        description="As written in Vietnam: 18-NQ/TU, 293/KH-UBND, 749/QĐ-TTg, 80/2021/NĐ-CP"
    )
    kind: DocumentKind
    kind_label: str = strawberry.field(description="Nghị quyết, Kế hoạch, Quyết định, …")
    title: str | None
    issued_on: date | None
    issuer: str | None
    level: Level

    @strawberry.field(
        description="Documents this one carries out (Kế hoạch 293/KH-UBND implements "
        "Nghị quyết 18-NQ/TU)."
    )
    async def implements(self, info: Info) -> list[Document]:
        rows = await loader(info, "document.implements", _implements_batch).load(self.document_id)
        return [Document.from_row(row) for row in rows]

    @strawberry.field
    async def implemented_by(self, info: Info) -> list[Document]:
        rows = await loader(info, "document.implementedBy", _implemented_by_batch).load(
            self.document_id
        )
        return [Document.from_row(row) for row in rows]

    @strawberry.field
    async def targets(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[TargetConnection, strawberry.lazy("schema.targets")]:
        from schema.targets import resolve_targets

        parent = Parent("document", self.document_id)
        return await resolve_targets(info, None, first, after, parent=parent)

    @strawberry.field
    async def tasks(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[TaskConnection, strawberry.lazy("schema.tasks")]:
        from schema.tasks import TaskOrder, resolve_tasks

        parent = Parent("document", self.document_id)
        return await resolve_tasks(info, None, TaskOrder.SOURCE, first, after, parent=parent)

    @strawberry.field(description="Every passage of every source that names this document.")
    async def citations(self, info: Info) -> list[Citation]:
        rows = await loader(info, "document.citations", _citations_batch).load(self.document_id)
        return [Citation.of(row) for row in rows]

    @classmethod
    def from_row(cls, row: Any) -> Document:
        return cls(
            document_id=row.id,
            number=row.number,
            kind=DocumentKind(row.kind),
            kind_label=row.kind_label,
            title=row.title,
            issued_on=row.issued_on,
            issuer=row.issuer,
            level=Level(row.level),
            province_id=row.province_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Document | None]:
        return await nodes_by_id(info, models.Document, node_ids, cls.from_row)


_link = models.DocumentLink
_implements_batch = rows_by_parent(
    by_keys(models.Document, _link.document_id, _link.document_id.label("parent_key"))
    .join(_link, _link.implemented_id == models.Document.id)
    .order_by(models.Document.issued_on, models.Document.id)
)
_implemented_by_batch = rows_by_parent(
    by_keys(models.Document, _link.implemented_id, _link.implemented_id.label("parent_key"))
    .join(_link, _link.document_id == models.Document.id)
    .order_by(models.Document.issued_on, models.Document.id)
)
_citations_batch = rows_by_parent(
    children(models.DocumentCitation, models.DocumentCitation.document_id)
    .join(models.Source, models.Source.id == models.DocumentCitation.source_id)
    .order_by(models.Source.position, models.DocumentCitation.line_start)
)


async def load_document(info: Info, document_id: str | None) -> Document | None:
    if document_id is None:
        return None
    row = await row_loader(info, models.Document).load(document_id)
    return Document.from_row(row) if row else None


@strawberry.type
class DocumentConnection(CountedConnection[Document]):
    """Documents, oldest first (undated last), then by number."""


@strawberry.input(
    description="Every text argument named search or query matches without diacritics "
    "too: 'chuyen doi so' finds 'chuyển đổi số', 'dang bo' finds 'Đảng bộ'."
)
class DocumentFilter:
    province: str | None = strawberry.field(default=None, description="slug or code")
    kind: DocumentKind | None = None
    level: Level | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    search: str | None = None


async def documents_filter(info: Info, where: DocumentFilter | None) -> Filter:
    """The conditions of ``where`` and their values (``schema.statements``)."""
    d = models.Document
    found = Filter()
    if where is None:
        return found
    await found.province(info, where.province, d.province_id)
    if where.kind is not None:
        found.value("kind", where.kind.value, lambda v: d.kind == v)
    if where.level is not None:
        found.value("level", where.level.value, lambda v: d.level == v)
    if where.issued_from is not None:
        found.value("issued_from", where.issued_from, lambda v: d.issued_on >= v)
    if where.issued_to is not None:
        found.value("issued_to", where.issued_to, lambda v: d.issued_on <= v)
    found.search(info, d.id, where.search)
    return found


def documents_query(conditions: Filter) -> tuple[Select[Any], list[Any]]:
    """Documents (plain rows of their columns) matching ``conditions``: oldest first,
    undated last, then by number."""
    d = models.Document
    query = conditions.apply(select(*columns_of(d)))
    return query, [d.issued_on.asc().nulls_last(), d.number_key, d.id]


async def resolve_documents(
    info: Info,
    where: DocumentFilter | None,
    first: int | None,
    after: str | None,
    *,
    parent: Parent | None = None,
) -> DocumentConnection:
    """A page of documents; ``parent`` (a province) for a nested connection."""
    window = page(first, after)
    conditions = await documents_filter(info, where)

    def build() -> Built:
        return (*documents_query(conditions), models.Document.province_id)

    listing = Listing(conditions.key(), conditions.params, build)
    rows, total = await fetch(info, "documents", parent, repr(where), window, listing)
    result: DocumentConnection = connection(
        DocumentConnection, [Document.from_row(r) for r in rows], total, window
    )
    return result


def _by_number(in_province: bool) -> Select[Any]:
    d = models.Document
    query = select(*columns_of(d)).where(d.number_key == bindparam("number"))
    if in_province:
        query = query.where((d.province_id == bindparam("province")) | d.province_id.is_(None))
    return query.order_by(d.province_id.is_not(None), d.province_id, d.id).limit(1)


async def find_document(info: Info, number: str, province: str | None) -> Document | None:
    """By number as written (diacritics and case ignored); national ones win a tie."""
    slug = await province_slug(info, province)
    statement = once(("document-by-number", slug is not None), lambda: _by_number(slug is not None))
    params = {"number": exact(number_key(number)), "province": slug}
    rows = await info.context.rows(statement, params)
    return Document.from_row(rows[0]) if rows else None


@strawberry.type
class DocumentQuery:
    @strawberry.field
    async def documents(
        self,
        info: Info,
        filter: DocumentFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> DocumentConnection:
        return await resolve_documents(info, filter, first, after)

    @strawberry.field(
        description="number as written; province (slug or code) narrows when numbers "
        "repeat across provinces"
    )
    async def document(
        self, info: Info, number: str, province: str | None = None
    ) -> Document | None:
        return await find_document(info, number, province)


@strawberry.type
class InDocument:
    """A record that a document may set: its ``document`` field, through the loader."""

    document_id: strawberry.Private[str | None]

    @strawberry.field
    async def document(self, info: Info) -> Document | None:
        return await load_document(info, self.document_id)
