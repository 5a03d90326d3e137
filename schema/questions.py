"""Questions and answers (Hỏi - Đáp) — type, filter, order, loaders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Select
from strawberry import relay

from db import models
from schema.context import Info
from schema.dataloaders import (
    children,
    load_province_row,
    loader,
    named_documents,
    nodes_by_id,
    row_loader,
    rows_by_parent,
)
from schema.pagination import Built, CountedConnection, Listing, Parent, connection, fetch, page
from schema.pillars import Pillar, PillarCode, load_pillars
from schema.sources import Citation
from schema.statements import Filter, in_source_order

if TYPE_CHECKING:
    from schema.documents import Document
    from schema.provinces import Province
    from schema.sources import Source


@strawberry.type(description="One question and its answer (Hỏi - Đáp).")
class Question(relay.Node):
    question_id: relay.NodeID[str]
    number: int | None = strawberry.field(
        description="its number in the source (Câu hỏi 37 -> 37); null where the source "
        "does not number it"
    )
    text: str = strawberry.field(description="the question")
    answer: str = strawberry.field(
        description="the whole answer, cleaned of extraction damage, paragraphs separated "
        "by a blank line"
    )
    part: str | None = strawberry.field(
        description="the part of the source it sits in, e.g. 'Phần II'"
    )
    citation: Citation
    province_id: strawberry.Private[str | None]
    source_id: strawberry.Private[str]

    @strawberry.field(description="null for general questions that are not about one province")
    async def province(
        self, info: Info
    ) -> Annotated[Province, strawberry.lazy("schema.provinces")] | None:
        from schema.provinces import Province

        row = await load_province_row(info, self.province_id)
        return Province.from_row(row) if row else None

    @strawberry.field
    async def source(self, info: Info) -> Annotated[Source, strawberry.lazy("schema.sources")]:
        from schema.sources import load_source

        return await load_source(info, self.source_id)

    @strawberry.field
    async def pillars(self, info: Info) -> list[Pillar]:
        return await load_pillars(info, self.question_id)

    @strawberry.field(description="documents the question or answer names")
    async def documents(
        self, info: Info
    ) -> list[Annotated[Document, strawberry.lazy("schema.documents")]]:
        from schema.documents import Document

        rows = await loader(info, "question.documents", _documents_batch).load(self.question_id)
        return [Document.from_row(row) for row in rows]

    @strawberry.field(
        description="every place in the source where this question and answer stand (a "
        "handbook may print one twice); the first is citation"
    )
    async def citations(self, info: Info) -> list[Citation]:
        rows = await loader(info, "question.citations", _citations_batch).load(self.question_id)
        return [Citation.of(row) for row in rows] or [self.citation]

    @classmethod
    def from_row(cls, row: Any) -> Question:
        return cls(
            question_id=row.id,
            number=row.number,
            text=row.text,
            answer=row.answer,
            part=row.part,
            citation=Citation.of(row),
            province_id=row.province_id,
            source_id=row.source_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Question | None]:
        found = await nodes_by_id(info, models.Question, node_ids, cls.from_row)
        missing = [node_id for node_id, q in zip(node_ids, found, strict=True) if q is None]
        if not missing:
            return found
        # an ID a repeated question was once served under names the question kept
        aliases = await row_loader(info, models.QuestionAlias).load_many(missing)
        kept_ids = {a.id: a.question_id for a in aliases if a is not None}
        if not kept_ids:
            return found
        kept = await nodes_by_id(info, models.Question, list(kept_ids.values()), cls.from_row)
        by_alias = dict(zip(kept_ids, kept, strict=True))
        return [
            q if q is not None else by_alias.get(i) for i, q in zip(node_ids, found, strict=True)
        ]


_documents_batch = named_documents(models.QuestionDocument, models.QuestionDocument.question_id)


_citations_batch = rows_by_parent(
    children(
        models.QuestionCitation,
        models.QuestionCitation.question_id,
        models.QuestionCitation.question_id,
        models.QuestionCitation.position,
    )
)


@strawberry.type
class QuestionConnection(CountedConnection[Question]):
    """Questions in source order."""


@strawberry.input
class QuestionFilter:
    province: str | None = None
    source: str | None = strawberry.field(default=None, description="source slug")
    pillar: PillarCode | None = None
    general: bool | None = strawberry.field(
        default=None,
        description="true: only questions about no single province; false: only "
        "province-specific ones",
    )
    search: str | None = None


async def questions_filter(info: Info, where: QuestionFilter | None) -> Filter:
    """The conditions of ``where`` and their values (``schema.statements``)."""
    q = models.Question
    found = Filter()
    if where is None:
        return found
    await found.province(info, where.province, q.province_id)
    found.source(where.source, q.source_id)
    found.pillar(where.pillar, q.id)
    if where.general is not None:
        general = where.general
        found.fixed(
            f"general={general}",
            lambda: q.province_id.is_(None) if general else q.province_id.is_not(None),
        )
    found.search(info, q.id, where.search)
    return found


def questions_query(conditions: Filter) -> tuple[Select[Any], list[Any]]:
    """Questions (plain rows of their columns) matching ``conditions``, in source order."""
    return in_source_order(models.Question, conditions)


async def resolve_questions(
    info: Info,
    where: QuestionFilter | None,
    first: int | None,
    after: str | None,
    *,
    parent: Parent | None = None,
) -> QuestionConnection:
    """A page of questions; ``parent`` (a province) for a nested connection."""
    window = page(first, after)
    conditions = await questions_filter(info, where)

    def build() -> Built:
        return (*questions_query(conditions), models.Question.province_id)

    listing = Listing(conditions.key(), conditions.params, build)
    rows, total = await fetch(info, "questions", parent, repr(where), window, listing)
    result: QuestionConnection = connection(
        QuestionConnection, [Question.from_row(r) for r in rows], total, window
    )
    return result


@strawberry.type
class QuestionQuery:
    @strawberry.field
    async def questions(
        self,
        info: Info,
        filter: QuestionFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> QuestionConnection:
        return await resolve_questions(info, filter, first, after)
