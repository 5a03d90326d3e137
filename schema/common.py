"""Types and helpers shared by the domain modules: citations, province arguments, matching."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, Select, and_, func, literal_column, select, true
from sqlalchemy import text as sql

from db import models
from loaders.text import tokens
from schema.context import Info
from schema.dataloaders import row_loader
from schema.errors import BadUserInput

if TYPE_CHECKING:
    from schema.documents import Document
    from schema.provinces import Province
    from schema.sources import Source

MAX_SEARCH_LENGTH = 500
#: words beyond this many do not narrow a search further
MAX_WORDS = 32


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
    async def source(self, info: Info) -> Annotated[Source, strawberry.lazy("schema.sources")]:
        from schema.sources import load_source

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


async def load_province_row(info: Info, province_id: str | None) -> models.Province | None:
    if province_id is None:
        return None
    row = await row_loader(info, models.Province).load(province_id)
    found: models.Province | None = row
    return found


def exact(value: str) -> str:
    """A text argument to compare with stored text.

    NUL (U+0000) is in no stored value, and PostgreSQL refuses it as a parameter where
    SQLite takes it: U+FFFD in its place matches nothing on both, so the argument is
    simply unknown, as it would be without the NUL.
    """
    return value.replace("\x00", "\ufffd")


async def province_slug(info: Info, value: str | None) -> str | None:
    """The slug of a province argument given by slug or GSO code; unknown → BAD_USER_INPUT."""
    if value is None:
        return None
    needle = exact(value.strip().lower())
    # memoised per content version: filters name a province on most requests
    slug: str | None = info.context.memo_get("province-slug", needle)
    if slug is None:
        query = select(models.Province.id).where(
            (models.Province.id == needle) | (models.Province.code == needle)
        )
        async with info.context.session() as session:
            slug = await session.scalar(query)
        if slug is not None:
            info.context.memo_set(slug, "province-slug", needle)
    if slug is None:
        raise BadUserInput(
            f"unknown province {value!r}: give a slug (ha-giang) or a GSO code (02)",
            argument="province",
        )
    return slug


def search_words(text: str | None) -> list[str]:
    """The folded tokens of a search argument; too long → BAD_USER_INPUT.

    Quotes, brackets, operators and NUL bytes are not words: they never reach SQL.
    """
    if text is None:
        return []
    if len(text) > MAX_SEARCH_LENGTH:
        raise BadUserInput(
            f"search text is longer than {MAX_SEARCH_LENGTH} characters", argument="search"
        )
    return tokens(text)[:MAX_WORDS]


def matching_entries(dialect: str, words: list[str]) -> Select[Any]:
    """IDs of the search entries holding every word, through the full-text index."""
    if dialect == "postgresql":
        query = func.to_tsquery("simple", " & ".join(words))
        return select(models.SearchEntry.id).where(literal_column("tsv").op("@@")(query))
    # FTS5: each token quoted (tokens are letters and digits only), implicit AND
    expression = " ".join(f'"{word}"' for word in words)
    return (
        select(literal_column("entry_id"))
        .select_from(sql("search_fts"))
        .where(sql("search_fts MATCH :fts").bindparams(fts=expression))
    )


def text_match(info: Info, id_column: Any, text: str | None) -> ColumnElement[bool]:
    """A ``search`` filter: every word of ``text`` occurs in the record, without diacritics."""
    words = search_words(text)
    if not words:
        return true()
    condition: ColumnElement[bool] = id_column.in_(matching_entries(info.context.dialect, words))
    return condition


def matches_words(column: Any, words: list[str]) -> ColumnElement[bool]:
    """Every folded word occurs in the folded ``column`` (LIKE; for unindexed names)."""
    if not words:
        return true()
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
    return and_(*(column.like(f"%{w}%", escape="\\") for w in escaped))


def pillar_filter(record_id: Any, pillar: Any) -> ColumnElement[bool]:
    """The record (by its ID column) has the pillar."""
    return (
        select(models.RecordPillar.record_id)
        .where(
            models.RecordPillar.record_id == record_id,
            models.RecordPillar.pillar_code == pillar.value,
        )
        .exists()
    )


@strawberry.type
class InProvince:
    """A record that may belong to a province: its ``province`` field, through the loader."""

    province_id: strawberry.Private[str | None]

    @strawberry.field
    async def province(
        self, info: Info
    ) -> Annotated[Province, strawberry.lazy("schema.provinces")] | None:
        from schema.provinces import Province

        row = await load_province_row(info, self.province_id)
        return Province.from_row(row) if row else None


@strawberry.type
class InDocument:
    """A record that a document may set: its ``document`` field, through the loader."""

    document_id: strawberry.Private[str | None]

    @strawberry.field
    async def document(
        self, info: Info
    ) -> Annotated[Document, strawberry.lazy("schema.documents")] | None:
        from schema.documents import load_document

        return await load_document(info, self.document_id)
