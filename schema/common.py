"""Helpers shared by the domain modules: province arguments, text matching, pillar filters.

A leaf: it imports no domain module of the schema (import-linter keeps it so).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy import text as sql

from db import models
from dxtext.text import tokens
from schema.context import Info
from schema.errors import BadUserInput

MAX_SEARCH_LENGTH = 500
#: words beyond this many do not narrow a search further
MAX_WORDS = 32


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


def like_pattern(word: str) -> str:
    """A LIKE pattern finding ``word`` anywhere, its wildcards escaped (escape ``\\``)."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matches_words(column: Any, words: list[str]) -> ColumnElement[bool]:
    """Every folded word occurs in the folded ``column`` (LIKE; for unindexed names)."""
    if not words:
        return true()
    return and_(*(column.like(like_pattern(w), escape="\\") for w in words))


def pillar_filter(record_id: Any, pillar: Any) -> ColumnElement[bool]:
    """The record (by its ID column) has the pillar (an enum member, or a bound code)."""
    code = pillar if isinstance(pillar, BindParameter) else pillar.value
    return (
        select(models.RecordPillar.record_id)
        .where(
            models.RecordPillar.record_id == record_id,
            models.RecordPillar.pillar_code == code,
        )
        .exists()
    )
